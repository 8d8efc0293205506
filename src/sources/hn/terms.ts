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

/** A phrase as Algolia needs it to match the words together; inner quotes would end the phrase. */
export function quotePhrase(phrase: string): string {
  return `"${phrase.replace(/"/g, ' ').trim()}"`;
}

/**
 * Case-insensitive whole-word test for any of the phrases. Boundaries are "not a letter or digit"
 * rather than \b so phrases ending in symbols ("c++", ".net") still match.
 */
export function compilePhraseMatcher(phrases: readonly string[]): (text: string) => boolean {
  if (phrases.length === 0) return () => false;
  const alternatives = phrases.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '[\\s\\-_]+'));
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'iu');
  return (text) => pattern.test(text);
}
