import { describe, expect, it } from 'vitest';
import { maxRequestsInWindow, type FakeRequest, type FakeResponse } from '../../../test/support/fake-upstream.ts';
import { drain, fastHttp, ids, lastCursors, makeContext, serveUpstream } from '../../../test/support/source-harness.ts';
import type { CursorValue, SourceBatch } from '../types.ts';
import { createMastodonSource, type MastodonSourceOptions } from './source.ts';

const NOW = new Date('2026-11-26T12:00:00Z');
const T0 = NOW.getTime() - 24 * 3600_000;
const BASE = 113557700000000000n;
const idOf = (n: number) => String(BASE + BigInt(n) * 1000n);

function makeStatus(n: number): Record<string, unknown> {
  return {
    id: idOf(n),
    created_at: new Date(T0 + n * 60_000).toISOString(),
    uri: `https://social.example/users/u/statuses/${n}`,
    url: `https://social.example/@u/${n}`,
    content: `<p>Post ${n} about <a href="x" class="hashtag">#<span>claudecode</span></a> &amp; more<script>x()</script></p>`,
    account: { id: '1', username: 'u', acct: 'u@social.example' },
    favourites_count: n,
    replies_count: 0,
    reblog: null,
  };
}

const numberOf = (uri: string) => Number(uri.split('/').at(-1));

/** A tag timeline over statuses 1..maxId with Mastodon's max_id / min_id semantics and Link header. */
function serveTimeline(state: { maxId: number }, extraHeaders: Record<string, string> = {}) {
  return (request: FakeRequest): FakeResponse => {
    if (!request.path.startsWith('/api/v1/timelines/tag/')) return { status: 404, body: { error: 'Record not found' } };
    const limit = Number(request.query.get('limit') ?? 20);
    const maxId = request.query.get('max_id');
    const minId = request.query.get('min_id');
    let ns = Array.from({ length: state.maxId }, (_, i) => i + 1);
    if (maxId) ns = ns.filter((n) => BigInt(idOf(n)) < BigInt(maxId));
    if (minId) ns = ns.filter((n) => BigInt(idOf(n)) > BigInt(minId)).slice(0, limit);
    const page = ns.slice(-limit).reverse();
    const headers: Record<string, string> = { ...extraHeaders };
    if (page.length > 0) {
      const url = `http://fake${request.path}`;
      headers.link = `<${url}?max_id=${idOf(page.at(-1)!)}>; rel="next", <${url}?min_id=${idOf(page[0]!)}>; rel="prev"`;
    }
    return { headers, body: page.map(makeStatus) };
  };
}

const context = () => makeContext([{ slug: 'claude-code', phrases: ['Claude Code', 'claude-code'] }], NOW);

const makeSource = (instances: MastodonSourceOptions['instances'], extra: Partial<MastodonSourceOptions> = {}) =>
  createMastodonSource({ instances, ...fastHttp(), ...extra });

const numbers = (batches: SourceBatch[]) => ids(batches).map(numberOf);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const sorted = (list: number[]) => [...list].sort((a, b) => a - b);

describe('Mastodon source: poll', () => {
  it('reads the hashtag derived from the term and starts from the newest page within the lookback', async () => {
    const upstream = await serveUpstream(serveTimeline({ maxId: 60 }));
    const source = makeSource([upstream.url], { initialLookbackMs: 24 * 3600_000 - 30 * 60_000 });
    const { batches, error } = await drain(source.poll(context(), new Map()));
    expect(error).toBeNull();
    expect(upstream.requests.map((r) => r.path)).toEqual(['/api/v1/timelines/tag/claudecode']);
    expect(sorted(numbers(batches))).toEqual(range(30, 60));
    expect(batches[0]?.queryKey).toBe(`${new URL(upstream.url).host}/tags/claudecode`);
    expect(batches[0]?.cursor).toEqual({ minId: idOf(60) });
    expect(batches[0]?.posts[0]?.body).toBe('Post 60 about #claudecode & more');
  });

  it('walks forward with min_id, compared as BigInt, until it has caught up', async () => {
    const state = { maxId: 10 };
    const upstream = await serveUpstream(serveTimeline(state));
    const source = makeSource([upstream.url]);
    const first = await drain(source.poll(context(), new Map()));
    state.maxId = 110;
    upstream.requests.length = 0;
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(sorted(numbers(second.batches))).toEqual(range(11, 110));
    expect(new Set(numbers(second.batches)).size).toBe(100);
    expect(upstream.requests.map((r) => r.query.get('min_id'))).toEqual([idOf(10), idOf(50), idOf(90)]);
    expect(second.batches.at(-1)?.cursor).toEqual({ minId: idOf(110) });
  });

  it('resumes after a truncated page from the last yielded cursor, losing and repeating nothing', async () => {
    const state = { maxId: 130 };
    const handler = serveTimeline(state);
    const upstream = await serveUpstream(handler);
    let calls = 0;
    upstream.setHandler((request) => (++calls === 2 ? { body: '[{"id":"1135' } : handler(request)));
    const source = makeSource([upstream.url]);
    const stored = new Map<string, CursorValue>([[`${new URL(upstream.url).host}/tags/claudecode`, { minId: idOf(0) }]]);
    const first = await drain(source.poll(context(), stored));
    expect(String(first.error)).toMatch(/1 of 1 instances failed: .*malformed JSON/);
    expect(first.batches.map((b) => b.cursor)).toEqual([{ minId: idOf(40) }]);
    upstream.setHandler(handler);
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(sorted([...numbers(first.batches), ...numbers(second.batches)])).toEqual(range(1, 130));
  });

  it('holds the next request until X-RateLimit-Reset when no requests remain', async () => {
    const state = { maxId: 45 };
    const handler = serveTimeline(state);
    const upstream = await serveUpstream((request) => {
      const response = handler(request);
      if (upstream?.requests.length !== 1) return response;
      const reset = new Date(Date.now() + 1000).toISOString();
      return {
        ...response,
        headers: { ...response.headers, 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
      };
    });
    const stored = new Map<string, CursorValue>([[`${new URL(upstream.url).host}/tags/claudecode`, { minId: idOf(0) }]]);
    const { error } = await drain(makeSource([upstream.url]).poll(context(), stored));
    expect(error).toBeNull();
    const [first, second] = upstream.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('rides out 429 with Retry-After, a 500 and a slow response', async () => {
    const upstream = await serveUpstream(serveTimeline({ maxId: 5 }));
    upstream.queue({ status: 429, headers: { 'retry-after': '0' } }, { status: 500 }, { delayMs: 600, body: [] });
    const { batches, error } = await drain(makeSource([upstream.url]).poll(context(), new Map()));
    expect(error).toBeNull();
    expect(sorted(numbers(batches))).toEqual(range(1, 5));
    expect(upstream.requests).toHaveLength(4);
  });

  it('yields a status once when it also arrives as a boost, and reports a bad item', async () => {
    const upstream = await serveUpstream(() => ({
      body: [
        { ...makeStatus(9), id: idOf(12), uri: 'https://b/boost/1', reblog: makeStatus(9) },
        makeStatus(9),
        { id: idOf(8), uri: 'https://x/8' },
      ],
    }));
    const { batches } = await drain(makeSource([upstream.url]).poll(context(), new Map()));
    expect(numbers(batches)).toEqual([9]);
    expect(batches[0]?.rejected).toEqual([{ externalId: 'https://x/8', reason: expect.stringMatching(/invalid status/) }]);
    expect(batches[0]?.cursor).toEqual({ minId: idOf(12) });
  });

  it('collects the other instances when one answers in the wrong shape, then reports it', async () => {
    const handler = serveTimeline({ maxId: 3 });
    const upstream = await serveUpstream((request) =>
      request.headers.host?.startsWith('localhost') ? { body: { statuses: [] } } : handler(request),
    );
    const broken = upstream.url.replace('127.0.0.1', 'localhost');
    const { batches, error } = await drain(makeSource([broken, upstream.url]).poll(context(), new Map()));
    expect(sorted(numbers(batches))).toEqual(range(1, 3));
    expect(String(error)).toMatch(/1 of 2 instances failed: http:\/\/localhost:\d+ #claudecode: unexpected response shape/);
  });

  it('keeps requests inside its configured spacing', async () => {
    const state = { maxId: 1 };
    const upstream = await serveUpstream(serveTimeline(state));
    const source = makeSource([upstream.url], { rateLimit: { minTimeMs: 30 } });
    const first = await drain(source.poll(context(), new Map()));
    state.maxId = 320;
    await drain(source.poll(context(), lastCursors(first.batches)));
    expect(upstream.requests.length).toBeGreaterThanOrEqual(8);
    expect(maxRequestsInWindow(upstream.requests, 120)).toBeLessThanOrEqual(5);
  });

  it('is skipped with a reason when no instances are configured', () => {
    expect(makeSource([]).skipReason()).toBe('no Mastodon instances configured');
  });
  it('resumes from the cursors committed before a stop at any batch, losing and repeating nothing', async () => {
    const state = { maxId: 0 };
    const upstream = await serveUpstream(serveTimeline(state));
    const source = makeSource([upstream.url]);
    const start = lastCursors((await drain(source.poll(context(), new Map()))).batches);
    state.maxId = 150;
    for (let stopAfter = 1; stopAfter <= 4; stopAfter++) {
      const cut = await drain(source.poll(context(), start), stopAfter);
      const rest = await drain(source.poll(context(), new Map([...start, ...lastCursors(cut.batches)])));
      const all = [...numbers(cut.batches), ...numbers(rest.batches)];
      expect(sorted(all)).toEqual(range(1, 150));
      expect(new Set(all).size).toBe(all.length);
    }
  });
});

describe('Mastodon source: backfill', () => {
  it('walks down with max_id inside the window, with progress, resuming after a fault', async () => {
    const handler = serveTimeline({ maxId: 200 });
    const upstream = await serveUpstream(handler);
    let calls = 0;
    upstream.setHandler((request) => (++calls === 3 ? { status: 404, body: {} } : handler(request)));
    const source = makeSource([upstream.url]);
    const window = { since: new Date(T0 + 20 * 60_000), until: new Date(T0 + 150 * 60_000) };
    const first = await drain(source.backfill!(context(), window, new Map()));
    expect(first.error).not.toBeNull();
    upstream.setHandler(handler);
    const second = await drain(source.backfill!(context(), window, lastCursors(first.batches)));
    expect(second.error).toBeNull();
    expect(sorted([...numbers(first.batches), ...numbers(second.batches)])).toEqual(range(20, 149));
    const progress = [...first.batches, ...second.batches].map((b) => b.progress ?? -1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1);
  });
});
