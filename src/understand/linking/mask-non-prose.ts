/**
 * Blanks out the parts of a post that are not prose: fenced code blocks (``` or ~~~), indented code
 * blocks (4 spaces or a tab after a blank line), `inline code` and URLs. Every masked character
 * except a newline becomes a space, so offsets into the result are offsets into the original.
 */

const URL_PATTERN = /\b(?:https?|ftp):\/\/[^\s<>"'`)\]]+|\bwww\.[^\s<>"'`)\]]+/gi;
/** Sentence punctuation right after a URL belongs to the sentence. */
const URL_TRAILING_PUNCTUATION = /[.,;:!?]+$/;
const INLINE_CODE_PATTERN = /``[^\n]+?``|`[^`\n]+`/g;
const FENCE_PATTERN = /^[ \t]{0,3}(`{3,}|~{3,})/;
const INDENTED_PATTERN = /^(?: {4}|\t)/;

interface Range {
  start: number;
  end: number;
}

function findCodeLineRanges(text: string, ranges: Range[]): void {
  let fence: string | null = null;
  let previousBlank = true;
  let previousIndentedCode = false;
  let lineStart = 0;
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    const blank = line.trim() === '';
    if (fence !== null) {
      ranges.push({ start: lineStart, end: lineEnd });
      const closing = FENCE_PATTERN.exec(line);
      if (closing?.[1] && closing[1][0] === fence[0] && closing[1].length >= fence.length && line.trim() === closing[1]) {
        fence = null;
      }
      previousIndentedCode = false;
    } else {
      const opening = FENCE_PATTERN.exec(line);
      if (opening?.[1]) {
        fence = opening[1];
        ranges.push({ start: lineStart, end: lineEnd });
        previousIndentedCode = false;
      } else if (!blank && INDENTED_PATTERN.test(line) && (previousBlank || previousIndentedCode)) {
        ranges.push({ start: lineStart, end: lineEnd });
        previousIndentedCode = true;
      } else if (!blank) {
        previousIndentedCode = false;
      }
    }
    previousBlank = blank;
    if (newline === -1) break;
    lineStart = newline + 1;
  }
}

function addPatternRanges(text: string, pattern: RegExp, ranges: Range[], trimTrailing?: RegExp): void {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const matched = trimTrailing ? m[0].replace(trimTrailing, '') : m[0];
    ranges.push({ start: m.index, end: m.index + matched.length });
  }
}

export function maskNonProse(text: string): string {
  const hasBackticks = text.includes('`');
  const hasTildes = text.includes('~~~');
  const hasUrl = text.includes('://') || text.includes('www.');
  const hasIndent = text.includes('\n    ') || text.includes('\n\t') || text.startsWith('    ') || text.startsWith('\t');
  if (!hasBackticks && !hasTildes && !hasUrl && !hasIndent) return text;

  const ranges: Range[] = [];
  if (hasBackticks || hasTildes || hasIndent) findCodeLineRanges(text, ranges);
  if (hasBackticks) addPatternRanges(text, INLINE_CODE_PATTERN, ranges);
  if (hasUrl) addPatternRanges(text, URL_PATTERN, ranges, URL_TRAILING_PUNCTUATION);
  if (ranges.length === 0) return text;

  const chars = text.split('');
  for (const range of ranges) {
    for (let i = range.start; i < range.end; i += 1) {
      if (chars[i] !== '\n') chars[i] = ' ';
    }
  }
  return chars.join('');
}
