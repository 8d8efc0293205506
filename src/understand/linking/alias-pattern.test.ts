import { describe, expect, it } from 'vitest';
import { compileAliasPattern, listAliasKeys, readLiteralPrefix, readWordKey, toNumericKey } from './alias-pattern.ts';

function matchAt(alias: string, text: string, caseSensitive = false): string | null {
  const pattern = compileAliasPattern(alias, caseSensitive);
  pattern.lastIndex = 0;
  return pattern.exec(text)?.[0] ?? null;
}

describe('compileAliasPattern', () => {
  it('lets a space in the alias match a space, a dash, an underscore or nothing', () => {
    for (const text of ['Claude Code', 'claude-code', 'claude_code', 'ClaudeCode']) {
      expect(matchAt('Claude Code', text)).toBe(text);
    }
  });

  it('matches version numbers where the alias says {v}', () => {
    expect(matchAt('Sonnet {v}', 'Sonnet 4.5 rocks')).toBe('Sonnet 4.5');
    expect(matchAt('Claude {v} Sonnet', 'claude-3-5-sonnet-20241022')).toBe('claude-3-5-sonnet');
    expect(matchAt('Qwen {v}', 'Qwen2.5-Coder')).toBe('Qwen2.5');
  });

  it('requires a word boundary after the alias, allowing a possessive and sentence punctuation', () => {
    expect(matchAt('Cursor', 'Cursors')).toBeNull();
    expect(matchAt('Cursor', "Cursor's")).toBe('Cursor');
    expect(matchAt('Cursor', 'Cursor.')).toBe('Cursor');
    expect(matchAt('Cursor', 'cursor.execute()')).toBeNull();
    expect(matchAt('v0', 'v0.1')).toBeNull();
  });

  it('takes a parameter count glued to a version or to the end of the alias', () => {
    expect(matchAt('Llama {v}', 'llama70b is enough')).toBe('llama70b');
    expect(matchAt('Qwen {v}', 'Qwen 32B')).toBe('Qwen 32B');
    expect(matchAt('Qwen {v} Coder', 'qwen3coder30b-a3b')).toBe('qwen3coder30b');
    expect(matchAt('Qwen {v}', 'qwen3bit')).toBeNull();
  });

  it('takes versions joined by slashes and a non-breaking hyphen as a separator', () => {
    expect(matchAt('Claude {v} Sonnet', 'Claude 3.5/3.7/4 Sonnet')).toBe('Claude 3.5/3.7/4 Sonnet');
    expect(matchAt('GPT-5', 'GPT\u20115 is out')).toBe('GPT\u20115');
  });

  it('treats Han, kana and Hangul as a boundary after a name', () => {
    expect(matchAt('Cursor', 'cursor之前')).toBe('cursor');
    expect(matchAt('Cursor', 'cursorx')).toBeNull();
  });

  it('lets a firm name take a glued plural or possessive "s" when asked', () => {
    expect(compileAliasPattern('ChatGPT', false, true).exec('ChatGPTs app')?.[0]).toBe('ChatGPTs');
    expect(compileAliasPattern('Cursor', false).exec('Cursors')).toBeNull();
  });

  it('honours case sensitivity', () => {
    expect(matchAt('Amp', 'amp', true)).toBeNull();
    expect(matchAt('Amp', 'Amp', true)).toBe('Amp');
    expect(matchAt('Amp', 'AMP')).toBe('AMP');
  });
});

describe('listAliasKeys and readWordKey', () => {
  it('file an alias under the first two characters of its first word, as a text word is looked up', () => {
    expect(listAliasKeys('Claude Code')).toEqual(['cl']);
    expect(readWordKey('see ClaudeCode', 4, 14)).toBe(toNumericKey('cl'));
    expect(listAliasKeys('LM Studio')).toEqual(['lm']);
    expect(readWordKey('LMStudio', 0, 8)).toBe(toNumericKey('lm'));
  });

  it('file a one-character first word under itself and every two-character continuation', () => {
    const keys = listAliasKeys('Q Developer');
    expect(keys).toContain('q');
    expect(keys).toContain('qd');
  });
});

describe('readLiteralPrefix', () => {
  it('returns the alias up to its first separator or version slot, lower-cased', () => {
    expect(readLiteralPrefix('Claude {v} Sonnet')).toBe('claude');
    expect(readLiteralPrefix('Bolt.new')).toBe('bolt.new');
    expect(readLiteralPrefix('GPT-4o')).toBe('gpt');
  });
});
