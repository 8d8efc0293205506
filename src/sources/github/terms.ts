import type { SearchTerm } from '../types.ts';

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

/** GitHub search wants phrases in double quotes; an inner quote would end the phrase early. */
export function quotePhrase(phrase: string): string {
  return `"${phrase.replace(/"/g, ' ').trim()}"`;
}

/** Search qualifiers want second-precision UTC timestamps. */
export function toSearchTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
