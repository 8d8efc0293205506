import type { SearchTerm } from './types.ts';

/** Every distinct phrase of the tracked terms, lowercased and trimmed, in first-seen order. */
export function listPhrases(terms: readonly SearchTerm[]): string[] {
  const phrases = new Set<string>();
  for (const term of terms) {
    for (const phrase of term.phrases) {
      const clean = phrase.trim().replace(/\s+/g, ' ').toLowerCase();
      if (clean) phrases.add(clean);
    }
  }
  return [...phrases];
}

/** A phrase as search APIs need it to match its words together; an inner quote would end it early. */
export function quotePhrase(phrase: string): string {
  return `"${phrase.replace(/"/g, ' ').trim()}"`;
}

/**
 * The tracked phrases quoted for a search API, each once, grouped by rank: every term's first
 * distinct phrase in the first group, its second in the next, and so on. Searching group by group
 * serves every main name before any alias when a rate or quota budget runs short.
 */
export function rankQuotedPhrases(terms: readonly SearchTerm[]): string[][] {
  const perTerm = terms.map((term) =>
    listPhrases([term])
      .map(quotePhrase)
      .filter((quoted) => quoted !== '""'),
  );
  const depth = Math.max(0, ...perTerm.map((quoted) => quoted.length));
  const taken = new Set<string>();
  const ranks: string[][] = [];
  for (let rank = 0; rank < depth; rank++) {
    const group: string[] = [];
    for (const quoted of perTerm) {
      const phrase = quoted[rank];
      if (phrase === undefined || taken.has(phrase)) continue;
      taken.add(phrase);
      group.push(phrase);
    }
    ranks.push(group);
  }
  return ranks;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A whole-word, case-insensitive pattern for one phrase. Boundaries are "not a letter or digit"
 * rather than \b, so "Cursor" finds "cursor's" but not "cursors", and "C++" still matches.
 */
function phrasePattern(phrase: string): string {
  return `(?<![\\p{L}\\p{N}_])${escapeRegExp(phrase.trim()).replace(/\s+/g, '[\\s\\-_]+')}(?![\\p{L}\\p{N}_])`;
}

/** True when the text holds any of the phrases as whole words. */
export function compilePhraseMatcher(phrases: readonly string[]): (text: string) => boolean {
  const usable = phrases.filter((p) => p.trim().length > 0);
  if (usable.length === 0) return () => false;
  const pattern = new RegExp(usable.map(phrasePattern).join('|'), 'iu');
  return (text) => pattern.test(text);
}

export interface TermMatcher {
  /** Slugs of the terms whose phrases occur in `text` as whole words, case-insensitively. */
  match(text: string): string[];
}

/** For feeds that cannot be searched: which tracked terms an item mentions. */
export function createTermMatcher(terms: readonly SearchTerm[]): TermMatcher {
  const patterns = terms.map((term) => ({ slug: term.slug, test: compilePhraseMatcher(term.phrases) }));
  return { match: (text) => patterns.filter((p) => p.test(text)).map((p) => p.slug) };
}
