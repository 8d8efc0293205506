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

  it('blanks a code span of any backtick run closed by a run of the same length in its paragraph', () => {
    const fence = '```sh claude --debug ```';
    expect(maskNonProse(`Steps: ${fence} then ask Claude`)).toBe(`Steps: ${' '.repeat(fence.length)} then ask Claude`);
    expect(maskNonProse('run ``a ` b`` now')).toBe(`run ${' '.repeat('``a ` b``'.length)} now`);
    expect(maskNonProse('one ` tick, Cursor')).toBe('one ` tick, Cursor');
    expect(maskNonProse('run `npm i -g x\ncodex` now')).toBe(`run ${' '.repeat(11)}\n${' '.repeat(6)} now`);
    expect(maskNonProse('a ` tick\n\nthen ` Codex')).toBe('a ` tick\n\nthen ` Codex');
  });

  it('does not open a code span at an escaped backtick', () => {
    const text = '\\`Does Anthropic do this on purpose? I pay for ChatGPT Plus\\`';
    expect(maskNonProse(text)).toBe(text);
  });

  it('blanks file names with a data, archive or script extension, not CLAUDE.md', () => {
    expect(maskNonProse('Loaded Qwen3-8B-Q4_K_M.gguf fine.')).toBe(`Loaded ${' '.repeat('Qwen3-8B-Q4_K_M.gguf'.length)} fine.`);
    expect(maskNonProse('see claude-logs.tar.gz')).toBe(`see ${' '.repeat('claude-logs.tar.gz'.length)}`);
    expect(maskNonProse('Edit CLAUDE.md first.')).toBe('Edit CLAUDE.md first.');
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
