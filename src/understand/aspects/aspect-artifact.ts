import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { readArtifactVersion } from '../../core/artifact-version.ts';
import type { AspectModelWeights, LinearTable } from './aspect-model.ts';
import { ASPECT_NAMES } from './types.ts';

/**
 * The committed weights of the learned aspect tier (`aspect-weights.json`). Each table holds the
 * hashed feature keys it has weights for (base64 Uint32) and one row of weights per key (base64
 * Float32, row after row). Rows whose weights are all under `PRUNE_BELOW` are left out: they move no
 * probability by a point.
 */
const Table = z.object({ bias: z.array(z.number()), keys: z.string(), weights: z.string() });
export const AspectArtifact = z.object({
  version: z.string().regex(/^aspects-\d+$/),
  aspects: z.array(z.enum(ASPECT_NAMES)),
  presence: Table,
  thresholds: z.array(z.number().min(0).max(1)),
  polarity: Table,
  training: z.record(z.string(), z.unknown()),
});
export type AspectArtifact = z.infer<typeof AspectArtifact>;

export const ASPECT_ARTIFACT_URL = new URL('./aspect-weights.json', import.meta.url);
const PRUNE_BELOW = 1e-3;

const toBase64 = (array: Uint32Array | Float32Array): string =>
  Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
function fromBase64<T extends Uint32Array | Float32Array>(text: string, Type: new (buffer: ArrayBuffer) => T): T {
  const bytes = Buffer.from(text, 'base64');
  return new Type(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function encodeTable(table: LinearTable): z.infer<typeof Table> {
  const kept = [...table.weights].filter(([, row]) => Array.from(row).some((v) => Math.abs(v) >= PRUNE_BELOW)).sort(([a], [b]) => a - b);
  return {
    bias: table.bias,
    keys: toBase64(Uint32Array.from(kept, ([k]) => k)),
    weights: toBase64(Float32Array.from(kept.flatMap(([, row]) => Array.from(row)))),
  };
}

function decodeTable(table: z.infer<typeof Table>): LinearTable {
  const width = table.bias.length;
  const keys = fromBase64(table.keys, Uint32Array);
  const weights = fromBase64(table.weights, Float32Array);
  if (weights.length !== keys.length * width) throw new Error('aspect artifact: keys and weights differ in length');
  return { bias: table.bias, weights: new Map(Array.from(keys, (k, i) => [k, weights.subarray(i * width, (i + 1) * width)])) };
}

export function encodeAspectArtifact(model: AspectModelWeights, training: Record<string, unknown>): AspectArtifact {
  return {
    version: model.version,
    aspects: [...ASPECT_NAMES],
    presence: encodeTable(model.presence),
    thresholds: model.thresholds,
    polarity: encodeTable(model.polarity),
    training,
  };
}

export function decodeAspectArtifact(artifact: AspectArtifact): AspectModelWeights {
  if (artifact.aspects.join() !== ASPECT_NAMES.join() || artifact.presence.bias.length !== ASPECT_NAMES.length)
    throw new Error(`aspect artifact: trained for aspects ${artifact.aspects.join(', ')}, not ${ASPECT_NAMES.join(', ')}`);
  return {
    version: artifact.version,
    presence: decodeTable(artifact.presence),
    thresholds: artifact.thresholds,
    polarity: decodeTable(artifact.polarity),
  };
}

let cached: AspectModelWeights | undefined;

/** The shipped aspect model, read once per process. */
export function loadAspectModel(): AspectModelWeights {
  cached ??= decodeAspectArtifact(AspectArtifact.parse(JSON.parse(readFileSync(ASPECT_ARTIFACT_URL, 'utf8'))));
  return cached;
}

/** The shipped model's version, read from the file's head without decoding the weights. */
export function aspectModelVersion(): string {
  return readArtifactVersion(ASPECT_ARTIFACT_URL, 'aspect');
}
