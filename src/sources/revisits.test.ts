import { describe, expect, it } from 'vitest';
import { pickRevisits, revisitDue, trimRevisits } from './revisits.ts';

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

describe('revisitDue', () => {
  const post = (id: string) => ({
    source: 'reddit',
    externalId: id,
    url: null,
    author: null,
    title: null,
    body: 'x',
    createdAt: new Date(0),
    score: null,
    comments: null,
    parentId: null,
    threadId: null,
  });

  it('reads the due trees, records each read, keeps what they hold and stops tracking a deleted item', async () => {
    const cursor = { hw: 7, tracked: { a: 100, b: 200, c: 300 }, revisited: { c: 950 } };
    const reads: string[] = [];
    const round = await revisitDue(cursor, new Set(), 1000, { afterS: 60, perPoll: 5 }, async (id) => {
      reads.push(id);
      if (id === 'a') return { kind: 'gone' };
      if (id === 'b') return { kind: 'read', posts: [post('b1')], rejected: [{ externalId: 'b2', reason: 'bad' }], fetched: 2 };
      return { kind: 'failed' };
    });
    expect(reads).toEqual(['b', 'a']);
    expect(round?.found).toEqual({ posts: [post('b1')], rejected: [{ externalId: 'b2', reason: 'bad' }], fetched: 2 });
    expect(round?.cursor).toEqual({ hw: 7, tracked: { b: 200, c: 300 }, revisited: { b: 1000, c: 950 } });
  });

  it('answers null when nothing is due', async () => {
    const cursor = { tracked: { a: 100 }, revisited: { a: 990 } };
    expect(await revisitDue(cursor, new Set(), 1000, { afterS: 60, perPoll: 5 }, async () => ({ kind: 'failed' }))).toBeNull();
  });
});
