/** Small readers of the text around a candidate mention. All offsets are JS string indices. */

const WORD_CHAR = /[\p{L}\p{N}_'’]/u;
const SENTENCE_END = new Set(['.', '!', '?', ':', '\n']);
const LEADING_PUNCTUATION = new Set([' ', '\t', '"', "'", '“', '‘', '*', '_', '#', '>', '(', '[', '-', '–', '—']);
const CODE_PREFIX = new Set(['$', '.', '\\', '%', '=']);

function normalizeWord(word: string): string {
  const lower = word.toLowerCase().replace(/’/g, "'");
  return /^\d+(?:[.,]\d+)?$/.test(lower) ? '<number>' : lower;
}

/** The word right before `start` on the same line, lower-cased; a hyphen may join them ("Jean-Claude"). */
export function readPreviousWord(text: string, start: number): string | null {
  let j = start - 1;
  while (j >= 0 && (text[j] === ' ' || text[j] === '\t')) j -= 1;
  if (j >= 0 && text[j] === '-' && j === start - 1) j -= 1;
  const end = j + 1;
  while (j >= 0 && WORD_CHAR.test(text[j] ?? '')) j -= 1;
  return end > j + 1 ? normalizeWord(text.slice(j + 1, end).replace(/^['’]+|['’]+$/g, '')) : null;
}

/** The word right after `end` on the same line, lower-cased, skipping a possessive "'s". */
export function readNextWord(text: string, end: number): string | null {
  let j = end;
  if ((text[j] === "'" || text[j] === '’') && text[j + 1] === 's') j += 2;
  while (j < text.length && (text[j] === ' ' || text[j] === '\t')) j += 1;
  if (text[j] === '-' && j === end) j += 1;
  const start = j;
  while (j < text.length && WORD_CHAR.test(text[j] ?? '')) j += 1;
  return j > start ? normalizeWord(text.slice(start, j).replace(/['’]s$|['’]+$/g, '')) : null;
}

/** Words that sit between a subject and its verb: "DeepSeek will probably open-source", "Cursor just can't". */
const AUXILIARIES = new Set([
  'just',
  'only',
  'probably',
  'also',
  'really',
  'actually',
  'already',
  'still',
  'even',
  'now',
  'then',
  'kinda',
  'basically',
  'clearly',
  'finally',
  'literally',
  'might',
  'may',
  'will',
  'would',
  'could',
  'should',
  'can',
  'must',
  'does',
  'did',
  'do',
  "doesn't",
  "didn't",
  "don't",
  'has',
  'have',
  'had',
  "hasn't",
  "haven't",
  'is',
  'was',
  "isn't",
  "wasn't",
  'not',
  'never',
]);

/**
 * The first word after `end` that is not an auxiliary or an adverb of the kind that sits between a
 * subject and its verb, within four words and with only spaces between: "DeepSeek will open-source"
 * gives "open-source" (a hyphen keeps a compound whole). Null when punctuation comes first.
 */
export function readVerbAfter(text: string, end: number): string | null {
  let j = end;
  if ((text[j] === "'" || text[j] === '’') && text[j + 1] === 's') return null;
  for (let words = 0; words < 4; words += 1) {
    if (text[j] !== ' ') return null;
    while (text[j] === ' ') j += 1;
    const start = j;
    while (j < text.length && (WORD_CHAR.test(text[j] ?? '') || (text[j] === '-' && WORD_CHAR.test(text[j + 1] ?? '')))) j += 1;
    if (j === start) return null;
    const word = normalizeWord(text.slice(start, j));
    if (!AUXILIARIES.has(word)) return word;
  }
  return null;
}

/** True when only opening punctuation separates `start` from the start of the text, a line or a sentence. */
export function isSentenceStart(text: string, start: number): boolean {
  let j = start - 1;
  while (j >= 0 && LEADING_PUNCTUATION.has(text[j] ?? '')) j -= 1;
  return j < 0 || SENTENCE_END.has(text[j] ?? '');
}

/** A name glued to code punctuation ("$cursor", ".claude/", "-O3" as a compiler flag) is not prose. */
export function hasCodePrefix(text: string, start: number): boolean {
  const before = text[start - 1];
  if (before === undefined) return false;
  if (CODE_PREFIX.has(before)) return true;
  return before === '-' && (start < 2 || /\s/.test(text[start - 2] ?? ''));
}

/** Sentence punctuation followed by a space, or a line break, ends a sentence ("V3.1" does not). */
function isSentenceBreak(text: string, at: number): boolean {
  const ch = text[at];
  if (ch === '\n') return true;
  return (ch === '.' || ch === '!' || ch === '?') && (text[at + 1] === ' ' || text[at + 1] === '\n' || at + 1 === text.length);
}

/** The sentence around [start, end), at most `window` characters either side of it. */
export function readSentenceBounds(text: string, start: number, end: number, window: number): { start: number; end: number } {
  let from = start;
  const floor = Math.max(0, start - window);
  while (from > floor && !isSentenceBreak(text, from - 1)) from -= 1;
  let to = end;
  const ceiling = Math.min(text.length, end + window);
  while (to < ceiling && !isSentenceBreak(text, to)) to += 1;
  return { start: from, end: to };
}
