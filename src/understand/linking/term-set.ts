import { isWordCode } from './alias-pattern.ts';

/** The words of a text, lower-cased, with their offsets; built once per post and shared by all lookups. */
export interface WordTokens {
  starts: number[];
  ends: number[];
  words: string[];
}

export function tokenizeWords(text: string): WordTokens {
  const tokens: WordTokens = { starts: [], ends: [], words: [] };
  let i = 0;
  while (i < text.length) {
    if (!isWordCode(text.charCodeAt(i))) {
      i += 1;
      continue;
    }
    let end = i + 1;
    while (end < text.length && isWordCode(text.charCodeAt(end))) end += 1;
    tokens.starts.push(i);
    tokens.ends.push(end);
    tokens.words.push(text.slice(i, end).toLowerCase());
    i = end;
  }
  return tokens;
}

function escapeTerm(term: string): string {
  return term.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function firstTokenAtOrAfter(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((starts[mid] ?? 0) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function addForms(map: Map<string, string>, word: string, canonical: string): void {
  for (const form of [word, `${word}s`, `${word}es`]) if (!map.has(form)) map.set(form, canonical);
}

/**
 * A list of context words or phrases, counted in a span of a post. Plain words and phrases are
 * looked up token by token (a final plural "s"/"es" is tolerated); terms with punctuation
 * ("claude.md", "cc:", "$10") go through one regular expression.
 */
export class TermSet {
  /** Every accepted form of a one-word term (plural included) -> the term. */
  private readonly single = new Map<string, string>();
  /** First word of a phrase -> the words that must follow it; the last may be plural. */
  private readonly phrases = new Map<string, Array<{ middle: string[]; last: Map<string, string> }>>();
  private readonly punctuated: RegExp | null;
  readonly size: number;

  constructor(terms: string[]) {
    const cleaned = [...new Set(terms.map((t) => t.trim().toLowerCase()).filter((t) => t.length > 0))];
    this.size = cleaned.length;
    const other: string[] = [];
    for (const term of cleaned) {
      if (!/^[\p{L}\p{N}]+(?: [\p{L}\p{N}]+)*$/u.test(term)) {
        other.push(term);
        continue;
      }
      const parts = term.split(' ');
      const first = parts[0] ?? '';
      const lastWord = parts[parts.length - 1] ?? '';
      if (parts.length === 1) {
        addForms(this.single, first, term);
        continue;
      }
      const last = new Map<string, string>();
      addForms(last, lastWord, term);
      const list = this.phrases.get(first) ?? [];
      list.push({ middle: parts.slice(1, -1), last });
      this.phrases.set(first, list);
    }
    other.sort((a, b) => b.length - a.length);
    this.punctuated =
      other.length === 0
        ? null
        : new RegExp(`(?<![\\p{L}\\p{N}_])(?:${other.map(escapeTerm).join('|')})(?![\\p{L}\\p{N}_])`, 'giu');
  }

  /** Distinct terms found in [from, to) of `text`, ignoring the part [skipFrom, skipTo). */
  count(text: string, tokens: WordTokens, from: number, to: number, skipFrom = -1, skipTo = -1): number {
    if (this.size === 0) return 0;
    let found: Set<string> | null = null;
    const { starts, ends, words } = tokens;
    for (let i = firstTokenAtOrAfter(starts, from); i < words.length && (ends[i] ?? 0) <= to; i += 1) {
      if ((starts[i] ?? 0) < skipTo && (ends[i] ?? 0) > skipFrom) continue;
      const hit = this.matchAt(words, i);
      if (hit !== undefined) (found ??= new Set()).add(hit);
    }
    if (this.punctuated !== null) {
      const parts = skipFrom >= 0 ? [text.slice(from, skipFrom), text.slice(skipTo, to)] : [text.slice(from, to)];
      for (const part of parts) {
        this.punctuated.lastIndex = 0;
        for (let m = this.punctuated.exec(part); m !== null; m = this.punctuated.exec(part)) {
          (found ??= new Set()).add(m[0].toLowerCase());
        }
      }
    }
    return found?.size ?? 0;
  }

  private matchAt(words: string[], i: number): string | undefined {
    const word = words[i] ?? '';
    const phrases = this.phrases.get(word);
    if (phrases !== undefined) {
      for (const { middle, last } of phrases) {
        if (!middle.every((part, k) => words[i + 1 + k] === part)) continue;
        const hit = last.get(words[i + 1 + middle.length] ?? '');
        if (hit !== undefined) return hit;
      }
    }
    return this.single.get(word);
  }
}
