import {
  ASPECT_CUES,
  ASPECT_EVALUATORS,
  ASPECT_PATTERNS,
  CLAUSE_BREAKERS,
  COUNTERFACTUALS,
  DIRECTION_WORDS,
  DOWNTONERS,
  EVALUATIVE_WORDS,
  INTENSIFIERS,
  NEGATED_TOPIC,
  NEGATORS,
  OVERALL_WORDS,
  type AspectCue,
} from './lexicon.ts';
import { selectScope, type ScopeRange } from './text-scope.ts';
import type { AspectFinding, AspectName, AspectPolarity, TextSpan } from './types.ts';

export interface ExtractAspectsOptions {
  /** Spans of other entities' mentions in the same text, so their clauses are not read as this one's. */
  otherMentions?: readonly TextSpan[];
}

/** Findings below this confidence, or a window that judges something without a known aspect, go to the second tier. */
export const UNSURE_CONFIDENCE = 0.55;
const NEUTRAL_BAND = 0.15;
const EVALUATOR_REACH = 5;
const SCOPE_LEAN_SHARE = 0.8;
const OVERALL_REACH = 8;
const MODIFIER_REACH = 4;

interface CompiledCue {
  cue: AspectCue;
  /** The cue's place in the lexicon. */
  order: number;
  tokens: { text: string; prefix: boolean }[];
}

interface Tokens {
  words: string[];
  starts: number[];
  ends: number[];
  /** Clause number of each token; evaluators and negation never reach across clauses. */
  clauses: number[];
  /** Phrase number of each token (clauses cut at commas too); negation and intensifiers stay inside one. */
  phrases: number[];
  weights: number[];
  /** Whether each token is part of an entity's name; a judging word does not reach across one. */
  named?: boolean[];
}

interface Hit {
  aspect: AspectName;
  /** A bare topic word with no judging word near it; it takes its polarity from the whole scope. */
  unjudged: boolean;
  needsJudgement: boolean;
  /** Set when the hit sits in a question ("which plan should I pick?"), where a bare topic judges nothing. */
  inQuestion?: boolean;
  score: number;
  confidence: number;
  start: number;
  end: number;
}

const TOPIC_OWNER_LINKS = new Set(['of', 'for', 'on', 'in', 'with', 'from', 'at']);

const WORD = /[\p{L}\p{N}]+(?:['’]\p{L}+)*|[;—–|,]|[.!?:](?=\s|$)/gu;
const BREAK_TOKENS = new Set([';', '—', '–', '|', '.', '!', '?', ':']);

function normalise(word: string): string {
  return word.toLowerCase().replace(/['’]/g, '');
}

function keyOf(word: string): string {
  return word.length > 4 ? word.slice(0, 4) : word;
}

function compileCues(cues: readonly AspectCue[]): Map<string, CompiledCue[]> {
  const index = new Map<string, CompiledCue[]>();
  cues.forEach((cue, order) => {
    const tokens = cue.phrase
      .split(/[\s-]+/)
      .filter((t) => t.length > 0)
      .map((t) => (t.endsWith('*') ? { text: normalise(t.slice(0, -1)), prefix: true } : { text: normalise(t), prefix: false }));
    const first = tokens[0];
    if (!first) return;
    if (first.prefix && first.text.length < 4) throw new Error(`aspect cue stem too short: ${cue.phrase}`);
    const key = keyOf(first.text);
    const list = index.get(key) ?? [];
    list.push({ cue, order, tokens });
    index.set(key, list);
  });
  for (const list of index.values()) list.sort((a, b) => b.tokens.length - a.tokens.length);
  return index;
}

const CUE_INDEX = compileCues(ASPECT_CUES);

/** The aspects of the lexicon's cues whose first word is `word` (exactly, or a stem it starts with), judged or not. */
export function aspectsCuedBy(word: string): AspectName[] {
  const plain = normalise(word);
  const candidates = CUE_INDEX.get(keyOf(plain));
  if (!candidates) return [];
  const matches = candidates.filter(({ tokens: [first] }) => (first!.prefix ? plain.startsWith(first!.text) : plain === first!.text));
  if (matches.length <= 1) return matches.map((m) => m.cue.aspect);
  // Exact words before stems, each in the lexicon's order.
  const rank = ({ order, tokens: [first] }: CompiledCue) => (first!.prefix ? ASPECT_CUES.length : 0) + order;
  return [...new Set(matches.sort((a, b) => rank(a) - rank(b)).map((m) => m.cue.aspect))];
}

function tokenize(text: string, ranges: readonly ScopeRange[], skip: readonly TextSpan[] = scaffoldSpans(text)): Tokens {
  const t: Tokens = { words: [], starts: [], ends: [], clauses: [], phrases: [], weights: [] };
  let clause = 0;
  let phrase = 0;
  for (const range of ranges) {
    clause++;
    phrase++;
    const body = text.slice(range.start, range.end);
    WORD.lastIndex = 0;
    for (let m = WORD.exec(body); m !== null; m = WORD.exec(body)) {
      const word = normalise(m[0]);
      if (BREAK_TOKENS.has(word) || CLAUSE_BREAKERS.has(word)) clause++;
      if (BREAK_TOKENS.has(word) || CLAUSE_BREAKERS.has(word) || word === ',') phrase++;
      if (BREAK_TOKENS.has(word) || word === ',') continue;
      if (skip.length > 0 && insideAny(range.start + m.index, skip)) continue;
      t.words.push(word);
      t.starts.push(range.start + m.index);
      t.ends.push(range.start + m.index + m[0].length);
      t.clauses.push(clause);
      t.phrases.push(phrase);
      t.weights.push(range.weight);
    }
  }
  return t;
}

function matchCue(t: Tokens, at: number, c: CompiledCue): boolean {
  for (let k = 0; k < c.tokens.length; k++) {
    const want = c.tokens[k];
    const word = t.words[at + k];
    if (!want || word === undefined) return false;
    if (want.prefix ? !word.startsWith(want.text) : word !== want.text) return false;
  }
  return true;
}

/** Product of intensifiers and downtoners, and whether a negator sits within reach before `at`. */
function readModifiers(t: Tokens, at: number, stopAt: number): { scale: number; negated: boolean } {
  let scale = 1;
  let negated = false;
  const phrase = t.phrases[at];
  for (let j = at - 1; j >= Math.max(stopAt, at - MODIFIER_REACH); j--) {
    if (t.phrases[j] !== phrase) break;
    const w = t.words[j] ?? '';
    if (NEGATORS.has(w) || (COUNTERFACTUALS.has(w) && j >= at - 2)) negated = true;
    scale *= INTENSIFIERS[w] ?? DOWNTONERS[w] ?? 1;
  }
  return { scale, negated };
}

function scoreTopic(t: Tokens, from: number, to: number, cue: AspectCue): { score: number; start: number; end: number; found: boolean } {
  const clause = t.clauses[from];
  let sum = 0;
  let start = t.starts[from] ?? 0;
  let end = t.ends[to - 1] ?? start;
  let found = false;
  let lo = Math.max(0, from - EVALUATOR_REACH);
  let hi = Math.min(t.words.length - 1, to - 1 + EVALUATOR_REACH);
  // "my Claude plan bc Codex is good": the judgement past another name is about that name.
  if (t.named) {
    for (let j = from - 1; j >= lo; j--) {
      if (t.named[j]) {
        lo = j + 1;
        break;
      }
    }
    for (let j = to; j <= hi; j++) {
      // "the pricing of Cursor is great": a name joined to the topic by a preposition is the topic's owner.
      if (t.named[j] && !(j === to + 1 && TOPIC_OWNER_LINKS.has(t.words[to] ?? ''))) {
        hi = j - 1;
        break;
      }
    }
  }
  for (let j = lo; j <= hi; j++) {
    if (j >= from && j < to) continue;
    if (t.clauses[j] !== clause) continue;
    const w = t.words[j] ?? '';
    let v = ASPECT_EVALUATORS[cue.aspect]?.[w] ?? EVALUATIVE_WORDS[w];
    if (v === undefined && cue.moreIs !== undefined) {
      const d = DIRECTION_WORDS[w];
      if (d !== undefined) v = d * cue.moreIs * 0.6;
    }
    if (v === undefined) continue;
    const mods = readModifiers(t, j, j < from ? lo : to);
    const distance = j < from ? from - j : j - to + 1;
    sum += ((mods.negated ? -0.7 : 1) * v * mods.scale) / (1 + 0.15 * distance);
    found = true;
    start = Math.min(start, t.starts[j] ?? start);
    end = Math.max(end, t.ends[j] ?? end);
  }
  if (!found) {
    const mods = readModifiers(t, from, 0);
    const negatedMeaning = NEGATED_TOPIC[cue.aspect];
    if (mods.negated && negatedMeaning !== undefined) return { score: 0.5 * negatedMeaning, start, end, found: true };
  }
  return { score: Math.max(-1, Math.min(1, sum)), start, end, found };
}

/**
 * Text that says nothing about an aspect even when its words are cues: issue-form scaffolding
 * (Markdown headings such as "### What's Wrong?" or a bold line "**Bug Description**", a "[Bug]" tag,
 * "_No response_" in a field left empty, "- [x] I have searched existing issues" checklists) and
 * links ("github.com/.../issues"). Its words are neither cues nor judgements. Memoised per text.
 */
const SCAFFOLD =
  /^[ \t]*(?:#{1,6}[ \t].*|_?No response_?|\*\*[^*\n]{1,60}\*\*:?|[-*][ \t]*\[[ xX]\].*)[ \t]*$|^\[(?:bug|feature request|feature|docs|question)\]|https?:\/\/\S+|\b[\w-]+\.(?:com|org|io|dev|ai)\/\S*/gim;
let lastScaffoldText: string | null = null;
let lastScaffold: TextSpan[] = [];

function scaffoldSpans(text: string): TextSpan[] {
  if (text === lastScaffoldText) return lastScaffold;
  const spans: TextSpan[] = [];
  for (const m of text.matchAll(SCAFFOLD)) spans.push({ start: m.index, end: m.index + m[0].length });
  lastScaffoldText = text;
  lastScaffold = spans;
  return spans;
}

function insideAny(at: number, spans: readonly TextSpan[]): boolean {
  return spans.some((s) => at >= s.start && at < s.end);
}

function collectWordHits(t: Tokens, masked: readonly TextSpan[]): Hit[] {
  const taken: boolean[] = t.starts.map((at) => insideAny(at, masked));
  const hits: Hit[] = [];
  const candidates: { at: number; c: CompiledCue }[] = [];
  for (let i = 0; i < t.words.length; i++) {
    const list = CUE_INDEX.get(keyOf(t.words[i] ?? ''));
    if (!list) continue;
    for (const c of list) if (matchCue(t, i, c)) candidates.push({ at: i, c });
  }
  // Longer phrases win over the words inside them: "rate limited" is not the topic "limit".
  candidates.sort((a, b) => b.c.tokens.length - a.c.tokens.length || a.at - b.at);
  for (const { at, c } of candidates) {
    const to = at + c.tokens.length;
    let free = true;
    for (let k = at; k < to; k++) if (taken[k]) free = false;
    if (!free || isVetoed(t, at, to, c.cue)) continue;
    for (let k = at; k < to; k++) taken[k] = true;
    hits.push(scoreCue(t, at, to, c.cue));
  }
  return hits;
}

function isVetoed(t: Tokens, at: number, to: number, cue: AspectCue): boolean {
  if (cue.notAfter) {
    for (let j = Math.max(0, at - 3); j < at; j++) if (cue.notAfter.includes(t.words[j] ?? '')) return true;
  }
  if (cue.notBefore && t.clauses[to] === t.clauses[at] && cue.notBefore.includes(t.words[to] ?? '')) return true;
  if (cue.notBeforeName && t.named?.[to]) return true;
  return false;
}

function scoreCue(t: Tokens, at: number, to: number, cue: AspectCue): Hit {
  const weight = (cue.weight ?? 0.9) * (t.weights[at] ?? 1);
  const start = t.starts[at] ?? 0;
  const end = t.ends[to - 1] ?? start;
  if (cue.polarity !== 0) {
    const mods = readModifiers(t, at, 0);
    const base = cue.polarity * 0.6 * mods.scale;
    return {
      aspect: cue.aspect,
      unjudged: false,
      needsJudgement: false,
      score: clamp(mods.negated ? -0.7 * base : base),
      confidence: weight,
      start,
      end,
    };
  }
  const topic = scoreTopic(t, at, to, cue);
  return {
    aspect: cue.aspect,
    unjudged: !topic.found,
    needsJudgement: cue.needsJudgement === true,
    score: topic.score,
    confidence: weight * (topic.found ? 0.9 : 0.75),
    start: topic.start,
    end: topic.end,
  };
}

function collectPatternHits(text: string, ranges: readonly ScopeRange[], t: Tokens, masked: readonly TextSpan[]): Hit[] {
  const hits: Hit[] = [];
  for (const range of ranges) {
    const body = text.slice(range.start, range.end);
    for (const p of ASPECT_PATTERNS) {
      p.pattern.lastIndex = 0;
      for (let m = p.pattern.exec(body); m !== null; m = p.pattern.exec(body)) {
        const start = range.start + m.index;
        if (insideAny(start, masked)) continue;
        const end = start + m[0].length;
        const at = t.starts.findIndex((s) => s >= start);
        let score: number = p.polarity * 0.6;
        let confidence = (p.weight ?? 0.9) * range.weight;
        let evidence = { start, end };
        let unjudged = false;
        if (p.polarity === 0 && at >= 0) {
          let to = at;
          while (to < t.words.length && (t.ends[to] ?? 0) <= end) to++;
          const topic = scoreTopic(t, at, Math.max(to, at + 1), {
            phrase: '',
            aspect: p.aspect,
            polarity: 0,
            ...(p.moreIs ? { moreIs: p.moreIs } : {}),
          });
          score = topic.score;
          confidence *= topic.found ? 0.9 : 0.75;
          unjudged = !topic.found;
          evidence = { start: Math.min(start, topic.start), end: Math.max(end, topic.end) };
        }
        // A bare amount in a following sentence ("$25 for the business plan") is seldom about this mention.
        if (unjudged && range.weight < 1) continue;
        hits.push({ aspect: p.aspect, unjudged, needsJudgement: false, score, confidence, ...evidence });
      }
    }
  }
  return hits;
}

function clamp(x: number, lo = -1, hi = 1): number {
  return x < lo ? lo : x > hi ? hi : x;
}

export function polarityOf(score: number): AspectPolarity {
  return score > NEUTRAL_BAND ? 'positive' : score < -NEUTRAL_BAND ? 'negative' : 'neutral';
}

function mergeHits(text: string, hits: readonly Hit[]): AspectFinding[] {
  const byAspect = new Map<AspectName, Hit[]>();
  for (const h of hits) {
    const list = byAspect.get(h.aspect) ?? [];
    list.push(h);
    byAspect.set(h.aspect, list);
  }
  const findings: AspectFinding[] = [];
  for (const [aspect, list] of byAspect) {
    let sum = 0;
    let best = list[0];
    let maxConfidence = 0;
    let positives = 0;
    let negatives = 0;
    for (const h of list) {
      sum += h.score * h.confidence;
      if (h.score > NEUTRAL_BAND) positives++;
      if (h.score < -NEUTRAL_BAND) negatives++;
      maxConfidence = Math.max(maxConfidence, h.confidence);
      if (best && Math.abs(h.score) * h.confidence > Math.abs(best.score) * best.confidence) best = h;
    }
    if (!best) continue;
    const score = clamp(sum);
    const mixed = positives > 0 && negatives > 0;
    const corroborated = Math.min(1, maxConfidence + 0.05 * (list.length - 1));
    findings.push({
      aspect,
      polarity: polarityOf(score),
      score: Math.round(score * 1000) / 1000,
      confidence: Math.round((mixed ? corroborated * 0.7 : corroborated) * 1000) / 1000,
      evidence: { start: best.start, end: best.end, text: text.slice(best.start, best.end) },
    });
  }
  return findings.sort((a, b) => b.confidence - a.confidence);
}

/**
 * In "X is faster than <mention>", the judgements in the mention's clause before "than" are about X,
 * and the mention is the yardstick: it gets the same aspects with the opposite polarity ("Codex takes
 * way longer than CC" is slow Codex and fast CC). A bare topic there says nothing about the yardstick.
 */
function invertComparisons(t: Tokens, span: TextSpan, hits: Hit[]): Hit[] {
  const at = yardstickAt(t, span);
  if (at < 0) return hits;
  const clause = t.clauses[at];
  const out: Hit[] = [];
  for (const h of hits) {
    const hitAt = t.starts.findIndex((s) => s >= h.start);
    if (!(hitAt >= 0 && hitAt < at && t.clauses[hitAt] === clause)) out.push(h);
    else if (!h.unjudged) out.push({ ...h, score: -h.score });
  }
  return out;
}

/** The token index of the mention when it follows "than" ("than Opus", "than the Codex CLI"), else -1. */
function yardstickAt(t: Tokens, span: TextSpan): number {
  const at = t.starts.findIndex((s) => s >= span.start);
  if (at < 1) return -1;
  const before = t.words[at - 1];
  return before === 'than' || (t.words[at - 2] === 'than' && before === 'the') ? at : -1;
}

/**
 * "GPT-5 is far better for coding than Opus": with no aspect named, the yardstick's output quality
 * is judged the other way round, from the judging words between the clause start and "than".
 */
function readYardstickJudgement(t: Tokens, span: TextSpan, hits: readonly Hit[]): Hit | null {
  const at = yardstickAt(t, span);
  if (at < 0) return null;
  const clause = t.clauses[at];
  let first = at;
  while (first > 0 && t.clauses[first - 1] === clause && at - first < OVERALL_REACH + 2) first--;
  const clauseStart = t.starts[first] ?? 0;
  if (hits.some((h) => h.start < span.start && h.end > clauseStart)) return null;
  let sum = 0;
  let evidenceStart = -1;
  for (let j = first; j < at; j++) {
    const v = EVALUATIVE_WORDS[t.words[j] ?? ''];
    if (v === undefined) continue;
    const mods = readModifiers(t, j, first);
    sum += (mods.negated ? -0.7 : 1) * v * mods.scale;
    if (evidenceStart < 0) evidenceStart = t.starts[j] ?? -1;
  }
  if (Math.abs(sum) < 0.3 || evidenceStart < 0) return null;
  return {
    aspect: 'performance',
    unjudged: false,
    needsJudgement: false,
    score: clamp(-0.8 * sum),
    confidence: 0.5,
    start: evidenceStart,
    end: span.end,
  };
}

/** The overall lean of the scope: judging words and the polar cues found, each with its negation. */
function readScopeLean(t: Tokens, hits: readonly Hit[]): number {
  let sum = 0;
  for (let j = 0; j < t.words.length; j++) {
    const v = EVALUATIVE_WORDS[t.words[j] ?? ''];
    if (v === undefined) continue;
    sum += readModifiers(t, j, 0).negated ? -0.7 * v : v;
  }
  for (const h of hits) if (!h.unjudged) sum += h.score;
  return clamp(sum);
}

/** Bare topic words lean with their scope; the weakest of them are dropped unless something judges them. */
function settleUnjudged(t: Tokens, hits: Hit[]): Hit[] {
  if (!hits.some((h) => h.unjudged)) return hits;
  const lean = readScopeLean(t, hits);
  const settled: Hit[] = [];
  for (const h of hits) {
    if (!h.unjudged) settled.push(h);
    else if (!h.needsJudgement && !h.inQuestion) settled.push({ ...h, score: SCOPE_LEAN_SHARE * lean, confidence: h.confidence * 0.85 });
  }
  return settled;
}

/**
 * Which aspects the text around one entity mention talks about, each with a polarity read from
 * nearby cues (negation, intensifiers, contrast, the aspect's own vocabulary) and its evidence.
 */
export function extractAspects(text: string, span: TextSpan, options: ExtractAspectsOptions = {}): AspectFinding[] {
  const others = options.otherMentions ?? [];
  if (isPossessiveModifier(text, span, others)) return [];
  const ranges = selectScope(text, span, others);
  const tokens = tokenize(text, ranges);
  const masked = [span, ...others, ...scaffoldSpans(text)];
  const names = [span, ...others];
  tokens.named = tokens.starts.map((at) => insideAny(at, names));
  const hits = collectWordHits(tokens, masked);
  hits.push(...collectPatternHits(text, ranges, tokens, masked));
  for (const h of hits) h.inQuestion = endsInQuestion(text, h.end);
  const settled = settleUnjudged(tokens, invertComparisons(tokens, span, hits));
  const overall = readOverallJudgement(tokens, span, settled) ?? readYardstickJudgement(tokens, span, settled);
  // "Is Claude Code the best tool?" asks; it does not judge.
  if (overall && !endsInQuestion(text, overall.end)) settled.push(overall);
  return mergeHits(text, settled);
}

function endsInQuestion(text: string, from: number): boolean {
  for (let i = from; i < text.length && i < from + 300; i++) {
    const c = text[i];
    if (c === '?') return true;
    if (c === '.' || c === '!' || c === '\n') return false;
  }
  return false;
}

/** "Google's Gemini", "xAI's Grok": the vendor only names whose product the sentence is about. */
function isPossessiveModifier(text: string, span: TextSpan, others: readonly TextSpan[]): boolean {
  const after = text.slice(span.end, span.end + 3);
  if (!/^['’]s\s/.test(after)) return false;
  const next = span.end + 3;
  return others.some((o) => o.start >= next && o.start <= next + 12);
}

/** Judging words about how using a tool feels: "Zed is so easy", "Cline is fun" judge its ux, not its output. */
const EASE_WORDS = new Set([
  'easy',
  'easier',
  'easiest',
  'fun',
  'smooth',
  'clunky',
  'janky',
  'confusing',
  'annoying',
  'polished',
  'slick',
  'frustrating',
  'painful',
]);

/**
 * "Opus 4.1 is brilliant", "Llama 4 was a letdown": a judgement of the entity itself with no named
 * aspect in its clause is read as output quality, with low confidence so the second tier can look.
 */
function readOverallJudgement(t: Tokens, span: TextSpan, hits: readonly Hit[]): Hit | null {
  const at = t.starts.findIndex((s) => s >= span.start);
  if (at < 0) return null;
  let last = at;
  while (last + 1 < t.words.length && (t.ends[last + 1] ?? Infinity) <= span.end) last++;
  const clause = t.clauses[at];
  let clauseEnd = at;
  while (clauseEnd + 1 < t.words.length && t.clauses[clauseEnd + 1] === clause) clauseEnd++;
  let sum = 0;
  let evidenceEnd = -1;
  let easeOnly = true;
  let worthOnly = true;
  for (let j = last + 1; j <= Math.min(clauseEnd, last + OVERALL_REACH); j++) {
    const w = t.words[j] ?? '';
    const v = EVALUATIVE_WORDS[w] ?? OVERALL_WORDS[w];
    // "as well" is "also".
    if (v === undefined || (w === 'well' && t.words[j - 1] === 'as')) continue;
    easeOnly = easeOnly && EASE_WORDS.has(w);
    worthOnly = worthOnly && w === 'worth';
    const mods = readModifiers(t, j, last + 1);
    sum += (mods.negated ? -0.7 : 1) * v * mods.scale;
    evidenceEnd = t.ends[j] ?? evidenceEnd;
  }
  if (Math.abs(sum) < 0.3 || evidenceEnd < 0) return null;
  // A named aspect judged between the mention and these words ("Cursor's pricing is great") already has them.
  if (hits.some((h) => h.start < evidenceEnd && h.end > span.end)) return null;
  return {
    // "ChatGPT Pro is worth it": value for money.
    aspect: easeOnly ? 'ux' : worthOnly ? 'cost' : 'performance',
    unjudged: false,
    needsJudgement: false,
    score: clamp(0.8 * sum),
    confidence: 0.5,
    start: t.starts[at] ?? span.start,
    end: evidenceEnd,
  };
}

/**
 * Whether the first tier should hand this entity to the second: a weak or self-contradicting
 * finding, or the scope of one of its mentions (`spans`) clearly judging something the lexicon
 * could not place.
 */
export function isUnsure(
  findings: readonly AspectFinding[],
  text: string,
  spans: readonly TextSpan[],
  options: ExtractAspectsOptions = {},
): boolean {
  if (findings.some((f) => f.confidence < UNSURE_CONFIDENCE)) return true;
  if (findings.length > 0) return false;
  return spans.some((span) => {
    const t = tokenize(text, selectScope(text, span, options.otherMentions ?? []));
    return t.words.length >= 8 && t.words.some((w) => EVALUATIVE_WORDS[w] !== undefined);
  });
}
