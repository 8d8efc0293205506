import { describe, expect, it } from 'vitest';
import { maskNonProse } from './mask-non-prose.ts';

describe('maskNonProse', () => {
  it('returns prose unchanged', () => {
    const text = 'Cursor is fine.\nClaude is better.';
    expect(maskNonProse(text)).toBe(text);
  });

  it('blanks fenced code blocks, keeping length and newlines', () => {
    const text = 'before\n```ts\nconst cursor = db.cursor();\n```\nafter';
    const masked = maskNonProse(text);
    expect(masked.length).toBe(text.length);
    expect(masked).not.toContain('cursor');
    expect(masked.startsWith('before\n')).toBe(true);
    expect(masked.endsWith('\nafter')).toBe(true);
    expect(masked.split('\n').length).toBe(text.split('\n').length);
  });

  it('blanks an unclosed fence to the end of the text', () => {
    expect(maskNonProse('text\n~~~\ngemini run')).toBe('text\n   \n          ');
  });

  it('blanks inline code but not the prose around it', () => {
    expect(maskNonProse('run `ollama pull qwen` then ask Qwen')).toBe('run                    then ask Qwen');
  });

  it('blanks indented code after a blank line, not an indented continuation line', () => {
    const code = maskNonProse('Setup:\n\n    aider --model sonnet\n    aider --yes');
    expect(code).not.toMatch(/aider/);
    const continuation = 'A list item\n    continued with Aider here';
    expect(maskNonProse(continuation)).toBe(continuation);
  });

  it('blanks URLs with a scheme or www. and keeps the sentence punctuation after them', () => {
    expect(maskNonProse('See https://cursor.com/pricing.')).toBe(`See ${' '.repeat(26)}.`);
    expect(maskNonProse('(www.github.com/features/copilot)')).toBe(`(${' '.repeat(31)})`);
  });
});
