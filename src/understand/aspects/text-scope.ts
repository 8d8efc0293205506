import { ABBREVIATIONS } from './lexicon.ts';
import type { TextSpan } from './types.ts';

/** Posts at most this long are read whole when they mention nothing else. */
export const SHORT_POST_CHARS = 280;
/** How many sentences after the mention's own sentence can still be about it ("It keeps crashing."). */
export const FOLLOWING_SENTENCES = 2;

export interface ScopeRange extends TextSpan {
  /** 1 for the mention's own sentence or clause, lower for text that only probably refers to it. */
  weight: number;
}

const SENTENCE_END = /[.!?]+["')\]]*(?=\s)|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)]|#))/g;

let lastText: string | null = null;
let lastSentences: TextSpan[] = [];

/** Sentence ranges of the text; the last text's answer is memoised because mentions come in runs. */
export function splitSentences(text: string): TextSpan[] {
  if (text === lastText) return lastSentences;
  const sentences: TextSpan[] = [];
  let start = 0;
  SENTENCE_END.lastIndex = 0;
  for (let m = SENTENCE_END.exec(text); m !== null; m = SENTENCE_END.exec(text)) {
    const end = m.index + m[0].length;
    if (m[0] === '.' && endsWithAbbreviation(text, m.index)) continue;
    if (end > start) sentences.push({ start, end });
    start = end;
  }
  if (start < text.length) sentences.push({ start, end: text.length });
  lastText = text;
  lastSentences = sentences;
  return sentences;
}

function endsWithAbbreviation(text: string, dot: number): boolean {
  let i = dot;
  while (i > 0 && /[A-Za-z.]/.test(text[i - 1] ?? '')) i--;
  return ABBREVIATIONS.has(text.slice(i, dot).toLowerCase());
}

function overlaps(a: TextSpan, b: TextSpan): boolean {
  return a.start < b.end && b.start < a.end;
}

const CLAUSE_SPLIT = /[;—–()]|\s-\s|,?\s+(?=(?:but|however|although|though|whereas|while|unlike|except)\b)/gi;
const LIST_SPLIT = /,\s*|\s+(?:and|or|vs\.?|versus)\s+/gi;

/**
 * Clauses of a sentence that names several entities. Commas and "and" also cut when the next
 * words are a mention, so "A was fast, B was cheap and C crashed" gives one clause to each.
 */
function splitClauses(sentence: TextSpan, text: string, mentions: readonly TextSpan[]): TextSpan[] {
  const body = text.slice(sentence.start, sentence.end);
  const cuts: { at: number; to: number }[] = [];
  CLAUSE_SPLIT.lastIndex = 0;
  for (let m = CLAUSE_SPLIT.exec(body); m !== null; m = CLAUSE_SPLIT.exec(body)) cuts.push({ at: m.index, to: m.index + m[0].length });
  LIST_SPLIT.lastIndex = 0;
  for (let m = LIST_SPLIT.exec(body); m !== null; m = LIST_SPLIT.exec(body)) {
    const next = sentence.start + m.index + m[0].length;
    const startsMention = mentions.some((o) => o.start >= next && o.start <= next + 4);
    if (m[0].includes(',')) cuts.push({ at: m.index, to: m.index + m[0].length });
    else if (startsMention && !isBareSubject(body, sentence.start, m.index, cuts, mentions))
      cuts.push({ at: m.index, to: m.index + m[0].length });
  }
  cuts.sort((a, b) => a.at - b.at);
  const clauses: TextSpan[] = [];
  let start = 0;
  for (const cut of cuts) {
    if (cut.at < start) continue;
    if (cut.at > start) clauses.push({ start: sentence.start + start, end: sentence.start + cut.at });
    start = cut.to;
  }
  if (start < body.length) clauses.push({ start: sentence.start + start, end: sentence.end });
  return clauses;
}

/**
 * "Opus and Sonnet have been fine": a name alone before "and"/"or" shares the statement that follows
 * with the next name, so no cut is made there.
 */
function isBareSubject(
  body: string,
  offset: number,
  at: number,
  cuts: readonly { at: number; to: number }[],
  mentions: readonly TextSpan[],
): boolean {
  let from = 0;
  for (const c of cuts) if (c.to <= at && c.to > from) from = c.to;
  const segment = body.slice(from, at);
  const lead = segment.length - segment.trimStart().length;
  const start = offset + from + lead;
  const end = offset + from + segment.trimEnd().length;
  return mentions.some((o) => o.start === start && o.end === end);
}

/**
 * The parts of the text that talk about the mention: its sentence, or only its clauses when the
 * sentence also names other entities, plus a few following sentences until another entity comes up.
 */
export function selectScope(text: string, span: TextSpan, others: readonly TextSpan[]): ScopeRange[] {
  const rivals = others.filter((o) => !overlaps(o, span));
  if (text.length <= SHORT_POST_CHARS && rivals.length === 0) return [{ start: 0, end: text.length, weight: 1 }];

  const sentences = splitSentences(text);
  let own = sentences.findIndex((s) => span.start >= s.start && span.start < s.end);
  if (own < 0) own = sentences.length - 1;
  const sentence = sentences[own];
  if (!sentence) return [{ start: 0, end: text.length, weight: 1 }];

  const ranges: ScopeRange[] = [];
  const rivalsHere = rivals.filter((o) => overlaps(o, sentence));
  if (rivalsHere.length === 0) {
    ranges.push({ ...sentence, weight: 1 });
  } else {
    ranges.push(...ownClauses(splitClauses(sentence, text, [span, ...rivalsHere]), span, rivalsHere));
  }

  for (let i = own + 1; i <= own + FOLLOWING_SENTENCES && i < sentences.length; i++) {
    const next = sentences[i];
    if (!next || rivals.some((o) => overlaps(o, next))) break;
    ranges.push({ ...next, weight: 0.75 });
  }
  return ranges;
}

function ownClauses(clauses: TextSpan[], span: TextSpan, rivals: TextSpan[]): ScopeRange[] {
  const owner = clauses.map((c) => (overlaps(c, span) ? 'self' : rivals.some((o) => overlaps(o, c)) ? 'other' : 'none'));
  const firstNamed = owner.findIndex((o) => o !== 'none');
  const picked: ScopeRange[] = [];
  let current: 'self' | 'other' | 'none' = owner[firstNamed] ?? 'self';
  clauses.forEach((clause, i) => {
    const o = owner[i] ?? 'none';
    if (o !== 'none') current = o;
    if (current === 'self') picked.push({ ...clause, weight: o === 'self' ? 1 : 0.8 });
  });
  return picked;
}
