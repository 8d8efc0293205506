import { describe, expect, it } from 'vitest';
import { maxRequestsInWindow, type FakeRequest, type FakeResponse } from '../../../test/support/fake-upstream.ts';
import { drain, fastHttp, ids, lastCursors, makeContext, serveUpstream } from '../../../test/support/source-harness.ts';
import type { CursorValue, SourceBatch } from '../types.ts';
import { createDiscourseSource, type DiscourseSourceOptions } from './source.ts';

const NOW = new Date('2026-11-26T12:00:00Z');
const T0 = NOW.getTime() - 24 * 3600_000;

/** Post n is created n minutes after T0; every third post mentions Claude Code (by body or topic). */
function makePost(id: number): Record<string, unknown> {
  const mentions = id % 3 === 0;
  return {
    id,
    username: `user${id}`,
    created_at: new Date(T0 + id * 60_000).toISOString(),
    cooked: mentions ? `<p>Post ${id}: Claude Code &amp; me <script>x()</script></p>` : `<p>Post ${id}: unrelated</p>`,
    post_number: 1 + (id % 7),
    post_type: 1,
    topic_id: 1000 + Math.floor(id / 10),
    topic_slug: 'topic',
    topic_title: 'A topic',
    actions_summary: [{ id: 2, count: id % 5 }],
  };
}

/** /posts.json like Discourse: ids <= before (inclusive), highest first, 50 a page. */
function serveLatest(state: { maxId: number }, pageSize = 50) {
  return (request: FakeRequest): FakeResponse => {
    const before = Number(request.query.get('before') ?? 0);
    const top = before > 0 ? Math.min(before, state.maxId) : state.maxId;
    const ids = Array.from({ length: Math.max(0, Math.min(pageSize, top)) }, (_, i) => top - i);
    return { body: { latest_posts: ids.map(makePost) } };
  };
}

const context = () => makeContext([{ slug: 'claude-code', phrases: ['Claude Code'] }], NOW);

const makeSource = (forums: DiscourseSourceOptions['forums'], extra: Partial<DiscourseSourceOptions> = {}) =>
  createDiscourseSource({
    forums,
    initialLookbackMs: 48 * 3600_000,
    ...fastHttp(),
    ...extra,
  });

const postIds = (batches: SourceBatch[]) => ids(batches).map((id) => Number(id.split(':').at(-1)));
const mentioning = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((id) => id % 3 === 0);
const desc = (ids: number[]) => [...ids].sort((a, b) => b - a);

describe('Discourse source: poll', () => {
  it('walks /posts.json down with before = smallest id - 1 and keeps posts that mention a term', async () => {
    const state = { maxId: 120 };
    const upstream = await serveUpstream(serveLatest(state));
    const { batches, error } = await drain(makeSource([upstream.url]).poll(context(), new Map()));
    expect(error).toBeNull();
    expect(postIds(batches)).toEqual(desc(mentioning(1, 120)));
    expect(upstream.requests.map((r) => r.query.get('before'))).toEqual([null, '70', '20']);
    expect(batches.at(-1)?.cursor).toEqual({ hwm: 120, walk: null });
    expect(batches[0]?.posts[0]?.body).toBe('Post 120: Claude Code & me');
    expect(batches[0]?.queryKey).toBe(`forum:${upstream.url}`);
  });

  it('stops at the high-water mark on the next poll and yields only newer posts', async () => {
    const state = { maxId: 120 };
    const upstream = await serveUpstream(serveLatest(state));
    const source = makeSource([upstream.url]);
    const first = await drain(source.poll(context(), new Map()));
    state.maxId = 135;
    upstream.requests.length = 0;
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(postIds(second.batches)).toEqual(desc(mentioning(121, 135)));
    expect(upstream.requests).toHaveLength(1);
    expect(second.batches.at(-1)?.cursor).toEqual({ hwm: 135, walk: null });
  });

  it('stops only as far back as the first-poll lookback', async () => {
    const upstream = await serveUpstream(serveLatest({ maxId: 120 }));
    const { batches } = await drain(
      makeSource([upstream.url], { initialLookbackMs: 24 * 3600_000 - 100 * 60_000 }).poll(context(), new Map()),
    );
    expect(postIds(batches)).toEqual(desc(mentioning(100, 120)));
    expect(upstream.requests).toHaveLength(1);
  });

  it('keeps an unfinished walk in the cursor when a page is truncated, and finishes it next time', async () => {
    const state = { maxId: 130 };
    const handler = serveLatest(state);
    const upstream = await serveUpstream(handler);
    let calls = 0;
    upstream.setHandler((request) => (++calls === 3 ? { body: '{"latest_posts":[{"id":' } : handler(request)));
    const source = makeSource([upstream.url]);
    const stored = new Map<string, CursorValue>([[`forum:${upstream.url}`, { hwm: 10, walk: null }]]);
    const first = await drain(source.poll(context(), stored));
    expect(String(first.error)).toMatch(/1 of 1 forums failed: .*malformed JSON/);
    expect(first.batches.at(-1)?.cursor).toEqual({ hwm: 10, walk: { top: 130, before: 30 } });

    upstream.setHandler(handler);
    state.maxId = 133;
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(second.error).toBeNull();
    expect([...postIds(first.batches), ...postIds(second.batches)].sort((a, b) => a - b)).toEqual(mentioning(11, 133));
    expect(second.batches.at(-1)?.cursor).toEqual({ hwm: 133, walk: null });
  });

  it('pauses a long walk at the page budget and resumes it without gaps', async () => {
    const upstream = await serveUpstream(serveLatest({ maxId: 120 }));
    const source = makeSource([upstream.url], { maxPagesPerPoll: 1 });
    const cursors = new Map<string, CursorValue>();
    const seen: number[] = [];
    for (let run = 0; run < 4; run++) {
      const { batches } = await drain(source.poll(context(), cursors));
      seen.push(...postIds(batches));
      for (const [key, value] of lastCursors(batches)) cursors.set(key, value);
    }
    expect(seen).toEqual(desc(mentioning(1, 120)));
    expect(cursors.get(`forum:${upstream.url}`)).toEqual({ hwm: 120, walk: null });
  });

  it('rides out 429 with Retry-After, a 500 and a slow response, and sends API key headers', async () => {
    const upstream = await serveUpstream(serveLatest({ maxId: 40 }));
    upstream.queue(
      { status: 429, headers: { 'retry-after': '0' }, body: { errors: ['slow down'], error_type: 'rate_limit' } },
      { status: 500 },
      { delayMs: 600, body: { latest_posts: [] } },
    );
    const source = makeSource([{ url: upstream.url, apiKey: 'k', apiUsername: 'system' }]);
    const { batches, error } = await drain(source.poll(context(), new Map()));
    expect(error).toBeNull();
    expect(postIds(batches)).toEqual(desc(mentioning(1, 40)));
    expect(upstream.requests.at(-1)?.headers['api-key']).toBe('k');
    expect(upstream.requests.at(-1)?.headers['api-username']).toBe('system');
  });

  it('yields a post repeated on the next page once and reports a bad one', async () => {
    const handler = serveLatest({ maxId: 60 });
    const upstream = await serveUpstream((request) => {
      const response = handler(request);
      const body = response.body as { latest_posts: unknown[] };
      if (request.query.get('before')) body.latest_posts.unshift(makePost(51), { id: 999, topic_id: 'x' });
      return response;
    });
    const { batches } = await drain(makeSource([upstream.url]).poll(context(), new Map()));
    expect(postIds(batches)).toEqual(desc(mentioning(1, 60)));
    expect(batches.flatMap((b) => b.rejected)).toEqual([
      { externalId: expect.stringMatching(/:999$/), reason: expect.stringMatching(/invalid post/) },
    ]);
  });

  it('collects the other forums when one answers in the wrong shape, then reports it', async () => {
    const handler = serveLatest({ maxId: 30 });
    const upstream = await serveUpstream((request) =>
      request.path.startsWith('/bad') ? { body: { topic_list: { topics: [] } } } : handler(request),
    );
    const broken = `${upstream.url}/bad`;
    const good = upstream.url.replace('127.0.0.1', 'localhost');
    const { batches, error } = await drain(makeSource([broken, good]).poll(context(), new Map()));
    expect(postIds(batches)).toEqual(desc(mentioning(1, 30)));
    expect(batches[0]?.posts[0]?.externalId).toMatch(/^localhost:\d+:30$/);
    expect(String(error)).toMatch(/1 of 2 forums failed: .*\/bad: unexpected response shape at latest_posts/);
  });

  it('keeps requests inside its configured spacing', async () => {
    const upstream = await serveUpstream(serveLatest({ maxId: 400 }, 50));
    await drain(makeSource([upstream.url], { rateLimit: { minTimeMs: 30 } }).poll(context(), new Map()));
    expect(upstream.requests).toHaveLength(8);
    expect(maxRequestsInWindow(upstream.requests, 120)).toBeLessThanOrEqual(5);
  });

  it('stops at once on abort instead of recording the forum as failed and moving on', async () => {
    const upstream = await serveUpstream(() => ({ delayMs: 250, body: { latest_posts: [] } }));
    const controller = new AbortController();
    const source = makeSource([upstream.url, upstream.url.replace('127.0.0.1', 'localhost')], { timeoutMs: 5_000 });
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    const { batches, error } = await drain(source.poll({ ...context(), signal: controller.signal }, new Map()));
    expect(batches).toEqual([]);
    expect(String(error)).not.toMatch(/forums failed/);
    expect(upstream.requests).toHaveLength(1);
  });

  it('is skipped with a reason when no forums are configured', () => {
    expect(makeSource([]).skipReason()).toBe('no Discourse forums configured');
  });
  it('resumes from the cursors committed before a stop at any batch, losing and repeating nothing', async () => {
    const upstream = await serveUpstream(serveLatest({ maxId: 120 }, 20));
    const source = makeSource([upstream.url]);
    for (let stopAfter = 1; stopAfter <= 7; stopAfter++) {
      const cut = await drain(source.poll(context(), new Map()), stopAfter);
      const rest = await drain(source.poll(context(), lastCursors(cut.batches)));
      expect([...postIds(cut.batches), ...postIds(rest.batches)]).toEqual(desc(mentioning(1, 120)));
    }
  });
});

describe('Discourse source: backfill', () => {
  it('walks down through the window with progress, resuming after a fault', async () => {
    const handler = serveLatest({ maxId: 200 }, 20);
    const upstream = await serveUpstream(handler);
    let calls = 0;
    upstream.setHandler((request) => (++calls === 4 ? { status: 404, body: 'gone' } : handler(request)));
    const source = makeSource([upstream.url]);
    const window = { since: new Date(T0 + 50 * 60_000), until: new Date(T0 + 150 * 60_000) };
    const first = await drain(source.backfill!(context(), window, new Map()));
    expect(first.error).not.toBeNull();
    upstream.setHandler(handler);
    const second = await drain(source.backfill!(context(), window, lastCursors(first.batches)));
    expect(second.error).toBeNull();
    expect([...postIds(first.batches), ...postIds(second.batches)].sort((a, b) => a - b)).toEqual(mentioning(50, 149));
    const progress = [...first.batches, ...second.batches].map((b) => b.progress ?? -1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1);
    const again = await drain(source.backfill!(context(), window, lastCursors(second.batches)));
    expect(again.batches).toEqual([]);
  });
});
