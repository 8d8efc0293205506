import { describe, expect, it } from 'vitest';
import { maxRequestsInWindow, type FakeRequest, type FakeResponse, type FakeUpstream } from '../../../test/support/fake-upstream.ts';
import { drain, fastHttp, ids, lastCursors, makeContext, serveUpstream } from '../../../test/support/source-harness.ts';
import type { SourceBatch } from '../types.ts';
import { buildQueries, createBlueskySource, type BlueskySourceOptions } from './source.ts';

const NOW = new Date('2026-11-26T12:00:00Z');
const OVERLAP_MS = 10 * 60_000;
const T0 = NOW.getTime() - 24 * 3600_000;

/** Post n is created n minutes after T0, except that n = 10k+1 shares the instant of 10k (ties at page edges). */
const createdMs = (n: number) => T0 + (n % 10 === 1 && n > 1 ? n - 1 : n) * 60_000;
const uriOf = (n: number) => `at://did:plc:u${n}/app.bsky.feed.post/r${n}`;
const numberOf = (uri: string) => Number(uri.split('/r').at(-1));

const textOf = (n: number, state?: FakeState) => `${state?.hyphenated.has(n) ? 'claude-code' : 'Claude Code'} & post ${n}`;

function makePost(n: number, state?: FakeState): Record<string, unknown> {
  return {
    uri: uriOf(n),
    cid: `c${n}`,
    author: { did: `did:plc:u${n}`, handle: `u${n}.example` },
    record: { $type: 'app.bsky.feed.post', text: textOf(n, state), createdAt: new Date(createdMs(n)).toISOString() },
    likeCount: n,
    replyCount: 0,
    indexedAt: new Date(createdMs(n) + 500).toISOString(),
  };
}

const jwt = (name: string, expSeconds: number) =>
  `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: name, exp: expSeconds })).toString('base64url')}.sig`;

interface FakeState {
  maxId: number;
  access: Set<string>;
  refresh: Set<string>;
  logins: number;
  refreshes: number;
  issued: number;
  accessTtlSeconds: number;
  /** Posts whose text names the tool as "claude-code" rather than "Claude Code". */
  hyphenated: Set<number>;
  /** Posts the search index has not taken yet. */
  unindexed: Set<number>;
}

const newState = (maxId: number): FakeState => ({
  maxId,
  access: new Set(),
  refresh: new Set(),
  logins: 0,
  refreshes: 0,
  issued: 0,
  accessTtlSeconds: 3600,
  hyphenated: new Set(),
  unindexed: new Set(),
});

function issue(state: FakeState): Record<string, string> {
  state.issued++;
  const accessJwt = jwt(`access${state.issued}`, Math.floor(Date.now() / 1000) + state.accessTtlSeconds);
  const refreshJwt = jwt(`refresh${state.issued}`, Math.floor(Date.now() / 1000) + 86_400);
  state.access.add(accessJwt);
  state.refresh.add(refreshJwt);
  return { accessJwt, refreshJwt, did: 'did:plc:me', handle: 'me.example' };
}

/** A PDS: sessions with access and refresh tokens, and searchPosts (phrase in the text) over posts 1..maxId ordered by sortAt. */
function servePds(state: FakeState) {
  return (request: FakeRequest): FakeResponse => {
    const bearer = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    if (request.path === '/xrpc/com.atproto.server.createSession') {
      const body = JSON.parse(request.body) as { identifier: string; password: string };
      if (body.identifier !== 'me.example' || body.password !== 'app-pass-word') {
        return { status: 401, body: { error: 'AuthenticationRequired', message: 'Invalid identifier or password' } };
      }
      state.logins++;
      return { body: issue(state) };
    }
    if (request.path === '/xrpc/com.atproto.server.refreshSession') {
      if (!state.refresh.delete(bearer)) return { status: 400, body: { error: 'ExpiredToken', message: 'Token has expired' } };
      state.refreshes++;
      return { body: issue(state) };
    }
    if (request.path === '/xrpc/app.bsky.feed.searchPosts') {
      if (!state.access.has(bearer)) return { status: 400, body: { error: 'ExpiredToken', message: 'Token has expired' } };
      const since = Date.parse(request.query.get('since') ?? '1970-01-01T00:00:00Z');
      const until = Date.parse(request.query.get('until') ?? '2100-01-01T00:00:00Z');
      const limit = Number(request.query.get('limit') ?? 25);
      const phrase = (request.query.get('q') ?? '').replace(/^"|"$/g, '').toLowerCase();
      const matching = Array.from({ length: state.maxId }, (_, i) => state.maxId - i).filter(
        (n) => createdMs(n) >= since && createdMs(n) < until && !state.unindexed.has(n) && textOf(n, state).toLowerCase().includes(phrase),
      );
      const page = matching.slice(0, limit);
      return {
        body: {
          posts: page.map((n) => makePost(n, state)),
          ...(matching.length > limit ? { cursor: String(limit) } : {}),
          hitsTotal: matching.length,
        },
      };
    }
    return { status: 404, body: { error: 'MethodNotImplemented' } };
  };
}

const context = () => makeContext([{ slug: 'claude-code', phrases: ['Claude Code', 'claude-code'] }], NOW);

const makeSource = (url: string, extra: Partial<BlueskySourceOptions> = {}) =>
  createBlueskySource({
    baseUrl: url,
    handle: 'me.example',
    appPassword: 'app-pass-word',
    pageLimit: 5,
    maxPagesPerPoll: 50,
    initialLookbackMs: 48 * 3600_000,
    ...fastHttp(),
    ...extra,
  });

const numbers = (batches: SourceBatch[]) => ids(batches).map(numberOf);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const sorted = (list: number[]) => [...list].sort((a, b) => a - b);
const searches = (up: FakeUpstream) => up.requests.filter((r) => r.path.endsWith('searchPosts'));

describe('buildQueries', () => {
  it("quotes every distinct phrase once, each term's first phrase before any second phrase", () => {
    const terms = [
      { slug: 'claude-code', phrases: ['Claude Code', 'claude-code', 'CC'] },
      { slug: 'cursor', phrases: ['  Cursor ', 'claude  code'] },
      { slug: 'empty', phrases: [' ', '"'] },
    ];
    expect(buildQueries(terms)).toEqual(['"claude code"', '"cursor"', '"claude-code"', '"cc"'].map((q) => ({ queryKey: q, q })));
  });

  it('makes no query for no terms', () => {
    expect(buildQueries([])).toEqual([]);
  });
});

describe('Bluesky source: poll', () => {
  it('searches every phrase with its own cursor key, first phrases first, each walk resuming on its own', async () => {
    const state = newState(12);
    for (const n of [3, 6, 9, 12]) state.hyphenated.add(n);
    const upstream = await serveUpstream(servePds(state));
    const source = makeSource(upstream.url);
    const terms = [
      { slug: 'claude-code', phrases: ['Claude Code', 'claude-code'] },
      { slug: 'cursor', phrases: ['Cursor'] },
    ];
    const ctx = makeContext(terms, NOW);
    const first = await drain(source.poll(ctx, new Map()));
    expect(first.error).toBeNull();
    expect([...new Set(searches(upstream).map((r) => r.query.get('q')))]).toEqual(['"claude code"', '"cursor"', '"claude-code"']);
    expect(sorted(numbers(first.batches))).toEqual(range(1, 12));
    const cursors = lastCursors(first.batches);
    expect([...cursors.keys()].sort()).toEqual(['"claude code"', '"claude-code"', '"cursor"']);
    expect(cursors.get('"claude-code"')).toMatchObject({ hwm: new Date(createdMs(12)).toISOString() });
    expect(cursors.get('"claude code"')).toMatchObject({ hwm: new Date(createdMs(11)).toISOString() });

    state.maxId = 15;
    state.hyphenated.add(15);
    const second = await drain(source.poll(ctx, cursors));
    expect(sorted(numbers(second.batches))).toEqual([13, 14, 15]);
    expect(second.batches.find((b) => b.posts.some((p) => numberOf(p.externalId) === 15))?.queryKey).toBe('"claude-code"');
  });

  it('is skipped, and makes no request, without a handle and app password', async () => {
    const upstream = await serveUpstream(servePds(newState(3)));
    const source = makeSource(upstream.url, { appPassword: undefined });
    expect(source.skipReason()).toMatch(/handle and an app password/);
    expect((await drain(source.poll(context(), new Map()))).batches).toEqual([]);
    expect(upstream.requests).toHaveLength(0);
  });

  it('logs in once, searches the quoted phrase newest first and pages by until across tied instants', async () => {
    const state = newState(33);
    const upstream = await serveUpstream(servePds(state));
    const { batches, error } = await drain(makeSource(upstream.url).poll(context(), new Map()));
    expect(error).toBeNull();
    expect(sorted(numbers(batches))).toEqual(range(1, 33));
    expect(new Set(numbers(batches)).size).toBe(33);
    expect(state.logins).toBe(1);
    const first = searches(upstream)[0]!;
    expect(Object.fromEntries(first.query)).toMatchObject({
      q: '"claude code"',
      sort: 'latest',
      limit: '5',
      since: new Date(NOW.getTime() - 48 * 3600_000).toISOString(),
    });
    expect(first.headers.authorization).toMatch(/^Bearer /);
    expect(searches(upstream)[1]?.query.get('until')).toBe(new Date(createdMs(29) + 1).toISOString());
    expect(lastCursors(batches).get('"claude code"')).toEqual({
      hwm: new Date(createdMs(33)).toISOString(),
      recent: Object.fromEntries(range(23, 33).map((n) => [uriOf(n), createdMs(n)])),
      walk: null,
    });
    expect(batches[0]?.posts[0]?.url).toBe('https://bsky.app/profile/u33.example/post/r33');
  });

  it('reads the next poll down to the overlap below the high-water mark, yielding only posts not taken before', async () => {
    const state = newState(20);
    const upstream = await serveUpstream(servePds(state));
    const source = makeSource(upstream.url);
    const first = await drain(source.poll(context(), new Map()));
    state.maxId = 27;
    const before = searches(upstream).length;
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(sorted(numbers(second.batches))).toEqual(range(21, 27));
    expect(searches(upstream)[before]?.query.get('since')).toBe(new Date(createdMs(20) - OVERLAP_MS).toISOString());
    expect(state.logins).toBe(1);
  });

  it('collects a post indexed after the last poll whose sortAt lies inside the overlap, keeping the mark where it was', async () => {
    const state = newState(20);
    state.unindexed.add(17);
    const upstream = await serveUpstream(servePds(state));
    const source = makeSource(upstream.url);
    const first = await drain(source.poll(context(), new Map()));
    expect(numbers(first.batches)).not.toContain(17);
    state.unindexed.clear();
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(second.error).toBeNull();
    expect(numbers(second.batches)).toEqual([17]);
    expect(lastCursors(second.batches).get('"claude code"')).toMatchObject({ hwm: new Date(createdMs(20)).toISOString(), walk: null });
    const third = await drain(source.poll(context(), lastCursors(second.batches)));
    expect(numbers(third.batches)).toEqual([]);
  });

  it('does not read below the overlap: a late post older than it is not collected', async () => {
    const state = newState(30);
    state.unindexed.add(5);
    const upstream = await serveUpstream(servePds(state));
    const source = makeSource(upstream.url);
    const first = await drain(source.poll(context(), new Map()));
    state.unindexed.clear();
    const before = searches(upstream).length;
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(numbers(second.batches)).toEqual([]);
    const floor = createdMs(30) - OVERLAP_MS;
    const marked = searches(upstream)
      .slice(before)
      .filter((r) => r.query.get('q') === '"claude code"');
    const sinces = marked.map((r) => Date.parse(r.query.get('since') ?? ''));
    expect(sinces.length).toBeGreaterThan(0);
    expect(Math.min(...sinces)).toBe(floor);
  });

  it('resumes a poll cut at any batch inside the overlap, still collecting the late post once', async () => {
    const state = newState(30);
    state.unindexed.add(26);
    const upstream = await serveUpstream(servePds(state));
    const source = makeSource(upstream.url);
    const first = await drain(source.poll(context(), new Map()));
    state.unindexed.clear();
    state.maxId = 45;
    for (let stopAfter = 1; stopAfter <= 6; stopAfter++) {
      const cut = await drain(source.poll(context(), lastCursors(first.batches)), stopAfter);
      const rest = await drain(source.poll(context(), new Map([...lastCursors(first.batches), ...lastCursors(cut.batches)])));
      const all = [...numbers(cut.batches), ...numbers(rest.batches)];
      expect(sorted(all)).toEqual([26, ...range(31, 45)]);
      expect(new Set(all).size).toBe(all.length);
    }
  });

  it('refreshes an expired access token, and logs in again when the refresh token is dead too', async () => {
    const state = newState(12);
    const upstream = await serveUpstream(servePds(state));
    const source = makeSource(upstream.url);
    const first = await drain(source.poll(context(), new Map()));
    state.access.clear();
    state.maxId = 16;
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(second.error).toBeNull();
    expect(state.refreshes).toBe(1);
    state.access.clear();
    state.refresh.clear();
    state.maxId = 18;
    const third = await drain(source.poll(context(), lastCursors(second.batches)));
    expect(third.error).toBeNull();
    expect(state.logins).toBe(2);
    expect(sorted([...numbers(first.batches), ...numbers(second.batches), ...numbers(third.batches)])).toEqual(range(1, 18));
  });

  it('refreshes before a search when the access token is about to expire', async () => {
    const state = newState(3);
    state.accessTtlSeconds = 30;
    const upstream = await serveUpstream(servePds(state));
    const source = makeSource(upstream.url);
    const onePhrase = makeContext([{ slug: 'claude-code', phrases: ['Claude Code'] }], NOW);
    const first = await drain(source.poll(onePhrase, new Map()));
    expect(state.refreshes).toBe(0);
    await drain(source.poll(onePhrase, lastCursors(first.batches)));
    expect(state.refreshes).toBe(1);
    expect(upstream.requests.filter((r) => r.path.endsWith('searchPosts') && r.headers.authorization === undefined)).toHaveLength(0);
    const paths = upstream.requests.map((r) => r.path.split('.').at(-1));
    expect(paths).toEqual(['createSession', 'searchPosts', 'refreshSession', 'searchPosts']);
  });

  it('reports a failed login by its XRPC error without the password', async () => {
    const upstream = await serveUpstream(servePds(newState(3)));
    const { error } = await drain(makeSource(upstream.url, { appPassword: 'wrong-password' }).poll(context(), new Map()));
    expect(String(error)).toMatch(/createSession failed with HTTP 401: AuthenticationRequired: Invalid identifier or password/);
    expect(String(error)).not.toContain('wrong-password');
  });

  it('resumes a walk cut by truncated JSON at its until and edge, without loss or repeats', async () => {
    const state = newState(40);
    const handler = servePds(state);
    const upstream = await serveUpstream(handler);
    let searchCalls = 0;
    upstream.setHandler((request) =>
      request.path.endsWith('searchPosts') && ++searchCalls === 4 ? { body: '{"posts":[{"uri":' } : handler(request),
    );
    const source = makeSource(upstream.url);
    const first = await drain(source.poll(context(), new Map()));
    expect(String(first.error)).toMatch(/malformed JSON/);
    expect(first.batches).toHaveLength(3);
    const walk = (first.batches.at(-1)?.cursor as { walk: { until: string; edge: string[] } }).walk;
    expect(walk.until).toBe(new Date(createdMs(28) + 1).toISOString());
    expect(walk.edge).toEqual([uriOf(28)]);
    upstream.setHandler(handler);
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(second.error).toBeNull();
    const all = [...numbers(first.batches), ...numbers(second.batches)];
    expect(sorted(all)).toEqual(range(1, 40));
    expect(new Set(all).size).toBe(40);
  });

  it('rides out 429 with Retry-After, a 500 and a slow response; reports a wrong-shaped page', async () => {
    const upstream = await serveUpstream(servePds(newState(4)));
    upstream.queue({ status: 429, headers: { 'retry-after': '0' } }, { status: 500 }, { delayMs: 600, body: {} });
    const { batches, error } = await drain(makeSource(upstream.url).poll(context(), new Map()));
    expect(error).toBeNull();
    expect(sorted(numbers(batches))).toEqual(range(1, 4));

    const handler = servePds(newState(4));
    upstream.setHandler((request) => (request.path.endsWith('searchPosts') ? { body: { feed: [] } } : handler(request)));
    const wrong = await drain(makeSource(upstream.url).poll(context(), new Map()));
    expect(String(wrong.error)).toMatch(/unexpected response shape at posts/);
  });

  it('yields a post repeated on the next page once and reports a bad one', async () => {
    const handler = servePds(newState(12));
    const upstream = await serveUpstream((request) => {
      const response = handler(request);
      if (request.path.endsWith('searchPosts') && request.query.get('until')) {
        (response.body as { posts: unknown[] }).posts.push(makePost(12), { uri: 'at://did:plc:x/app.bsky.feed.post/bad', author: {} });
      }
      return response;
    });
    const { batches } = await drain(makeSource(upstream.url).poll(context(), new Map()));
    expect(sorted(numbers(batches))).toEqual(range(1, 12));
    expect(batches.flatMap((b) => b.rejected).map((r) => r.externalId)).toContain('at://did:plc:x/app.bsky.feed.post/bad');
  });

  it('keeps requests inside its configured spacing', async () => {
    const upstream = await serveUpstream(servePds(newState(40)));
    await drain(makeSource(upstream.url, { rateLimit: { minTimeMs: 30 } }).poll(context(), new Map()));
    expect(upstream.requests.length).toBeGreaterThanOrEqual(9);
    expect(maxRequestsInWindow(upstream.requests, 120)).toBeLessThanOrEqual(5);
  });
  it('resumes from the cursors committed before a stop at any batch, losing and repeating nothing', async () => {
    const upstream = await serveUpstream(servePds(newState(42)));
    const source = makeSource(upstream.url);
    for (let stopAfter = 1; stopAfter <= 11; stopAfter++) {
      const cut = await drain(source.poll(context(), new Map()), stopAfter);
      const rest = await drain(source.poll(context(), lastCursors(cut.batches)));
      const all = [...numbers(cut.batches), ...numbers(rest.batches)];
      expect(sorted(all)).toEqual(range(1, 42));
      expect(new Set(all).size).toBe(all.length);
    }
  });
});

describe('Bluesky source: backfill', () => {
  it('resumes a backfill from the cursor committed before a stop at any batch', async () => {
    const upstream = await serveUpstream(servePds(newState(100)));
    const source = makeSource(upstream.url);
    const window = { since: new Date(createdMs(40)), until: new Date(createdMs(70)) };
    for (let stopAfter = 1; stopAfter <= 8; stopAfter++) {
      const cut = await drain(source.backfill!(context(), window, new Map()), stopAfter);
      const rest = await drain(source.backfill!(context(), window, lastCursors(cut.batches)));
      const all = [...numbers(cut.batches), ...numbers(rest.batches)];
      expect(sorted(all)).toEqual(range(40, 69));
      expect(new Set(all).size).toBe(all.length);
    }
  });

  it('walks the window down by until with progress, resuming after a fault', async () => {
    const handler = servePds(newState(200));
    const upstream = await serveUpstream(handler);
    let searchCalls = 0;
    upstream.setHandler((request) =>
      request.path.endsWith('searchPosts') && ++searchCalls === 3 ? { status: 404, body: { error: 'X' } } : handler(request),
    );
    const source = makeSource(upstream.url);
    const window = { since: new Date(createdMs(50)), until: new Date(createdMs(90)) };
    const first = await drain(source.backfill!(context(), window, new Map()));
    expect(first.error).not.toBeNull();
    upstream.setHandler(handler);
    const second = await drain(source.backfill!(context(), window, lastCursors(first.batches)));
    expect(second.error).toBeNull();
    const all = [...numbers(first.batches), ...numbers(second.batches)];
    expect(sorted(all)).toEqual(range(50, 89));
    expect(new Set(all).size).toBe(all.length);
    const progress = [...first.batches, ...second.batches].map((b) => b.progress ?? -1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1);
  });
});
