import type { SearchTerm } from '../types.ts';

/** Every distinct phrase of the tracked terms, lowercased and trimmed. */
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

/**
 * Case-insensitive whole-word test for any phrase in the text, or a tag equal to a phrase with its
 * spaces and dashes removed (Dev.to tags are single lowercase words: "claudecode").
 */
export function compileArticleMatcher(phrases: readonly string[]): (text: string, tags: readonly string[]) => boolean {
  if (phrases.length === 0) return () => false;
  const alternatives = phrases.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '[\\s\\-_]+'));
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'iu');
  const tagForms = new Set(phrases.map((p) => p.replace(/[\s\-_.]+/g, '')));
  return (text, tags) => pattern.test(text) || tags.some((tag) => tagForms.has(tag.toLowerCase()));
}
