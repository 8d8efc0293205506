import { describe, expect, it } from 'vitest';
import { createTermMatcher } from './terms.ts';

const matcher = createTermMatcher([
  { slug: 'claude-code', phrases: ['Claude Code', 'claude-code'] },
  { slug: 'cursor', phrases: ['Cursor'] },
  { slug: 'cpp', phrases: ['C++'] },
]);

describe('createTermMatcher', () => {
  it('matches phrases case-insensitively across any whitespace', () => {
    expect(matcher.match('Tried CLAUDE\n  code today')).toEqual(['claude-code']);
  });

  it('matches whole words only, possessives included', () => {
    expect(matcher.match("Cursor's new agent")).toEqual(['cursor']);
    expect(matcher.match('moving the cursors around')).toEqual([]);
    expect(matcher.match('precursor')).toEqual([]);
  });

  it('matches phrases that end in punctuation', () => {
    expect(matcher.match('Modern C++ tooling')).toEqual(['cpp']);
  });

  it('reports each term once, in the order it was given', () => {
    expect(matcher.match('claude-code vs Claude Code vs Cursor')).toEqual(['claude-code', 'cursor']);
  });

  it('matches nothing without terms', () => {
    expect(createTermMatcher([]).match('Claude Code')).toEqual([]);
  });
});
