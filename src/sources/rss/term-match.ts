import type { SearchTerm } from '../types.ts';

export interface TermMatcher {
  /** Slugs of the terms whose phrases occur in `text` as whole words, case-insensitively. */
  match(text: string): string[];
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * For feeds that cannot be searched: a phrase matches when it is not glued to a letter or digit
 * on either side, so "Cursor" finds "cursor's" but not "cursors", and "C++" still matches.
 */
export function createTermMatcher(terms: SearchTerm[]): TermMatcher {
  const patterns = terms.flatMap((term) =>
    term.phrases
      .map((phrase) => phrase.trim())
      .filter((phrase) => phrase.length > 0)
      .map((phrase) => ({
        slug: term.slug,
        regex: new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(phrase).replace(/\s+/g, '\\s+')}(?![\\p{L}\\p{N}_])`, 'iu'),
      })),
  );
  return {
    match(text) {
      const slugs = new Set<string>();
      for (const { slug, regex } of patterns) if (!slugs.has(slug) && regex.test(text)) slugs.add(slug);
      return [...slugs];
    },
  };
}
