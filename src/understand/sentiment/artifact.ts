import { z } from 'zod';
import type { FeatureConfig } from './features.ts';
import { CLASS_COUNT, LABELS, featureSpace, type LinearWeights } from './model.ts';

/** The committed weights file: int16-quantized weights, base64, plus everything inference needs. */
export const SentimentArtifact = z.object({
  version: z.string().regex(/^devsent-\d+$/),
  labels: z.tuple([z.literal('negative'), z.literal('neutral'), z.literal('positive')]),
  featureConfig: z.object({
    hashBits: z.number().int().min(8).max(22),
    charMin: z.number().int().min(1),
    charMax: z.number().int().min(1),
    wordWeight: z.number(),
    contextWeight: z.number(),
    windowWeight: z.number(),
    charWeight: z.number(),
    denseWeight: z.number(),
    contrastCopies: z.boolean(),
    negatedLexiconChars: z.boolean(),
    // Absent from the weights of devsent-6 and earlier, which did not fold negators.
    foldNegators: z.boolean().default(false),
  }),
  /** Calibration of targeted readings. */
  temperature: z.number().positive(),
  /** Calibration of plain texts read without a target. */
  plainTemperature: z.number().positive(),
  bias: z.array(z.number()).length(CLASS_COUNT),
  weightScale: z.number().positive(),
  weights: z.string(),
  training: z.record(z.string(), z.unknown()),
});
export type SentimentArtifact = z.infer<typeof SentimentArtifact>;

export interface CalibratedModel extends LinearWeights {
  version: string;
  temperature: number;
  plainTemperature: number;
}

const QUANT_MAX = 32767;

export const ARTIFACT_URL = new URL('./devsent-weights.json', import.meta.url);

export function encodeArtifact(
  model: LinearWeights,
  meta: { version: string; temperature: number; plainTemperature: number; training: Record<string, unknown> },
): SentimentArtifact {
  let maxAbs = 0;
  for (const w of model.weights) maxAbs = Math.max(maxAbs, Math.abs(w));
  const weightScale = maxAbs > 0 ? maxAbs / QUANT_MAX : 1;
  const quantized = new Int16Array(model.weights.length);
  model.weights.forEach((w, i) => {
    quantized[i] = Math.round(w / weightScale);
  });
  const config: FeatureConfig = model.config;
  return {
    version: meta.version,
    labels: [...LABELS],
    featureConfig: { ...config },
    temperature: meta.temperature,
    plainTemperature: meta.plainTemperature,
    bias: Array.from(model.bias, (b) => Math.round(b * 1e6) / 1e6),
    weightScale,
    weights: Buffer.from(quantized.buffer, quantized.byteOffset, quantized.byteLength).toString('base64'),
    training: meta.training,
  };
}

export function decodeArtifact(input: unknown): CalibratedModel {
  const artifact = SentimentArtifact.parse(input);
  const bytes = Buffer.from(artifact.weights, 'base64');
  const expected = featureSpace(artifact.featureConfig) * CLASS_COUNT;
  if (bytes.byteLength !== expected * 2) {
    throw new Error(`sentiment artifact ${artifact.version}: expected ${expected} weights, found ${bytes.byteLength / 2}`);
  }
  const weights = new Float32Array(expected);
  for (let i = 0; i < expected; i += 1) weights[i] = bytes.readInt16LE(i * 2) * artifact.weightScale;
  return {
    version: artifact.version,
    temperature: artifact.temperature,
    plainTemperature: artifact.plainTemperature,
    config: artifact.featureConfig,
    weights,
    bias: Float64Array.from(artifact.bias),
  };
}
