/** An aspect as words in a sentence ("code quality", "context window", "UX"); any slug a rule names reads the same way. */
export function aspectWords(aspect: string): string {
  return aspect === 'ux' ? 'UX' : aspect.replace(/[_-]+/g, ' ');
}
