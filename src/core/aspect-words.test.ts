import { describe, expect, it } from 'vitest';
import { aspectWords } from './aspect-words.ts';

describe('aspectWords', () => {
  it('writes an aspect as the words a sentence needs', () => {
    expect(['code_quality', 'context_window', 'limits', 'ux', 'my-aspect'].map(aspectWords)).toEqual([
      'code quality',
      'context window',
      'limits',
      'UX',
      'my aspect',
    ]);
  });
});
