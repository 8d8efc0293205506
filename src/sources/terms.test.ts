import { describe, expect, it } from 'vitest';
import { compilePhraseMatcher, createTermMatcher, listPhrases, quotePhrase, rankQuotedPhrases } from './terms.ts';

describe('listPhrases', () => {
  it('lists distinct lowercased phrases across terms in first-seen order', () => {
    expect(
      listPhrases([
        { slug: 'a', phrases: ['Claude  Code', 'claude code'] },
        { slug: 'b', phrases: [' Cursor ', ''] },
      ]),
    ).toEqual(['claude code', 'cursor']);
  });
});

describe('quotePhrase', () => {
  it('quotes a phrase and drops inner quotes', () => {
    expect(quotePhrase('say "hi" now')).toBe('"say  hi  now"');
  });
});

describe('rankQuotedPhrases', () => {
  it('quotes each distinct phrase once, every first phrase before any second', () => {
    const terms = [
      { slug: 'claude-code', phrases: ['Claude Code', 'claude-code', 'Claude  code'] },
      { slug: 'cursor', phrases: ['Cursor', 'Cursor IDE'] },
      { slug: 'copilot', phrases: ['GitHub Copilot', 'cursor'] },
      { slug: 'odd', phrases: ['"'] },
    ];
    expect(rankQuotedPhrases(terms)).toEqual([
      ['"claude code"', '"cursor"', '"github copilot"'],
      ['"claude-code"', '"cursor ide"'],
    ]);
    expect(rankQuotedPhrases([])).toEqual([]);
  });
});

describe('compilePhraseMatcher', () => {
  const matches = compilePhraseMatcher(['claude code', 'c++', 'cursor']);
  it.each([
    ['Trying Claude Code today', true],
    ['trying claude-code today', true],
    ["Cursor's new agent", true],
    ['two cursors on screen', false],
    ['modern C++ tips', true],
    ['claudecode', false],
  ])('%s -> %s', (text, expected) => {
    expect(matches(text)).toBe(expected);
  });

  it('matches nothing without phrases', () => {
    expect(compilePhraseMatcher([])('anything')).toBe(false);
  });
});

describe('createTermMatcher', () => {
  it('names each term whose phrase occurs', () => {
    const matcher = createTermMatcher([
      { slug: 'cursor', phrases: ['Cursor'] },
      { slug: 'zed', phrases: ['Zed'] },
      { slug: 'aider', phrases: ['aider'] },
    ]);
    expect(matcher.match('Moved from Cursor to Zed last week')).toEqual(['cursor', 'zed']);
  });
});
