import { describe, expect, it } from 'vitest';
import { maxRequestsInWindow, type FakeRequest, type FakeResponse } from '../../../test/support/fake-upstream.ts';
import { drain, fastHttp, ids, lastCursors, makeContext, serveUpstream } from '../../../test/support/source-harness.ts';
import type { CursorValue } from '../types.ts';
import { createLobstersSource, type LobstersSourceOptions } from './source.ts';

const NOW = new Date('2026-11-26T12:00:00Z');
const T0 = NOW.getTime() - 24 * 3600_000;

/** Story n is created n minutes after T0 (written with a -06:00 offset); every fourth one is about Claude Code. */
function makeStory(n: number): Record<string, unknown> {
  const local = new Date(T0 + n * 60_000 - 6 * 3600_000).toISOString().replace('Z', '-06:00');
  return {
    short_id: `s${n}`,
    short_id_url: `https://lobste.rs/s/s${n}`,
    created_at: local,
    title: n % 4 === 0 ? `Claude Code &amp; story ${n}` : `Story ${n}`,
    url: `https://example.com/${n}`,
    score: n,
    comment_count: 2,
    description: '<script>x()</script>',
    submitter_user: `u${n}`,
    tags: n % 2 === 0 ? ['ai'] : ['practices'],
  };
}

function makeComments(n: number, extra = 0): Array<Record<string, unknown>> {
  const at = new Date(T0 + n * 60_000 + 30_000).toISOString();
  const later = Array.from({ length: extra }, (_, k) => ({
    short_id: `c${n}x${k}`,
    created_at: new Date(T0 + n * 60_000 + (10 + k) * 60_000).toISOString(),
    is_deleted: false,
    is_moderated: false,
    score: 1,
    parent_comment: `c${n}a`,
    comment: `<p>Later reply ${k}</p>`,
    commenting_user: 'z',
  }));
  return [
    {
      short_id: `c${n}a`,
      created_at: at,
      is_deleted: false,
      is_moderated: false,
      score: 1,
      parent_comment: null,
      comment: '<p>Nice</p>',
      commenting_user: 'x',
    },
    {
      short_id: `c${n}b`,
      created_at: at,
      is_deleted: true,
      is_moderated: false,
      score: 0,
      parent_comment: `c${n}a`,
      comment: '<p>Comment removed by author</p>',
      commenting_user: 'y',
    },
    ...later,
  ];
}

/** Lobsters' list pages (25 stories, newest first; /active by latest comment) over stories 1..maxId, and /s/{id}.json. */
function serveLobsters(state: { maxId: number; extra?: Map<number, number> }) {
  const countOf = (n: number) => 2 + (state.extra?.get(n) ?? 0);
  return (request: FakeRequest): FakeResponse => {
    const story = /^\/s\/s(\d+)\.json$/.exec(request.path);
    if (story) {
      const n = Number(story[1]);
      return { body: { ...makeStory(n), comment_count: countOf(n), comments: makeComments(n, state.extra?.get(n) ?? 0) } };
    }
    const list = /^\/(newest|active|t\/ai)(?:\/page\/(\d+))?\.json$/.exec(request.path);
    if (!list) return { status: 404, body: { error: 'not found' } };
    const page = Number(list[2] ?? 1);
    const all = Array.from({ length: state.maxId }, (_, i) => state.maxId - i).filter((n) => list[1] !== 't/ai' || n % 2 === 0);
    if (list[1] === 'active') all.sort((a, b) => (state.extra?.has(b) ? 1 : 0) - (state.extra?.has(a) ? 1 : 0));
    return { body: all.slice((page - 1) * 25, page * 25).map((n) => ({ ...makeStory(n), comment_count: countOf(n) })) };
  };
}

const context = () => makeContext([{ slug: 'claude-code', phrases: ['Claude Code'] }], NOW);

const makeSource = (url: string, extra: Partial<LobstersSourceOptions> = {}) =>
  createLobstersSource({
    baseUrl: url,
    initialLookbackMs: 48 * 3600_000,
    maxPagesPerPoll: 10,
    ...fastHttp(),
    ...extra,
  });

/** Every story n in [from, to] about Claude Code, newest first, each followed by its surviving comment. */
const expected = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => to - i)
    .filter((n) => n % 4 === 0)
    .flatMap((n) => [`s${n}`, `c:c${n}a`]);

describe('Lobsters source: poll', () => {
  it('reads /newest pages down to the lookback and yields matching stories with their live comments', async () => {
    const upstream = await serveUpstream(serveLobsters({ maxId: 60 }));
    const { batches, error } = await drain(makeSource(upstream.url).poll(context(), new Map()));
    expect(error).toBeNull();
    expect(ids(batches)).toEqual(expected(1, 60));
    const story = batches[0]?.posts[0];
    expect(story?.title).toBe('Claude Code & story 60');
    expect(story?.createdAt.toISOString()).toBe(new Date(T0 + 60 * 60_000).toISOString());
    expect(story?.body).toBe('');
    expect(upstream.requests.filter((r) => r.path.startsWith('/newest')).map((r) => r.path)).toEqual([
      '/newest.json',
      '/newest/page/2.json',
      '/newest/page/3.json',
      '/newest/page/4.json',
    ]);
    expect(lastCursors(batches).get('newest')).toEqual({ hwm: { ms: T0 + 60 * 60_000, ids: ['s60'] }, walk: null });
  });

  it('follows matching stories for comments that arrive later, fetching a story again only when it has more', async () => {
    const state = { maxId: 60, extra: new Map<number, number>() };
    const upstream = await serveUpstream(serveLobsters(state));
    const source = makeSource(upstream.url);
    const first = await drain(source.poll(context(), new Map()));
    const followed = (first.batches.at(-1)?.cursor as { stories: Array<{ id: string }> }).stories.map((s) => s.id);
    expect(followed).toEqual(expected(1, 60).filter((id) => !id.startsWith('c:')));

    state.extra.set(60, 2);
    const fetchesBefore = upstream.requests.length;
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(ids(second.batches)).toEqual(['c:c60x0', 'c:c60x1']);
    expect(second.batches.at(-1)?.posts[0]?.parentId).toBe('c:c60a');
    expect(
      upstream.requests
        .slice(fetchesBefore)
        .filter((r) => r.path.startsWith('/s/'))
        .map((r) => r.path),
    ).toEqual(['/s/s60.json']);

    const third = await drain(source.poll(context(), lastCursors([...first.batches, ...second.batches])));
    expect(ids(third.batches)).toEqual([]);
  });

  it('stops following stories older than the follow window', async () => {
    const upstream = await serveUpstream(serveLobsters({ maxId: 60 }));
    const { batches } = await drain(
      makeSource(upstream.url, { followCommentsForMs: 24 * 3600_000 - 40 * 60_000 }).poll(context(), new Map()),
    );
    const followed = (batches.at(-1)?.cursor as { stories: Array<{ id: string }> }).stories.map((s) => s.id);
    expect(followed).toEqual(['s60', 's56', 's52', 's48', 's44', 's40']);
  });

  it('sends a descriptive User-Agent and refuses to run with an axios one', async () => {
    const upstream = await serveUpstream(serveLobsters({ maxId: 1 }));
    await drain(makeSource(upstream.url).poll(context(), new Map()));
    expect(upstream.requests[0]?.headers['user-agent']).toMatch(/^vibecheck\//);
    expect(makeSource(upstream.url).skipReason()).toBeNull();
    expect(makeSource(upstream.url, { userAgent: 'axios/1.7.2' }).skipReason()).toMatch(/must not contain "axios"/);
  });

  it('stops at the high-water mark on the next poll', async () => {
    const state = { maxId: 60 };
    const upstream = await serveUpstream(serveLobsters(state));
    const source = makeSource(upstream.url);
    const first = await drain(source.poll(context(), new Map()));
    state.maxId = 70;
    upstream.requests.length = 0;
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(ids(second.batches)).toEqual(expected(61, 70));
    expect(upstream.requests.filter((r) => r.path.startsWith('/newest'))).toHaveLength(1);
  });

  it('keeps the unfinished walk when a comment fetch fails mid-run, and resumes without loss or repeats', async () => {
    const state = { maxId: 60 };
    const handler = serveLobsters(state);
    const upstream = await serveUpstream((request) => (request.path === '/s/s32.json' ? { status: 404, body: 'gone' } : handler(request)));
    const source = makeSource(upstream.url);
    const stored = new Map<string, CursorValue>([['newest', { hwm: { ms: T0 + 5 * 60_000, ids: ['s5'] }, walk: null }]]);
    const first = await drain(source.poll(context(), stored));
    expect(String(first.error)).toMatch(/HTTP 404/);
    expect(first.batches).toHaveLength(1);
    expect(first.batches[0]?.cursor).toEqual({
      hwm: { ms: T0 + 5 * 60_000, ids: ['s5'] },
      walk: { top: { ms: T0 + 60 * 60_000, ids: ['s60'] }, page: 2 },
    });

    upstream.setHandler(handler);
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(second.error).toBeNull();
    expect([...ids(first.batches), ...ids(second.batches)]).toEqual(expected(6, 60));
    expect(lastCursors(second.batches).get('newest')).toEqual({ hwm: { ms: T0 + 60 * 60_000, ids: ['s60'] }, walk: null });
  });

  it('rides out 429 with Retry-After or RateLimit-Reset, a 500, a slow response and truncated JSON', async () => {
    const upstream = await serveUpstream(serveLobsters({ maxId: 20 }));
    upstream.queue(
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 429, headers: { 'ratelimit-reset': '1' } },
      { status: 500 },
      { delayMs: 600, body: [] },
    );
    const { batches, error } = await drain(makeSource(upstream.url).poll(context(), new Map()));
    expect(error).toBeNull();
    expect(ids(batches)).toEqual(expected(1, 20));
    const [, reset, afterReset] = upstream.requests;
    expect((afterReset?.at ?? 0) - (reset?.at ?? 0)).toBeGreaterThanOrEqual(950);

    upstream.setHandler(() => ({ body: '[{"short_id":"s1","crea' }));
    const broken = await drain(makeSource(upstream.url).poll(context(), new Map()));
    expect(String(broken.error)).toMatch(/malformed JSON/);
    expect(broken.batches).toEqual([]);
  });

  it('yields a story that slid onto the next page once, and reports a wrong-shaped page', async () => {
    const state = { maxId: 50 };
    const handler = serveLobsters(state);
    const upstream = await serveUpstream((request) => {
      const response = handler(request);
      if (request.path === '/newest.json') state.maxId = 52;
      return response;
    });
    const { batches } = await drain(makeSource(upstream.url).poll(context(), new Map()));
    expect(ids(batches)).toEqual(expected(1, 50));
    expect(new Set(ids(batches)).size).toBe(ids(batches).length);

    upstream.setHandler(() => ({ body: { stories: [] } }));
    const wrong = await drain(makeSource(upstream.url).poll(context(), new Map()));
    expect(String(wrong.error)).toMatch(/unexpected response shape/);
  });

  it('polls the combined tag feed too, yielding stories already seen on /newest only once', async () => {
    const upstream = await serveUpstream(serveLobsters({ maxId: 30 }));
    const { batches } = await drain(makeSource(upstream.url, { tags: ['ai'] }).poll(context(), new Map()));
    expect(ids(batches)).toEqual(expected(1, 30));
    expect(new Set(batches.map((b) => b.queryKey))).toEqual(new Set(['newest', 't/ai', 'comments']));
    expect(upstream.requests.some((r) => r.path === '/t/ai.json')).toBe(true);
  });

  it('keeps requests inside its configured spacing', async () => {
    const upstream = await serveUpstream(serveLobsters({ maxId: 24 }));
    await drain(makeSource(upstream.url, { rateLimit: { minTimeMs: 30 } }).poll(context(), new Map()));
    expect(upstream.requests.length).toBeGreaterThanOrEqual(7);
    expect(maxRequestsInWindow(upstream.requests, 120)).toBeLessThanOrEqual(5);
  });
  it('resumes from the cursors committed before a stop at any batch, losing and repeating nothing', async () => {
    const upstream = await serveUpstream(serveLobsters({ maxId: 80 }));
    const source = makeSource(upstream.url);
    for (let stopAfter = 1; stopAfter <= 4; stopAfter++) {
      const cut = await drain(source.poll(context(), new Map()), stopAfter);
      const rest = await drain(source.poll(context(), lastCursors(cut.batches)));
      expect([...ids(cut.batches), ...ids(rest.batches)]).toEqual(expected(1, 80));
    }
  });
});

describe('Lobsters source: backfill', () => {
  it('pages through the window with progress and resumes at the failed page', async () => {
    const handler = serveLobsters({ maxId: 120 });
    const upstream = await serveUpstream(handler);
    let lists = 0;
    upstream.setHandler((request) => (!request.path.startsWith('/s/') && ++lists === 3 ? { status: 404 } : handler(request)));
    const source = makeSource(upstream.url, { fetchComments: false });
    const window = { since: new Date(T0 + 10 * 60_000), until: new Date(T0 + 100 * 60_000) };
    const first = await drain(source.backfill!(context(), window, new Map()));
    expect(first.error).not.toBeNull();
    upstream.setHandler(handler);
    const second = await drain(source.backfill!(context(), window, lastCursors(first.batches)));
    expect(second.error).toBeNull();
    const all = [...ids(first.batches), ...ids(second.batches)];
    expect(all).toEqual(expected(10, 99).filter((id) => !id.startsWith('c:')));
    const progress = [...first.batches, ...second.batches].map((b) => b.progress ?? -1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1);
  });
});
