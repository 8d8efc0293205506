/**
 * Blanks out the parts of a post that are not prose: fenced code blocks (``` or ~~~), indented code
 * blocks (4 spaces or a tab after a blank line), `inline code` (a run of backticks closed by a run
 * of the same length in the same paragraph, so a flattened ```sh ... ``` block counts; an escaped \`
 * opens nothing), URLs, and file names with a data, archive, script or config extension
 * ("Qwen3-8B-Q4_K_M.gguf", "claude-logs.tar.gz"). Every masked character except a newline becomes a
 * space, so offsets into the result are offsets into the original.
 */

const URL_PATTERN = /\b(?:https?|ftp):\/\/[^\s<>"'`)\]]+|\bwww\.[^\s<>"'`)\]]+/gi;
/** Sentence punctuation right after a URL belongs to the sentence. */
const URL_TRAILING_PUNCTUATION = /[.,;:!?]+$/;
/** An extension that makes the word before it a file name; Markdown (CLAUDE.md) stays prose. */
const FILE_EXTENSION =
  /\.(?:gguf|ggml|safetensors|onnx|ckpt|pth?|bin|tar\.gz|tgz|gz|zip|7z|exe|dmg|msi|deb|ps1|bat|py|ipynb|jsonl?|ya?ml|toml|ini|log|csv)(?![\p{L}\p{N}_])(?!\.[\p{L}\p{N}_])/giu;
const FILE_NAME_CHAR = /[\p{L}\p{N}_.\-+@]/u;
/** A code span may wrap onto the next line but not past a blank line; a stray backtick opens nothing far away. */
const MAX_CODE_SPAN = 2000;
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

/** CommonMark code spans within a paragraph: a run of n backticks up to the next run of exactly n. */
function addInlineCodeRanges(text: string, ranges: Range[]): void {
  let i = text.indexOf('`');
  while (i !== -1) {
    let runEnd = i + 1;
    while (text[runEnd] === '`') runEnd += 1;
    const size = runEnd - i;
    let next = runEnd;
    if (text[i - 1] !== '\\') {
      const paragraphEnd = text.indexOf('\n\n', runEnd);
      const limit = Math.min(paragraphEnd === -1 ? text.length : paragraphEnd, runEnd + MAX_CODE_SPAN);
      let j = text.indexOf('`', runEnd);
      while (j !== -1 && j < limit) {
        let k = j + 1;
        while (text[k] === '`') k += 1;
        if (k - j === size) {
          ranges.push({ start: i, end: k });
          next = k;
          break;
        }
        j = text.indexOf('`', k);
      }
    }
    i = text.indexOf('`', next);
  }
}

/** "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf": the whole file name, found from its extension backwards. */
function addFileNameRanges(text: string, ranges: Range[]): void {
  FILE_EXTENSION.lastIndex = 0;
  for (let m = FILE_EXTENSION.exec(text); m !== null; m = FILE_EXTENSION.exec(text)) {
    let start = m.index;
    while (start > 0 && FILE_NAME_CHAR.test(text[start - 1] ?? '')) start -= 1;
    if (start < m.index) ranges.push({ start, end: m.index + m[0].length });
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
  const hasDot = text.includes('.');
  if (!hasBackticks && !hasTildes && !hasUrl && !hasIndent && !hasDot) return text;

  const ranges: Range[] = [];
  if (hasBackticks || hasTildes || hasIndent) findCodeLineRanges(text, ranges);
  if (hasBackticks) addInlineCodeRanges(text, ranges);
  if (hasUrl) addPatternRanges(text, URL_PATTERN, ranges, URL_TRAILING_PUNCTUATION);
  if (hasDot) addFileNameRanges(text, ranges);
  if (ranges.length === 0) return text;

  const chars = text.split('');
  for (const range of ranges) {
    for (let i = range.start; i < range.end; i += 1) {
      if (chars[i] !== '\n') chars[i] = ' ';
    }
  }
  return chars.join('');
}
