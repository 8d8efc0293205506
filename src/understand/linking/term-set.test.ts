import { describe, expect, it } from 'vitest';
import { TermIndex, tokenizeWords } from './term-set.ts';

function countIn(terms: string[], text: string, from = 0, to = text.length, skipFrom = -1, skipTo = -1): number {
  const index = new TermIndex();
  const set = index.addSet(terms);
  return index.scan(text, tokenizeWords(text)).count(set, from, to, skipFrom, skipTo);
}

describe('tokenizeWords', () => {
  it('splits on anything but letters, digits and underscore, lower-cases, and keeps offsets', () => {
    expect(tokenizeWords('Hi, VS-Code_x é!')).toEqual({ starts: [0, 4, 7, 14], ends: [2, 6, 13, 15], words: ['hi', 'vs', 'code_x', 'é'] });
  });
});

describe('TermIndex', () => {
  it('counts distinct terms, tolerating a plural and treating singular and plural entries as one clue', () => {
    expect(countIn(['editor', 'editors', 'ide'], 'Two editors and an editor, no IDEs? IDE!')).toBe(2);
  });

  it('matches phrases word by word, including terms written with inner punctuation', () => {
    expect(countIn(['vs code', 'claude.md', 'gpt-5'], 'Open VS Code, edit CLAUDE.md, ask gpt 5')).toBe(3);
    expect(countIn(['vs code'], 'vs the code')).toBe(0);
  });

  it('measures the gap to the nearest term inside a range, skipping the span itself', () => {
    const text = 'the team at Acme released it';
    const index = new TermIndex();
    const set = index.addSet(['team', 'released']);
    const terms = index.scan(text, tokenizeWords(text));
    const at = text.indexOf('Acme');
    expect(terms.distance(set, at, at + 4, 0, text.length)).toBe(1);
    expect(terms.distance(set, at, at + 4, at, text.length)).toBe(1);
    expect(terms.distance(set, at, at + 4, at, at + 6)).toBe(Infinity);
  });

  it('matches terms with outer punctuation exactly', () => {
    expect(countIn(['cc:', '/init'], 'CC: ops team, then run /init')).toBe(2);
    expect(countIn(['cc:'], 'CC is great')).toBe(0);
  });

  it('counts only inside the range and outside the skipped span', () => {
    const text = 'editor Cursor ide';
    expect(countIn(['editor', 'ide', 'cursor'], text, 0, text.length, 7, 13)).toBe(2);
    expect(countIn(['editor', 'ide'], text, 7, text.length)).toBe(1);
  });

  it('keeps the lists of different sets apart', () => {
    const index = new TermIndex();
    const a = index.addSet(['mouse']);
    const b = index.addSet(['editor']);
    const terms = index.scan('mouse mouse', tokenizeWords('mouse mouse'));
    expect([terms.count(a, 0, 11), terms.count(b, 0, 11)]).toEqual([1, 0]);
  });
});
