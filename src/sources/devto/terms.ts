import { compilePhraseMatcher } from '../terms.ts';

/**
 * Case-insensitive whole-word test for any phrase in the text, or a tag equal to a phrase with its
 * spaces and dashes removed (Dev.to tags are single lowercase words: "claudecode").
 */
export function compileArticleMatcher(phrases: readonly string[]): (text: string, tags: readonly string[]) => boolean {
  if (phrases.length === 0) return () => false;
  const inText = compilePhraseMatcher(phrases);
  const tagForms = new Set(phrases.map((p) => p.replace(/[\s\-_.]+/g, '')));
  return (text, tags) => inText(text) || tags.some((tag) => tagForms.has(tag.toLowerCase()));
}
