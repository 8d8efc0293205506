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

function addForms(map: Map<string, number>, word: string, term: number): void {
  for (const form of [word, `${word}s`, `${word}es`]) if (!map.has(form)) map.set(form, term);
}

interface Posting {
  set: number;
  /** Words that must follow the first one; the last of them may be plural. Empty for a one-word term. */
  middle: string[];
  last: Map<string, number> | null;
  term: number;
}

interface Hit {
  start: number;
  end: number;
  term: number;
}

/** Hits are recorded in text order, so a range starts with a binary search. */
function firstHitAtOrAfter(hits: Hit[], offset: number): number {
  let lo = 0;
  let hi = hits.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((hits[mid]?.start ?? 0) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const TOKENIZABLE_TERM = /^[\p{L}\p{N}_]+(?:[ .'’-][\p{L}\p{N}_]+)*$/u;

/**
 * Every context and anti-context list of every entity in one inverted index, so a post's words are
 * looked up once whatever the number of entities. Words and phrases match token by token (a final
 * plural "s"/"es" is tolerated); terms with outer punctuation ("cc:", "/init", "$10") use a regex.
 */
export class TermIndex {
  private readonly postings = new Map<string, Posting[]>();
  private readonly punctuated: Array<RegExp | null> = [];
  private nextTerm = 0;

  /** Registers a list of terms and returns the id to count it by. */
  addSet(terms: string[]): number {
    const set = this.punctuated.length;
    const cleaned = [...new Set(terms.map((t) => t.trim().toLowerCase()).filter((t) => t.length > 0))];
    const other: string[] = [];
    const claimedForms = new Set<string>();
    for (const term of cleaned) {
      if (!TOKENIZABLE_TERM.test(term)) {
        other.push(term);
        continue;
      }
      const words = term.split(/[^\p{L}\p{N}_]+/u);
      const id = this.nextTerm++;
      const first = words[0] ?? '';
      if (words.length === 1) {
        const forms = new Map<string, number>();
        addForms(forms, first, id);
        for (const form of forms.keys()) {
          // "spreadsheet" and "spreadsheets" in one list are one clue, not two.
          if (claimedForms.has(form)) continue;
          claimedForms.add(form);
          this.addPosting(form, { set, middle: [], last: null, term: id });
        }
        continue;
      }
      const last = new Map<string, number>();
      addForms(last, words[words.length - 1] ?? '', id);
      this.addPosting(first, { set, middle: words.slice(1, -1), last, term: id });
    }
    other.sort((a, b) => b.length - a.length);
    this.punctuated.push(
      other.length === 0 ? null : new RegExp(`(?<![\\p{L}\\p{N}_])(?:${other.map(escapeTerm).join('|')})(?![\\p{L}\\p{N}_])`, 'giu'),
    );
    return set;
  }

  private addPosting(word: string, posting: Posting): void {
    const list = this.postings.get(word) ?? [];
    list.push(posting);
    this.postings.set(word, list);
  }

  /** Finds every term of every set in the text once; counting is then a walk over a few hits. */
  scan(text: string, tokens: WordTokens): DocumentTerms {
    const hits = new Map<number, Hit[]>();
    const { starts, ends, words } = tokens;
    for (let i = 0; i < words.length; i += 1) {
      const postings = this.postings.get(words[i] ?? '');
      if (postings === undefined) continue;
      for (const p of postings) {
        let end = ends[i] ?? 0;
        if (p.last !== null) {
          if (!p.middle.every((w, k) => words[i + 1 + k] === w)) continue;
          const lastAt = i + 1 + p.middle.length;
          if (p.last.get(words[lastAt] ?? '') === undefined) continue;
          end = ends[lastAt] ?? end;
        }
        const list = hits.get(p.set) ?? [];
        list.push({ start: starts[i] ?? 0, end, term: p.term });
        hits.set(p.set, list);
      }
    }
    return new DocumentTerms(text, hits, this.punctuated);
  }
}

/** The term hits of one post. */
export class DocumentTerms {
  private readonly text: string;
  private readonly hits: Map<number, Hit[]>;
  private readonly punctuated: Array<RegExp | null>;

  constructor(text: string, hits: Map<number, Hit[]>, punctuated: Array<RegExp | null>) {
    this.text = text;
    this.hits = hits;
    this.punctuated = punctuated;
  }

  /** Distinct terms of `set` inside [from, to), not overlapping [skipFrom, skipTo). */
  count(set: number, from: number, to: number, skipFrom = -1, skipTo = -1): number {
    let found: Set<number | string> | null = null;
    const hits = this.hits.get(set) ?? [];
    for (let i = firstHitAtOrAfter(hits, from); i < hits.length; i += 1) {
      const hit = hits[i];
      if (hit === undefined || hit.start >= to) break;
      if (hit.end > to || (hit.start < skipTo && hit.end > skipFrom)) continue;
      (found ??= new Set()).add(hit.term);
    }
    const pattern = this.punctuated[set];
    if (pattern) {
      const parts = skipFrom >= 0 ? [this.text.slice(from, skipFrom), this.text.slice(skipTo, to)] : [this.text.slice(from, to)];
      for (const part of parts) {
        pattern.lastIndex = 0;
        for (let m = pattern.exec(part); m !== null; m = pattern.exec(part)) (found ??= new Set()).add(m[0].toLowerCase());
      }
    }
    return found?.size ?? 0;
  }

  /** Characters between [start, end) and the nearest term of `set` inside [from, to), or Infinity. */
  distance(set: number, start: number, end: number, from: number, to: number): number {
    let best = Infinity;
    const measure = (hitStart: number, hitEnd: number): void => {
      if (hitEnd > to || (hitStart < end && hitEnd > start)) return;
      const gap = hitEnd <= start ? start - hitEnd : hitStart - end;
      if (gap < best) best = gap;
    };
    const hits = this.hits.get(set) ?? [];
    for (let i = firstHitAtOrAfter(hits, from); i < hits.length; i += 1) {
      const hit = hits[i];
      if (hit === undefined || hit.start >= to) break;
      measure(hit.start, hit.end);
    }
    const pattern = this.punctuated[set];
    if (pattern) {
      const part = this.text.slice(from, to);
      pattern.lastIndex = 0;
      for (let m = pattern.exec(part); m !== null; m = pattern.exec(part)) measure(from + m.index, from + m.index + m[0].length);
    }
    return best;
  }
}
