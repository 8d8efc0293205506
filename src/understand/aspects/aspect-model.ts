import { hashString } from '../sentiment/features.ts';
import { LABELS, softmaxInPlace } from '../sentiment/model.ts';
import { aspectsCuedBy, extractAspects } from './extract-aspects.ts';
import { combineAspects } from './combine-aspects.ts';
import { selectScope, splitSentences } from './text-scope.ts';
import { ASPECT_NAMES, type AspectFinding, type AspectName, type AspectPolarity, type TextSpan } from './types.ts';

/**
 * The learned part of the aspect tier: one logistic regression per aspect over the words around an
 * entity (its scope, as the rules read it), the words of the whole post, the lexicon's cue words and
 * the rules' own findings, trained on our labels of real posts (`labels/flows`, dev split;
 * `scripts/aspects/train-aspect-model.ts`). The rules' findings stand; the model adds the aspects
 * the rules missed that it reads at its threshold or above, with a three-class polarity model's
 * reading and the scope sentence that weighs most toward the aspect as evidence.
 */

/** The polarity model's classes, in the order of the sentiment model's labels. */
export const POLARITIES: readonly AspectPolarity[] = LABELS;

/** A case's features: hashed keys with their values, plus each scope range's own words for evidence. */
export interface AspectFeatures {
  keys: number[];
  values: number[];
  ranges: { span: TextSpan; keys: number[] }[];
  rules: AspectFinding[];
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*|[$%?!]/gu;
const SEED_SCOPE = 0x1b873593;
const SEED_POST = 0x5bd1e995;
const SEED_RULE = 0x68e31da4;
const SEED_POLARITY = 0x2545f491;
/** The whole post's words count for less than the entity's own scope. */
const POST_SHARE = 0.5;

const cueCache = new Map<string, readonly AspectName[]>();

/** The aspects a word cues (`aspectsCuedBy`), remembered: words recur from post to post. */
function cuedBy(word: string): readonly AspectName[] {
  let found = cueCache.get(word);
  if (!found) {
    // Bounded: a long-running ingest meets an open vocabulary.
    if (cueCache.size >= 50_000) cueCache.clear();
    found = aspectsCuedBy(word);
    cueCache.set(word, found);
  }
  return found;
}

interface Token {
  word: string;
  start: number;
  /** The word's hash in the scope and in the whole-post namespaces, and the aspects it cues. */
  scopeKey: number;
  postKey: number;
  cues: readonly AspectName[];
}

const placeholder = (word: string, start: number): Token => ({
  word,
  start,
  scopeKey: hashString(word, SEED_SCOPE),
  postKey: hashString(word, SEED_POST),
  cues: [],
});

let lastText: string | undefined;
let lastWords: Token[] = [];

/** The text's words, read once per text: a post's entities are read one after the other. */
function textWords(text: string): Token[] {
  if (text === lastText) return lastWords;
  lastWords = [];
  for (const m of text.matchAll(WORD)) {
    const word = m[0].toLowerCase().replace(/’/g, "'");
    lastWords.push({
      word,
      start: m.index,
      scopeKey: hashString(word, SEED_SCOPE),
      postKey: hashString(word, SEED_POST),
      cues: cuedBy(word),
    });
  }
  lastText = text;
  return lastWords;
}

/** The text's words as one entity reads them: each name is one placeholder, its own or another's. */
function tokens(text: string, names: readonly TextSpan[], own: readonly TextSpan[]): Token[] {
  const out: Token[] = [];
  let name = 0;
  let lastName = -1;
  for (const t of textWords(text)) {
    while (name < names.length && names[name]!.end <= t.start) name++;
    const inside = name < names.length && t.start >= names[name]!.start;
    if (!inside) {
      out.push(t);
      lastName = -1;
      continue;
    }
    if (name !== lastName) out.push(placeholder(own.some((s) => t.start >= s.start && t.start < s.end) ? '<self>' : '<other>', t.start));
    lastName = name;
  }
  return out;
}

/** The index of the first token starting at or after `at` (tokens are in text order). */
function firstAtOrAfter(words: readonly Token[], at: number): number {
  let lo = 0;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (words[mid]!.start < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function addNormalized(into: Map<number, number>, counts: Map<number, number>, share: number): void {
  let norm = 0;
  for (const v of counts.values()) norm += v * v;
  if (norm === 0) return;
  const scale = share / Math.sqrt(norm);
  for (const [k, v] of counts) into.set(k, (into.get(k) ?? 0) + v * scale);
}

/** The features of one entity in one text: `spans` are its mentions, `others` the other entities'. */
export function aspectFeatures(text: string, spans: readonly TextSpan[], others: readonly TextSpan[]): AspectFeatures {
  const names = [...spans, ...others].sort((a, b) => a.start - b.start);
  const words = tokens(text, names, spans);
  const rules = combineAspects(spans.map((span) => extractAspects(text, span, { otherMentions: others })));
  const scope = new Map<string, { span: TextSpan; weight: number }>();
  for (const span of spans)
    for (const range of selectScope(text, span, others)) {
      const key = `${range.start}:${range.end}`;
      if ((scope.get(key)?.weight ?? 0) < range.weight)
        scope.set(key, { span: { start: range.start, end: range.end }, weight: range.weight });
    }
  const scopeCounts = new Map<number, number>();
  const ranges: AspectFeatures['ranges'] = [];
  const inScope = new Uint8Array(words.length);
  const sentences = splitSentences(text);
  for (const { span, weight } of scope.values()) {
    // Evidence is read per sentence, also where the scope is a whole short post.
    for (const sentence of sentences) {
      const part = { start: Math.max(span.start, sentence.start), end: Math.min(span.end, sentence.end) };
      if (part.start >= part.end) continue;
      const keys: number[] = [];
      for (let i = firstAtOrAfter(words, part.start); i < words.length && words[i]!.start < part.end; i++) {
        inScope[i] = 1;
        keys.push(words[i]!.scopeKey);
        const next = words[i + 1];
        if (next && next.start < part.end) keys.push(hashString(`${words[i]!.word} ${next.word}`, SEED_SCOPE));
      }
      for (const k of keys) scopeCounts.set(k, Math.max(scopeCounts.get(k) ?? 0, weight));
      ranges.push({ span: part, keys });
    }
  }
  const postCounts = new Map<number, number>();
  // A lexicon cue word counts toward its aspect wherever it stands, judged or not, so the model
  // learns from the lexicon what few labels show.
  const cues = new Map<number, number>();
  words.forEach((t, i) => {
    postCounts.set(t.postKey, 1);
    for (const aspect of t.cues) {
      const key = hashString(`${inScope[i] ? 'scope' : 'post'}:${aspect}`, SEED_RULE);
      cues.set(key, (cues.get(key) ?? 0) + 1);
    }
  });
  const features = new Map<number, number>();
  addNormalized(features, scopeCounts, 1);
  addNormalized(features, postCounts, POST_SHARE);
  for (const [key, count] of cues) features.set(key, Math.log2(1 + count));
  for (const f of rules) {
    features.set(hashString(f.aspect, SEED_RULE), 1);
    features.set(hashString(`${f.aspect}:${f.polarity}`, SEED_RULE), 1);
  }
  // How many mentions of other entities share the text (3 or more alike).
  features.set(hashString(`others:${Math.min(others.length, 3)}`, SEED_RULE), 1);
  return { keys: [...features.keys()], values: [...features.values()], ranges, rules };
}

/** The polarity model's features for one aspect of a case: the scope's words, alone and per aspect. */
export function polarityFeatures(features: AspectFeatures, aspect: AspectName): { keys: number[]; values: number[] } {
  const keys: number[] = [];
  const values: number[] = [];
  const push = (key: string, value: number) => {
    keys.push(hashString(key, SEED_POLARITY));
    values.push(value);
  };
  push(`aspect:${aspect}`, 1);
  const words = new Set(features.ranges.flatMap((r) => r.keys));
  const scale = 1 / Math.sqrt(Math.max(words.size, 1));
  for (const k of words) {
    keys.push(k);
    values.push(scale);
    push(`${aspect}:${k}`, scale);
  }
  return { keys, values };
}

/** Linear weights over hashed features: one row per feature key, one column per output. */
export interface LinearTable {
  bias: number[];
  weights: Map<number, ArrayLike<number>>;
}

/** The model: one binary column per aspect (ASPECT_NAMES order) and a three-class polarity model. */
export interface AspectModelWeights {
  version: string;
  presence: LinearTable;
  /** Per aspect (ASPECT_NAMES order), the probability from which it is kept. */
  thresholds: number[];
  /** Negative, neutral, positive. */
  polarity: LinearTable;
}

/** Each output's bias plus its weights times the feature values (the training fits these too). */
export function linear(table: LinearTable, features: { keys: number[]; values: number[] }): number[] {
  const z = [...table.bias];
  for (let i = 0; i < features.keys.length; i++) {
    const row = table.weights.get(features.keys[i]!);
    if (row) for (let k = 0; k < z.length; k++) z[k]! += row[k]! * features.values[i]!;
  }
  return z;
}

/** Each aspect's probability (ASPECT_NAMES order). */
export function aspectProbabilities(model: AspectModelWeights, features: { keys: number[]; values: number[] }): number[] {
  return linear(model.presence, features).map((z) => 1 / (1 + Math.exp(-z)));
}

export function polarityProbabilities(model: AspectModelWeights, features: { keys: number[]; values: number[] }): number[] {
  const z = Float64Array.from(linear(model.polarity, features));
  softmaxInPlace(z);
  return [...z];
}

/** The scope range whose own words weigh most toward the aspect: the evidence of a learned finding. */
function evidenceRange(model: AspectModelWeights, column: number, features: AspectFeatures): TextSpan | undefined {
  let best: TextSpan | undefined;
  let bestScore = -Infinity;
  for (const range of features.ranges) {
    let score = 0;
    for (const k of range.keys) score += model.presence.weights.get(k)?.[column] ?? 0;
    if (score > bestScore) {
      bestScore = score;
      best = range.span;
    }
  }
  return best;
}

/** Reads the aspects of one entity: the rules' findings, and what the model adds to them. */
export function readAspects(
  model: AspectModelWeights,
  text: string,
  spans: readonly TextSpan[],
  others: readonly TextSpan[],
): AspectFinding[] {
  return readAspectsWith(model, aspectFeatures(text, spans, others), text, spans);
}

/**
 * The findings of features already read: the rules' findings as the rules read them, and every
 * aspect the rules missed whose probability reaches its threshold (or `threshold`, when given), with
 * the probability as confidence and the polarity model's reading.
 */
export function readAspectsWith(
  model: AspectModelWeights,
  features: AspectFeatures,
  text: string,
  spans: readonly TextSpan[],
  threshold?: number,
): AspectFinding[] {
  const findings: AspectFinding[] = [...features.rules];
  const probabilities = aspectProbabilities(model, features);
  ASPECT_NAMES.forEach((aspect, column) => {
    const p = probabilities[column]!;
    if (p < (threshold ?? model.thresholds[column]!) || features.rules.some((f) => f.aspect === aspect)) return;
    const polarity = polarityProbabilities(model, polarityFeatures(features, aspect));
    const best = polarity.indexOf(Math.max(...polarity));
    const span = trimmed(text, evidenceRange(model, column, features) ?? spans[0] ?? { start: 0, end: 0 });
    findings.push({
      aspect,
      polarity: POLARITIES[best]!,
      // The score's sign agrees with the polarity: the winning class's probability, signed.
      score: round((best - 1) * polarity[best]!),
      confidence: round(p),
      evidence: { start: span.start, end: span.end, text: text.slice(span.start, span.end) },
      tier: 'model',
    });
  });
  return findings.sort((a, b) => b.confidence - a.confidence);
}

/** The span without the white space at its ends, so the evidence's offsets and text agree. */
function trimmed(text: string, span: TextSpan): TextSpan {
  let { start, end } = span;
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return { start, end };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
