import { describe, expect, it } from 'vitest';
import type { NormalizedPost } from '../core/post.ts';
import { drain, makeContext, type LoggedLine } from '../../test/support/source-harness.ts';
import { collectPosts, computeProgress, resumeThenWalk, runEachTarget, toBatch, type MappedItem } from './batching.ts';
import { UpstreamError } from './http.ts';
import type { SourceBatch } from './types.ts';

const NOW = new Date('2026-03-02T12:00:00Z');

const post = (externalId: string): NormalizedPost => ({
  source: 'hn',
  externalId,
  url: null,
  author: null,
  title: null,
  body: 'text',
  createdAt: NOW,
  score: null,
  comments: null,
  parentId: null,
  threadId: null,
});

const batchOf = (queryKey: string): SourceBatch => toBatch(queryKey, { posts: [], rejected: [], fetched: 0 }, null);

describe('collectPosts', () => {
  it('keeps rejections, leaves dropped items out and takes each post once per run', () => {
    const seen = new Set<string>();
    const items: MappedItem[] = [
      { kind: 'post', post: post('1') },
      { kind: 'rejected', rejection: { externalId: '2', reason: 'bad shape' } },
      { kind: 'dropped' },
      { kind: 'post', post: post('1') },
    ];
    const first = collectPosts(items, seen);
    expect(first.posts.map((p) => p.externalId)).toEqual(['1']);
    expect(first.rejected).toEqual([{ externalId: '2', reason: 'bad shape' }]);
    expect(
      collectPosts(
        [
          { kind: 'post', post: post('1') },
          { kind: 'post', post: post('3') },
        ],
        seen,
      ).posts.map((p) => p.externalId),
    ).toEqual(['3']);
  });
});

describe('toBatch', () => {
  it('builds a batch with no events, and sets progress only when given', () => {
    const page = { posts: [post('1')], rejected: [], fetched: 5 };
    expect(toBatch('q', page, { hw: 1 })).toStrictEqual({
      queryKey: 'q',
      posts: page.posts,
      events: [],
      rejected: [],
      fetched: 5,
      cursor: { hw: 1 },
    });
    expect(toBatch('q', page, null, 0.5).progress).toBe(0.5);
  });
});

describe('computeProgress', () => {
  const window = { since: 100, until: 200 };
  it('weighs the walked part of the window by the query share', () => {
    expect(computeProgress({ index: 1, count: 4 }, window, 150, false)).toBe((1 + 0.5) / 4);
  });
  it('counts a finished query whole and one with nothing seen yet as not started', () => {
    expect(computeProgress({ index: 1, count: 4 }, window, 180, true)).toBe(2 / 4);
    expect(computeProgress({ index: 1, count: 4 }, window, null, false)).toBe(1 / 4);
  });
  it('clamps instants outside the window', () => {
    expect(computeProgress({ index: 0, count: 1 }, window, 50, false)).toBe(1);
    expect(computeProgress({ index: 0, count: 1 }, window, 250, false)).toBe(0);
  });
});

describe('resumeThenWalk', () => {
  const walker = (calls: string[], finishes: boolean) =>
    async function* (resume: { top: number; page: number } | null, hwm: number | null): AsyncGenerator<SourceBatch, boolean> {
      calls.push(`${resume ? `resume page ${resume.page}` : 'fresh'} down to ${hwm}`);
      yield batchOf('q');
      return resume ? finishes : true;
    };

  it('finishes a stored walk down to the old mark, then walks fresh down to that walk top', async () => {
    const calls: string[] = [];
    const { batches } = await drain(resumeThenWalk({ hwm: 10, walk: { top: 30, page: 3 } }, walker(calls, true)));
    expect(calls).toEqual(['resume page 3 down to 10', 'fresh down to 30']);
    expect(batches).toHaveLength(2);
  });

  it('stops when the stored walk runs out of budget, and walks fresh when none was stored', async () => {
    const stopped: string[] = [];
    await drain(resumeThenWalk({ hwm: 10, walk: { top: 30, page: 3 } }, walker(stopped, false)));
    expect(stopped).toEqual(['resume page 3 down to 10']);
    const fresh: string[] = [];
    await drain(resumeThenWalk<number, { top: number; page: number }>({ hwm: 10, walk: null }, walker(fresh, true)));
    expect(fresh).toEqual(['fresh down to 10']);
  });
});

describe('runEachTarget', () => {
  const names = { one: 'feed', many: 'feeds', source: 'rss' };
  async function* failOn(target: string): AsyncGenerator<SourceBatch> {
    if (target.includes('bad')) throw new Error(`${target} broke`);
    yield batchOf(target);
  }

  it('runs the other targets after one fails, then throws the failures together', async () => {
    const logs: LoggedLine[] = [];
    const { batches, error } = await drain(runEachTarget(makeContext([], NOW, logs), ['a', 'bad1', 'b'], (t) => `u/${t}`, names, failOn));
    expect(batches.map((b) => b.queryKey)).toEqual(['a', 'b']);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).message).toBe('1 of 3 feeds failed: u/bad1: bad1 broke');
    expect((error as UpstreamError).url).toBe('rss:feeds');
    expect(logs).toEqual([{ level: 'warn', msg: 'feed failed' }]);
  });

  it('names the one target as the failing url when there is only one', async () => {
    const { error } = await drain(runEachTarget(makeContext([], NOW), ['bad'], (t) => `u/${t}`, names, failOn));
    expect((error as UpstreamError).url).toBe('u/bad');
  });

  it('runs nothing once the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const ctx = { ...makeContext([], NOW), signal: controller.signal };
    const { batches, error } = await drain(runEachTarget(ctx, ['a', 'b'], (t) => t, names, failOn));
    expect(batches).toEqual([]);
    expect(error).toBeNull();
  });
});
