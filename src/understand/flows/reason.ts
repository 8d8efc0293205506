import { ASPECT_CUES, ASPECT_PATTERNS, type AspectCue } from '../aspects/lexicon.ts';
import type { AspectName, TextSpan } from '../aspects/types.ts';

/**
 * The aspect a stretch of text gives as a reason, read with the aspects' own vocabulary
 * (src/understand/aspects/lexicon.ts) so a flow's reason and a mention's aspects never disagree on
 * what "quota" or "dumber" means.
 */

interface CompiledCue {
  cue: AspectCue;
  words: { text: string; prefix: boolean }[];
}

const WORD = /[\p{L}\p{N}$]+(?:['’]\p{L}+)*/gu;

const normalise = (word: string): string => word.toLowerCase().replace(/['’]/g, '');

/** Words a reason clause names bare ("because of the limits", "over price") that the lexicon only counts when judged. */
const REASON_TOPICS: Record<string, AspectName> = {
  limits: 'limits',
  limit: 'limits',
  caps: 'limits',
  cap: 'limits',
  quota: 'limits',
  quotas: 'limits',
  price: 'cost',
  prices: 'cost',
  pricing: 'cost',
  money: 'cost',
  cost: 'cost',
  costs: 'cost',
  credits: 'cost',
  quality: 'performance',
  results: 'performance',
  output: 'performance',
  reasoning: 'performance',
  intelligence: 'performance',
  latency: 'speed',
  speed: 'speed',
  context: 'context_window',
  ui: 'ux',
  ux: 'ux',
  workflow: 'ux',
  privacy: 'privacy',
  telemetry: 'privacy',
  bugs: 'reliability',
  outages: 'reliability',
  outage: 'reliability',
  stability: 'reliability',
  reliability: 'reliability',
};

/** Cues that name a movement itself, not a reason for it ("cancelled my subscription"). */
const NOT_A_REASON = new Set([
  'subscription*',
  'billing',
  'billed',
  'plan',
  'tier',
  'credits',
  'a month',
  'per month',
  'per year',
  'paying',
  'pay',
  'paid',
]);

const COMPILED: CompiledCue[] = ASPECT_CUES.map((cue) => ({
  cue,
  words: cue.phrase
    .split(/[\s-]+/)
    .filter((w) => w.length > 0)
    .map((w) => (w.endsWith('*') ? { text: normalise(w.slice(0, -1)), prefix: true } : { text: normalise(w), prefix: false })),
})).sort((a, b) => b.words.length - a.words.length);

interface Token {
  text: string;
  start: number;
  end: number;
}

function tokenize(text: string, span: TextSpan): Token[] {
  const tokens: Token[] = [];
  const body = text.slice(span.start, span.end);
  WORD.lastIndex = 0;
  for (let m = WORD.exec(body); m !== null; m = WORD.exec(body)) {
    tokens.push({ text: normalise(m[0]), start: span.start + m.index, end: span.start + m.index + m[0].length });
  }
  return tokens;
}

function matches(tokens: Token[], at: number, cue: CompiledCue): boolean {
  return cue.words.every((want, k) => {
    const word = tokens[at + k]?.text;
    return word !== undefined && (want.prefix ? word.startsWith(want.text) : word === want.text);
  });
}

export interface ReasonHit {
  aspect: AspectName;
  start: number;
  end: number;
}

/**
 * Every aspect cue in `span` of `text`, in text order, skipping what lies in `exclude` (the movement's
 * own words). `bare` also admits topic words that need a judging word elsewhere ("the limits"):
 * right for a clause that is already a reason ("because of the limits").
 */
export function findReasonCues(text: string, span: TextSpan, exclude: readonly TextSpan[], bare: boolean): ReasonHit[] {
  const tokens = tokenize(text, span).filter((t) => !exclude.some((e) => t.start < e.end && e.start < t.end));
  const hits: ReasonHit[] = [];
  const taken = new Array<boolean>(tokens.length).fill(false);
  for (let i = 0; i < tokens.length; i++) {
    if (taken[i]) continue;
    const cue = COMPILED.find((c) => matches(tokens, i, c) && (bare || !c.cue.needsJudgement) && !isVetoed(tokens, i, c));
    if (cue && !NOT_A_REASON.has(cue.cue.phrase)) {
      const last = tokens[i + cue.words.length - 1]!;
      for (let k = i; k < i + cue.words.length; k++) taken[k] = true;
      hits.push({ aspect: cue.cue.aspect, start: tokens[i]!.start, end: last.end });
      continue;
    }
    const topic = bare ? REASON_TOPICS[tokens[i]!.text] : undefined;
    if (topic) hits.push({ aspect: topic, start: tokens[i]!.start, end: tokens[i]!.end });
  }
  const body = text.slice(span.start, span.end);
  for (const p of ASPECT_PATTERNS) {
    const pattern = new RegExp(p.pattern.source, p.pattern.flags);
    for (let m = pattern.exec(body); m !== null; m = pattern.exec(body)) {
      const start = span.start + m.index;
      const end = start + m[0].length;
      if (!exclude.some((e) => start < e.end && e.start < end)) hits.push({ aspect: p.aspect, start, end });
    }
  }
  return hits.sort((a, b) => a.start - b.start);
}

function isVetoed(tokens: Token[], at: number, c: CompiledCue): boolean {
  const { notAfter, notBefore } = c.cue;
  if (notAfter) for (let j = Math.max(0, at - 3); j < at; j++) if (notAfter.includes(tokens[j]!.text)) return true;
  if (notBefore && notBefore.includes(tokens[at + c.words.length]?.text ?? '')) return true;
  return false;
}
