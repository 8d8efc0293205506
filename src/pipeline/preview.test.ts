import { describe, expect, it } from 'vitest';
import type { NormalizedPost } from '../core/post.ts';
import { TargetsFailedError } from '../sources/batching.ts';
import { UpstreamError } from '../sources/http.ts';
import type { CollectorSource } from '../core/post.ts';
import type { SearchTerm, Source, SourceBatch } from '../sources/types.ts';
import { createLinker, toLinkableEntities } from '../understand/linking/index.ts';
import { loadEntityRegistry } from './entities.ts';
import { listBatchItems, previewSource } from './preview.ts';

const linker = createLinker(toLinkableEntities(loadEntityRegistry()));
const quiet = { debug: () => {}, info: () => {}, warn: () => {} };

const post = (id: string, title: string, extra: Partial<NormalizedPost> = {}): NormalizedPost => ({
  source: 'rss',
  externalId: id,
  url: `https://example.com/${id}`,
  author: null,
  title,
  body: '',
  createdAt: new Date('2026-11-25T10:00:00Z'),
  score: null,
  comments: null,
  parentId: null,
  threadId: null,
  ...extra,
});

const batch = (queryKey: string, fields: Partial<SourceBatch>): SourceBatch => ({
  queryKey,
  posts: [],
  events: [],
  rejected: [],
  fetched: 0,
  cursor: null,
  ...fields,
});

/** A source that yields `batches`, then throws `failure` if given; `pulled` counts batches asked for. */
function fakeSource(name: CollectorSource, batches: SourceBatch[], failure?: Error) {
  const state = { pulled: 0, terms: [] as SearchTerm[] };
  const source: Source = {
    name,
    skipReason: () => null,
    async *poll(ctx) {
      state.terms = ctx.terms;
      for (const b of batches) {
        state.pulled++;
        yield b;
      }
      if (failure) throw failure;
    },
  };
  return { source, state };
}

const run = (source: Source, extra: { limit?: number; query?: string; signal?: AbortSignal } = {}) =>
  previewSource({
    source,
    terms: [{ slug: 'cursor', phrases: ['Cursor'] }],
    linker,
    log: quiet,
    signal: extra.signal ?? new AbortController().signal,
    ...extra,
  });

describe('listBatchItems', () => {
  it('lists every mapped item in upstream order, as a post, an event or ignored', () => {
    const [a, b, c] = [post('a', 'Cursor 2.4 released'), post('b', 'Gardening'), post('c', 'Outage resolved')];
    const items = listBatchItems(
      batch('feed:x', {
        mapped: [a, b, c],
        posts: [a],
        events: [
          { kind: 'release', source: 'rss', externalId: 'a', title: a.title!, url: null, body: null, occurredAt: a.createdAt },
          { kind: 'incident', source: 'rss', externalId: 'c', title: c.title!, url: null, body: null, occurredAt: c.createdAt },
        ],
      }),
    );
    expect(items.map((i) => [i.post.externalId, i.kind, i.event])).toEqual([
      ['a', 'post', 'release'],
      ['b', 'ignored', null],
      ['c', 'event', 'incident'],
    ]);
  });

  it('lists posts then events for a source that does not list what it read', () => {
    const items = listBatchItems(
      batch('q', {
        posts: [post('a', 'x')],
        events: [{ kind: 'note', source: 'hn', externalId: 'e', title: 'Note', url: null, body: 'b', occurredAt: new Date(0) }],
      }),
    );
    expect(items.map((i) => [i.post.externalId, i.kind, i.post.title])).toEqual([
      ['a', 'post', 'x'],
      ['e', 'event', 'Note'],
    ]);
  });
});

describe('previewSource', () => {
  it('prints each item with the entities the linker finds, its feed and its kind', async () => {
    const a = post('a', 'Claude Code beats Cursor on large repos');
    const { source } = fakeSource('rss', [batch('feed:https://blog.example.dev/feed.xml', { mapped: [a], posts: [a] })]);
    const result = await run(source);
    expect(result.errors).toEqual([]);
    expect(result.items).toEqual([
      {
        externalId: 'a',
        url: 'https://example.com/a',
        title: 'Claude Code beats Cursor on large repos',
        body: '',
        createdAt: '2026-11-25T10:00:00.000Z',
        author: null,
        entities: expect.arrayContaining(['claude-code', 'cursor']),
        kind: 'post',
        feed: 'https://blog.example.dev/feed.xml',
        event: null,
      },
    ]);
    expect(Object.keys(result.items[0]!)).toEqual([
      'externalId',
      'url',
      'title',
      'body',
      'createdAt',
      'author',
      'entities',
      'kind',
      'feed',
      'event',
    ]);
  });

  it('stops polling once --limit items are in hand', async () => {
    const { source, state } = fakeSource(
      'hn',
      [0, 1, 2].map((i) => batch(`q${i}`, { posts: [post(`${i}a`, 'x'), post(`${i}b`, 'y')] })),
    );
    const result = await run(source, { limit: 3 });
    expect(result.items.map((i) => i.externalId)).toEqual(['0a', '0b', '1a']);
    expect(state.pulled).toBe(2);
  });

  it('reports each failed feed on its own and keeps what the others yielded and rejected', async () => {
    const failure = new TargetsFailedError('1 of 2 feeds failed', {
      url: 'rss:feeds',
      failures: [{ target: 'https://bad.example/feed', message: 'HTTP 404: gone' }],
    });
    const a = post('a', 'fine');
    const ok = batch('feed:https://ok.example/feed', { mapped: [a], rejected: [{ externalId: 'z', reason: 'unparseable date "soon"' }] });
    const result = await run(fakeSource('rss', [ok], failure).source);
    expect(result.items.map((i) => [i.externalId, i.kind])).toEqual([['a', 'ignored']]);
    expect(result.errors).toEqual([{ where: 'https://bad.example/feed', message: 'HTTP 404: gone' }]);
    expect(result.rejected).toEqual([{ where: 'https://ok.example/feed', externalId: 'z', reason: 'unparseable date "soon"' }]);
  });

  it('names the query, else the failing URL, for a poll that fails as a whole', async () => {
    const failure = new UpstreamError('HTTP 500: boom', { url: 'https://hn.example/search?query=x', retryable: true });
    expect((await run(fakeSource('hn', [], failure).source, { query: 'claude code' })).errors).toEqual([
      { where: 'claude code', message: 'HTTP 500: boom' },
    ]);
    expect((await run(fakeSource('hn', [], failure).source)).errors).toEqual([
      { where: 'https://hn.example/search?query=x', message: 'HTTP 500: boom' },
    ]);
    expect((await run(fakeSource('hn', [], new Error('odd')).source)).errors).toEqual([{ where: 'hn', message: 'odd' }]);
  });

  it('ends with what it has when stopped', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await run(fakeSource('hn', [batch('q', { posts: [post('a', 'x')] })], new Error('aborted')).source, {
      signal: controller.signal,
    });
    expect(result.items).toHaveLength(1);
    expect(result.errors).toEqual([{ where: 'hn', message: 'interrupted' }]);
  });
});
