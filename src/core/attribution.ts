import { z } from 'zod';
import { aspectWords } from './aspect-words.ts';

/**
 * Which layer changed behind a drop: the model ("it got dumber"), the tool around it (crashes, the UI,
 * a client version), the quota (limits, pricing) or an outage (errors, "down", an incident). Each
 * piece of evidence (an aspect whose complaints rose, a phrase family whose complaints rose, an event
 * near, a version that carries the complaints) adds weight to a layer; the layer named is the one with
 * most weight when it has enough of it and enough of the total. Pure: the caller counts and reads.
 */

export const LAYERS = ['model', 'tool', 'quota', 'outage'] as const;
export type Layer = (typeof LAYERS)[number];
export type AttributedLayer = Layer | 'unclear';

/** Phrase families read in negative mentions, each pointing at a layer. */
export const CUES = ['dumber', 'crash', 'limits', 'down'] as const;
export type Cue = (typeof CUES)[number];
export const CUE_LAYERS: Record<Cue, Layer> = { dumber: 'model', crash: 'tool', limits: 'quota', down: 'outage' };

const CUE_PATTERNS: Record<Cue, RegExp> = {
  dumber:
    /\b(?:dumb(?:er|ed down)?|nerf(?:ed|ing)?|lobotomi[sz]ed|(?:got|getting|gotten) (?:so much |much |a lot )?worse|lazier|lazy|hallucinat\w*|stupid(?:er)?|(?:quality|output|answers?) (?:has |have )?(?:dropped|degraded|tanked|went down))\b/i,
  crash:
    /\b(?:crash(?:es|ed|ing)?|freez(?:es|ing|e)|froze|hangs|hanging|broke after (?:the )?update|after (?:the |this |today's )?update|the (?:new )?ui|extension|keeps asking|v?\d+\.\d+\.\d+)\b/i,
  limits:
    /\b(?:rate[- ]?limit(?:s|ed|ing)?|usage limits?|weekly limits?|limits?|quota|capped|ran out of (?:tokens|credits|usage)|burn(?:ed|t|ing)? through|pric(?:e|es|ing)|(?:more )?expensive|subscription|refund)\b/i,
  down: /\b(?:(?:is|was|went|goes|been|still|completely|totally|it's|its) down|outages?|overloaded|not responding|unavailable|status page|50[0-4]|529|(?:internal server|api|server) errors?|tim(?:ed|ing) out|timeouts?)\b/i,
};

/** The cue families a text carries. */
export function findCues(text: string): Cue[] {
  return CUES.filter((cue) => CUE_PATTERNS[cue].test(text));
}

/** Per cue: how many of the negative mentions carry it. */
export function countCues(mentions: Iterable<{ text: string; label: string }>): Record<Cue, number> {
  const counts: Record<Cue, number> = { dumber: 0, crash: 0, limits: 0, down: 0 };
  for (const mention of mentions) {
    if (mention.label !== 'negative') continue;
    for (const cue of findCues(mention.text)) counts[cue] += 1;
  }
  return counts;
}

/** How much of an aspect's rise in complaints counts for each layer. Reliability is split; cues tell crashes from outages. */
const ASPECT_LAYERS: Record<string, Partial<Record<Layer, number>>> = {
  performance: { model: 1 },
  code_quality: { model: 1 },
  context_window: { model: 0.5 },
  ux: { tool: 1 },
  reliability: { tool: 0.5, outage: 0.5 },
  speed: { model: 0.25, outage: 0.5 },
  limits: { quota: 1 },
  cost: { quota: 1 },
};

export interface CountPair {
  /** negative mentions in the window (of the aspect, with the cue, of the version) */
  current: number;
  /** the same in the window before */
  previous: number;
}

export interface AttributionEvent {
  id: number;
  kind: string;
  title: string;
  occurredAt: Date;
}

export interface AttributionInput {
  /** the entity's kind: a release of a tool points at the tool, of a model at the model */
  entityKind: 'model' | 'tool' | 'vendor';
  window: { from: Date; to: Date };
  /** mentions in the window and in the window before */
  n: number;
  previousN: number;
  aspects: ReadonlyArray<{ aspect: string } & CountPair>;
  cues: Readonly<Record<Cue, CountPair>>;
  /** Versions named by negative mentions; omit when mentions carry no version. */
  versions?: ReadonlyArray<{ version: string; kind?: 'model' | 'client' } & CountPair> | undefined;
  /** Events of the entity (or its parent) near the window. */
  events: readonly AttributionEvent[];
}

/** One piece of evidence and the attribution, described for the API's OpenAPI document. */
export const AttributionEvidence = z.object({
  type: z
    .enum(['aspect', 'cue', 'event', 'version'])
    .describe(
      'aspect: complaints about an aspect rose; cue: a phrase family in negative mentions rose; event: a release or incident near; version: one version carries most complaints',
    ),
  name: z.string().describe('the aspect, the cue family (dumber, crash, limits, down), the event kind or the version'),
  layer: z.enum(LAYERS).describe('the layer it points at'),
  weight: z.number().describe("what it adds to its layer's score"),
  share: z
    .number()
    .nullable()
    .describe(
      "aspect or cue: negative mentions carrying it over the window's mentions; version: its part of the negative mentions naming a version; in [0, 1]; null for an event",
    ),
  previousShare: z
    .number()
    .nullable()
    .describe(
      'the same in the window before; null for an event, or when the window before had no mentions (for a version: none naming a version)',
    ),
  count: z.number().int().nullable().describe('negative mentions behind the share; null for an event'),
  eventId: z.number().int().nullable().describe('the event, for an event; else null'),
  note: z.string().describe('the evidence in one line of words'),
});
export type AttributionEvidence = z.infer<typeof AttributionEvidence>;

const layerScore = (layer: string) => z.number().describe(`the weight of the evidence pointing at the ${layer}`);

export const Attribution = z.object({
  layer: z
    .enum([...LAYERS, 'unclear'])
    .describe('the layer likely to have changed; unclear when no layer has enough weight, or enough of the total'),
  confidence: z
    .number()
    .min(0)
    .max(1)
    .describe("the named layer's part of all the weight, with a share held back for causes the evidence does not show, in [0, 1]"),
  scores: z
    .object({ model: layerScore('model'), tool: layerScore('tool'), quota: layerScore('quota'), outage: layerScore('outage') })
    .describe('the sum of the evidence weights of each layer'),
  evidence: z.array(AttributionEvidence).describe('every piece of evidence found, the heaviest first'),
});
export type Attribution = z.infer<typeof Attribution>;

/** The attribution stored in an event's details, or null when there is none (or it does not parse). */
export function readStoredAttribution(details: Record<string, unknown>): Attribution | null {
  const parsed = Attribution.safeParse(details.attribution);
  return parsed.success ? parsed.data : null;
}

export interface AttributionOptions {
  /** weight a layer needs before it is named */
  minWeight: number;
  /** confidence the named layer needs */
  minConfidence: number;
  /** negative mentions a rising aspect, cue or version needs */
  minCount: number;
  /** two-proportion z a rise needs */
  minZ: number;
  /** weight held back for causes the evidence does not show */
  reserve: number;
}

export const DEFAULT_ATTRIBUTION_OPTIONS: Readonly<AttributionOptions> = Object.freeze({
  minWeight: 0.6,
  minConfidence: 0.45,
  minCount: 3,
  minZ: 2,
  reserve: 0.5,
});

const DAY_MS = 86_400_000;
/** A rise of 25 points in a share is worth 1; one piece of evidence is worth at most 1.5. */
const WEIGHT_PER_SHARE = 4;
const MAX_WEIGHT = 1.5;
const INCIDENT_WEIGHT = 0.8;
const RELEASE_WEIGHT = 0.4;
const VERSION_WEIGHT = 0.6;

const round = (value: number) => Math.round(value * 1000) / 1000;
const percent = (value: number) => `${Math.round(value * 100)}%`;

interface Rise {
  share: number;
  previousShare: number | null;
  weight: number;
}

/** A rise in a share of negative mentions, worth weight when it is large enough and unlikely to be noise. */
function measureRise(pair: CountPair, n: number, previousN: number, options: AttributionOptions): Rise | null {
  if (n === 0 || pair.current < options.minCount) return null;
  const share = pair.current / n;
  if (previousN === 0) return { share, previousShare: null, weight: Math.min(MAX_WEIGHT, share * WEIGHT_PER_SHARE) };
  const previousShare = pair.previous / previousN;
  const rise = share - previousShare;
  const pooled = (pair.current + pair.previous) / (n + previousN);
  const se = Math.sqrt(Math.max(pooled * (1 - pooled), 1e-9) * (1 / n + 1 / previousN));
  if (rise <= 0 || rise / se < options.minZ) return null;
  return { share, previousShare, weight: Math.min(MAX_WEIGHT, rise * WEIGHT_PER_SHARE) };
}

const CUE_WORDS: Record<Cue, string> = {
  dumber: '"dumber", "nerfed", "lazy" complaints',
  crash: 'crash, freeze and update complaints',
  limits: 'limit, quota and pricing complaints',
  down: '"down", outage and error complaints',
};

function describeRise(what: string, rise: Rise): string {
  return rise.previousShare === null
    ? `${what}: ${percent(rise.share)} of mentions`
    : `${what} rose from ${percent(rise.previousShare)} to ${percent(rise.share)} of mentions`;
}

const guessVersionKind = (version: string): 'model' | 'client' => (/^v?\d+\.\d+\.\d+/.test(version) ? 'client' : 'model');

function collectEvidence(input: AttributionInput, options: AttributionOptions): AttributionEvidence[] {
  const evidence: AttributionEvidence[] = [];
  const base = { eventId: null };
  for (const aspect of input.aspects) {
    const layers = ASPECT_LAYERS[aspect.aspect];
    const rise = layers && measureRise(aspect, input.n, input.previousN, options);
    if (!layers || !rise) continue;
    for (const [layer, part] of Object.entries(layers) as Array<[Layer, number]>) {
      evidence.push({
        ...base,
        type: 'aspect',
        name: aspect.aspect,
        layer,
        weight: round(rise.weight * part),
        share: round(rise.share),
        previousShare: rise.previousShare === null ? null : round(rise.previousShare),
        count: aspect.current,
        note: describeRise(`${aspectWords(aspect.aspect)} complaints`, rise),
      });
    }
  }
  for (const cue of CUES) {
    const rise = measureRise(input.cues[cue], input.n, input.previousN, options);
    if (!rise) continue;
    evidence.push({
      ...base,
      type: 'cue',
      name: cue,
      layer: CUE_LAYERS[cue],
      weight: round(rise.weight),
      share: round(rise.share),
      previousShare: rise.previousShare === null ? null : round(rise.previousShare),
      count: input.cues[cue].current,
      note: describeRise(CUE_WORDS[cue], rise),
    });
  }
  evidence.push(...collectVersionEvidence(input, options), ...collectEventEvidence(input));
  return evidence;
}

/** The version that carries most of the complaints, when one carries most and more than it did. */
function collectVersionEvidence(input: AttributionInput, options: AttributionOptions): AttributionEvidence[] {
  const versions = input.versions ?? [];
  const total = versions.reduce((sum, v) => sum + v.current, 0);
  const previousTotal = versions.reduce((sum, v) => sum + v.previous, 0);
  const top = [...versions].sort((a, b) => b.current - a.current || a.version.localeCompare(b.version))[0];
  if (top === undefined || top.current < options.minCount || top.current / total < 0.6) return [];
  const previousShare = previousTotal > 0 ? top.previous / previousTotal : null;
  if (previousShare !== null && previousShare >= top.current / total) return [];
  const kind = top.kind ?? guessVersionKind(top.version);
  return [
    {
      type: 'version',
      name: top.version,
      layer: kind === 'client' ? 'tool' : 'model',
      weight: VERSION_WEIGHT,
      share: round(top.current / total),
      previousShare: previousShare === null ? null : round(previousShare),
      count: top.current,
      eventId: null,
      note: `${percent(top.current / total)} of the complaints that name a version name ${top.version}`,
    },
  ];
}

/** An incident from two days before the window to a day after its end; a release from two days before to its end. */
function collectEventEvidence(input: AttributionInput): AttributionEvidence[] {
  const from = input.window.from.getTime() - 2 * DAY_MS;
  const evidence: AttributionEvidence[] = [];
  for (const event of input.events) {
    const at = event.occurredAt.getTime();
    const common = { type: 'event' as const, name: event.kind, share: null, previousShare: null, count: null, eventId: event.id };
    if (event.kind === 'incident' && at >= from && at < input.window.to.getTime() + DAY_MS) {
      evidence.push({ ...common, layer: 'outage', weight: INCIDENT_WEIGHT, note: `incident near: ${event.title}` });
    } else if (event.kind === 'release' && at >= from && at < input.window.to.getTime() && input.entityKind !== 'vendor') {
      evidence.push({
        ...common,
        layer: input.entityKind,
        weight: RELEASE_WEIGHT,
        note: `${input.entityKind} release near: ${event.title}`,
      });
    }
  }
  return evidence;
}

/**
 * The likely layer with its evidence, strongest first; "unclear" when no layer has enough weight,
 * or the named one has too small a part of it (two layers pulling about equally).
 */
export function attributeLayer(input: AttributionInput, options: Partial<AttributionOptions> = {}): Attribution {
  const settings = { ...DEFAULT_ATTRIBUTION_OPTIONS, ...options };
  const evidence = collectEvidence(input, settings).sort(
    (a, b) => b.weight - a.weight || a.type.localeCompare(b.type) || a.name.localeCompare(b.name),
  );
  const scores: Record<Layer, number> = { model: 0, tool: 0, quota: 0, outage: 0 };
  for (const item of evidence) scores[item.layer] = round(scores[item.layer] + item.weight);
  const total = LAYERS.reduce((sum, layer) => sum + scores[layer], 0);
  const top = [...LAYERS].sort((a, b) => scores[b] - scores[a])[0]!;
  const confidence = round(scores[top] / (total + settings.reserve));
  const named = scores[top] >= settings.minWeight && confidence >= settings.minConfidence;
  return { layer: named ? top : 'unclear', confidence, scores, evidence };
}
