import { describe, expect, it } from 'vitest';
import type { FakeRequest, FakeResponse } from '../../../test/support/fake-upstream.ts';
import { drain, fastHttp, ids, lastCursors, makeContext, serveUpstream } from '../../../test/support/source-harness.ts';
import type { SourceBatch } from '../types.ts';
import { createDiscourseSource, type DiscourseSourceOptions } from './source.ts';

const NOW = new Date('2026-11-26T12:00:00Z');
const T0 = NOW.getTime() - 24 * 3600_000;
const topicOf = (id: number) => 1000 + Math.floor(id / 10);

/** Post n is created n minutes after T0; every third one says Claude Code, every fifth the alias claude-code. */
function writeText(id: number): string {
  const parts = [id % 3 === 0 ? `Full text of ${id}: Claude Code is great, and this part is past the blurb.` : `Post ${id}`];
  if (id % 5 === 0) parts.push('Running claude-code in CI.');
  return parts.join(' ');
}

function makePost(id: number): Record<string, unknown> {
  return {
    id,
    username: `user${id}`,
    created_at: new Date(T0 + id * 60_000).toISOString(),
    cooked: `<p>${writeText(id)}</p>`,
    post_number: 1 + (id % 10),
    post_type: 1,
    topic_id: topicOf(id),
    actions_summary: [{ id: 2, count: 1 }],
  };
}

/** The quoted phrase of a search, as the fake matches it (case-insensitively, like Discourse). */
const readPhrase = (q: string): string => /"([^"]*)"/.exec(q)?.[1]?.toLowerCase() ?? '';

/** /search.json (quoted phrase, after:, before:, order:latest, 50 a page) and /t/{id}/posts.json?post_ids[]=. */
function serveSearch(state: { maxId: number; refusePosts?: boolean }) {
  return (request: FakeRequest): FakeResponse => {
    if (request.path === '/posts.json')
      return state.refusePosts ? { status: 403, body: { errors: ['not allowed'] } } : { body: { latest_posts: [] } };
    const topic = /^\/t\/(\d+)\/posts\.json$/.exec(request.path);
    if (topic) {
      const ids = request.query.getAll('post_ids[]').map(Number);
      return { body: { post_stream: { posts: ids.filter((id) => topicOf(id) === Number(topic[1])).map(makePost) } } };
    }
    if (request.path !== '/search.json') return { status: 404, body: {} };
    const q = request.query.get('q') ?? '';
    const after = /after:(\S+)/.exec(q)?.[1];
    const before = /before:(\S+)/.exec(q)?.[1];
    const page = Number(request.query.get('page') ?? 1);
    const hits = Array.from({ length: state.maxId }, (_, i) => state.maxId - i)
      .filter((id) => readPhrase(q) !== '' && writeText(id).toLowerCase().includes(readPhrase(q)))
      .filter((id) => (after ? T0 + id * 60_000 >= Date.parse(after) : true) && (before ? T0 + id * 60_000 < Date.parse(before) : true));
    const slice = hits.slice((page - 1) * 50, page * 50);
    return {
      body: {
        posts: slice.map((id) => ({
          id,
          topic_id: topicOf(id),
          post_number: 1 + (id % 10),
          created_at: new Date(T0 + id * 60_000).toISOString(),
          blurb: `${writeText(id).slice(0, 20)}…`,
        })),
        topics: [...new Set(slice.map(topicOf))].map((id) => ({ id, title: `Topic ${id} &amp; more`, slug: `topic-${id}` })),
        grouped_search_result: { term: q, more_full_page_results: hits.length > page * 50 ? true : null },
      },
    };
  };
}

const context = () => makeContext([{ slug: 'claude-code', phrases: ['Claude Code'] }], NOW);

const makeSource = (forums: DiscourseSourceOptions['forums'], extra: Partial<DiscourseSourceOptions> = {}) =>
  createDiscourseSource({ forums, initialLookbackMs: 48 * 3600_000, ...fastHttp(2), ...extra });

const postIds = (batches: SourceBatch[]) => ids(batches).map((id) => Number(id.split(':').at(-1)));
const mentioning = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => to - i).filter((id) => id % 3 === 0);

describe('Discourse source: search mode', () => {
  it('searches the quoted phrase newest first and yields the full posts, not the blurbs', async () => {
    const upstream = await serveUpstream(serveSearch({ maxId: 200 }));
    const { batches, error } = await drain(makeSource([{ url: upstream.url, mode: 'search' }]).poll(context(), new Map()));
    expect(error).toBeNull();
    expect(postIds(batches)).toEqual(mentioning(1, 200));
    const q = upstream.requests.find((r) => r.path === '/search.json')?.query.get('q');
    expect(q).toBe(`"claude code" after:${new Date(NOW.getTime() - 72 * 3600_000).toISOString().slice(0, 10)} order:latest`);
    expect(upstream.requests.some((r) => r.path === '/posts.json')).toBe(false);
    const post = batches[0]?.posts[0];
    expect(post?.body).toBe('Full text of 198: Claude Code is great, and this part is past the blurb.');
    expect(post?.title).toBe(`Topic ${topicOf(198)} & more`);
    expect(post?.url).toBe(`${upstream.url}/t/topic-${topicOf(198)}/${topicOf(198)}/9`);
    expect(batches.at(-1)?.queryKey).toBe(`forum:${upstream.url}:search:"claude code"`);
    expect(batches.at(-1)?.cursor).toEqual({ hwm: { id: 198, at: new Date(T0 + 198 * 60_000).toISOString() }, walk: null });
  });

  it('switches to search when /posts.json is refused, and stays switched', async () => {
    const state = { maxId: 30, refusePosts: true };
    const upstream = await serveUpstream(serveSearch(state));
    const source = makeSource([upstream.url]);
    const first = await drain(source.poll(context(), new Map()));
    expect(first.error).toBeNull();
    expect(postIds(first.batches)).toEqual(mentioning(1, 30));
    state.maxId = 36;
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(postIds(second.batches)).toEqual([36, 33]);
    expect(upstream.requests.filter((r) => r.path === '/posts.json')).toHaveLength(1);
  });

  it('keeps an unfinished search walk when a topic fetch fails, and finishes it without loss or repeats', async () => {
    const state = { maxId: 400 };
    const handler = serveSearch(state);
    const upstream = await serveUpstream(handler);
    upstream.setHandler((request) => (request.path === `/t/${topicOf(240)}/posts.json` ? { status: 404, body: {} } : handler(request)));
    const source = makeSource([{ url: upstream.url, mode: 'search' }]);
    const first = await drain(source.poll(context(), new Map()));
    expect(String(first.error)).toMatch(/HTTP 404/);
    expect(first.batches).toHaveLength(1);
    expect(first.batches[0]?.cursor).toMatchObject({ hwm: null, walk: { top: { id: 399 }, page: 2 } });
    upstream.setHandler(handler);
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(second.error).toBeNull();
    expect([...postIds(first.batches), ...postIds(second.batches)]).toEqual(mentioning(1, 400));
  });

  it('searches every distinct phrase, first phrases of all terms before any alias, each under its own cursor key', async () => {
    const state = { maxId: 28 };
    const upstream = await serveUpstream(serveSearch(state));
    const terms = [
      { slug: 'claude-code', phrases: ['Claude Code', 'claude-code'] },
      { slug: 'cursor', phrases: ['Cursor', 'cursor-agent', 'CLAUDE  CODE'] },
    ];
    const source = makeSource([{ url: upstream.url, mode: 'search' }]);
    const first = await drain(source.poll(makeContext(terms, NOW), new Map()));
    expect(first.error).toBeNull();
    const searched = upstream.requests.filter((r) => r.path === '/search.json').map((r) => readPhrase(r.query.get('q') ?? ''));
    expect(searched).toEqual(['claude code', 'cursor', 'claude-code', 'cursor-agent']);
    const key = (quoted: string) => `forum:${upstream.url}:search:${quoted}`;
    expect([...new Set(first.batches.map((b) => b.queryKey))]).toEqual(
      ['"claude code"', '"cursor"', '"claude-code"', '"cursor-agent"'].map(key),
    );
    const cursors = lastCursors(first.batches);
    expect(cursors.get(key('"claude code"'))).toMatchObject({ hwm: { id: 27 } });
    expect(cursors.get(key('"claude-code"'))).toMatchObject({ hwm: { id: 25 } });
    expect(cursors.get(key('"cursor"'))).toEqual({ hwm: null, walk: null });
    state.maxId = 36;
    const second = await drain(source.poll(makeContext(terms, NOW), cursors));
    expect(postIds(second.batches)).toEqual([36, 33, 30, 35]);
  });

  it('yields a post matched by two phrases once per run and collects posts found only through an alias', async () => {
    const upstream = await serveUpstream(serveSearch({ maxId: 60 }));
    const terms = [{ slug: 'claude-code', phrases: ['Claude Code', 'claude-code'] }];
    const { batches, error } = await drain(makeSource([{ url: upstream.url, mode: 'search' }]).poll(makeContext(terms, NOW), new Map()));
    expect(error).toBeNull();
    expect(postIds(batches)).toEqual([...mentioning(1, 60), 55, 50, 40, 35, 25, 20, 10, 5]);
    expect(batches.flatMap((b) => b.posts).find((p) => p.externalId.endsWith(':50'))?.body).toBe('Post 50 Running claude-code in CI.');
    const fetchedTwice = upstream.requests.filter((r) => r.path.startsWith('/t/') && r.query.getAll('post_ids[]').includes('45'));
    expect(fetchedTwice).toHaveLength(1);
  });

  it('reads the usual lookback for a phrase whose only stored cursor sits under its term slug', async () => {
    const upstream = await serveUpstream(serveSearch({ maxId: 30 }));
    const terms = [{ slug: 'claude-code', phrases: ['claude-code'] }];
    const stale = new Map([[`forum:${upstream.url}:search:claude-code`, { hwm: { id: 1000, at: NOW.toISOString() }, walk: null }]]);
    const { batches } = await drain(makeSource([{ url: upstream.url, mode: 'search' }]).poll(makeContext(terms, NOW), stale));
    expect(postIds(batches)).toEqual([30, 25, 20, 15, 10, 5]);
  });

  it('backfills the window through after:/before: days, filtered to the exact instants', async () => {
    const upstream = await serveUpstream(serveSearch({ maxId: 300 }));
    const window = { since: new Date(T0 + 100 * 60_000), until: new Date(T0 + 250 * 60_000) };
    const { batches, error } = await drain(makeSource([{ url: upstream.url, mode: 'search' }]).backfill!(context(), window, new Map()));
    expect(error).toBeNull();
    expect(postIds(batches)).toEqual(mentioning(100, 249));
    expect(batches.at(-1)?.progress).toBe(1);
    expect(upstream.requests.find((r) => r.path === '/search.json')?.query.get('q')).toMatch(
      / after:\d{4}-\d{2}-\d{2} before:\d{4}-\d{2}-\d{2} order:latest$/,
    );
  });
});
