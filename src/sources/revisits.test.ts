import { describe, expect, it } from 'vitest';
import { pickRevisits, trimRevisits } from './revisits.ts';

describe('trimRevisits', () => {
  it('keeps the newest tracked items inside the window, and only their read times', () => {
    const state = { tracked: { a: 100, b: 200, c: 300, d: 50 }, revisited: { a: 400, c: 500, d: 60 } };
    expect(trimRevisits(state, 100, 2)).toEqual({ tracked: { c: 300, b: 200 }, revisited: { c: 500 } });
    expect(trimRevisits(state, 0, 0)).toEqual({ tracked: {}, revisited: {} });
  });
});

describe('pickRevisits', () => {
  it('takes never-read items first, then the least recently read, newer first on a tie, skipping fresh reads', () => {
    const state = { tracked: { a: 100, b: 200, c: 300, d: 400, e: 500 }, revisited: { a: 50, b: 10, c: 10, e: 900 } };
    expect(pickRevisits(state, new Set(), 800, 10)).toEqual(['d', 'c', 'b', 'a']);
    expect(pickRevisits(state, new Set(['d']), 800, 2)).toEqual(['c', 'b']);
  });
});
