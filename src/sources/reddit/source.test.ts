import { describe, expect, it } from 'vitest';
import { maxRequestsInWindow, type FakeRequest, type FakeResponse } from '../../../test/support/fake-upstream.ts';
import {
  drain,
  fastHttp,
  ids,
  lastCursors,
  makeContext,
  serveUpstream,
  termsOf,
  warningsIn,
  type LoggedLine,
} from '../../../test/support/source-harness.ts';
import type { UpstreamError } from '../http.ts';
import { REDDIT_ANONYMOUS_RATE_LIMIT, REDDIT_OAUTH_RATE_LIMIT } from './client.ts';
import { createRedditSource, toRedditBackfillKey, toRedditQueryKey, type RedditSourceOptions } from './source.ts';

const NOW = new Date('2026-03-02T12:00:00Z');
const NOW_S = NOW.getTime() / 1000;

interface Doc {
  id: string;
  createdS: number;
  title: string;
  selftext?: string;
}

function makeDocs(count: number, title: string, newest: number, prefix: string, stepS = 60): Doc[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}`, createdS: newest - i * stepS, title: `${title} ${i}` }));
}

const toThing = (doc: Doc) => ({
  kind: 't3',
  data: {
    id: doc.id,
    name: `t3_${doc.id}`,
    title: doc.title,
    selftext: doc.selftext ?? 'text',
    selftext_html: `<div class="md"><p>${doc.selftext ?? 'text'}</p></div>`,
    permalink: `/r/test/comments/${doc.id}/x/`,
    author: 'dev',
    subreddit: 'test',
    created: doc.createdS - 28_800,
    created_utc: doc.createdS,
    score: 5,
    num_comments: 2,
  },
});

/** Reddit search: OR of quoted phrases, newest first, `after` paging, about 1,000 items reachable. */
function redditHandler(docs: Doc[], tokens: { issued: number; valid: Set<string> }, trees: Record<string, unknown[]> = {}) {
  return (request: FakeRequest): FakeResponse => {
    if (request.path === '/api/v1/access_token') {
      if (request.method !== 'POST' || request.headers.authorization !== `Basic ${Buffer.from('cid:secret').toString('base64')}`) {
        return { status: 401, body: { message: 'Unauthorized', error: 401 } };
      }
      if (request.body !== 'grant_type=client_credentials') return { status: 400, body: { error: 'unsupported_grant_type' } };
      const token = `tok-${++tokens.issued}`;
      tokens.valid.add(token);
      return { body: { access_token: token, token_type: 'bearer', expires_in: 86_400, scope: '*' } };
    }
    const thread = /^\/comments\/([^/.]+)(\.json)?$/.exec(request.path);
    const oauth = request.path === '/search' || request.path === '/r/a+b/search' || (thread !== null && thread[2] === undefined);
    if (!oauth && request.path !== '/search.json' && thread === null) return { status: 404, body: { message: 'Not Found', error: 404 } };
    if (oauth && !tokens.valid.has((request.headers.authorization ?? '').replace(/^bearer /, ''))) {
      return { status: 401, body: { message: 'Unauthorized', error: 401 } };
    }
    if (thread) {
      const doc = docs.find((d) => d.id === thread[1]);
      if (!doc) return { status: 404, body: { message: 'Not Found', error: 404 } };
      const listing = (children: unknown[]) => ({
        kind: 'Listing',
        data: { after: null, before: null, dist: children.length, modhash: '', children },
      });
      return { body: [listing([toThing(doc)]), listing(trees[doc.id] ?? [])] };
    }
    const phrases = [...(request.query.get('q') ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]!.toLowerCase());
    const matching = docs
      .filter((d) => phrases.some((p) => `${d.title} ${d.selftext ?? ''}`.toLowerCase().includes(p)))
      .sort((a, b) => b.createdS - a.createdS)
      .slice(0, 1000);
    const after = request.query.get('after');
    const anchor = after ? matching.findIndex((d) => `t3_${d.id}` === after) : -1;
    // An `after` naming a post that is not (or no longer) in the listing gives an empty page.
    const startAt = after ? (anchor === -1 ? matching.length : anchor + 1) : 0;
    const limit = Number(request.query.get('limit') ?? 25);
    const page = matching.slice(startAt, startAt + limit);
    const last = page.at(-1);
    return {
      headers: { 'x-ratelimit-used': '1', 'x-ratelimit-remaining': '99.0', 'x-ratelimit-reset': '1' },
      body: {
        kind: 'Listing',
        data: {
          after: last && startAt + limit < matching.length ? `t3_${last.id}` : null,
          before: null,
          dist: page.length,
          modhash: '',
          children: page.map(toThing),
        },
      },
    };
  };
}

const context = (terms: Array<[string, string[]]>, logs?: LoggedLine[]) => makeContext(termsOf(terms), NOW, logs);

async function start(docs: Doc[], extra: Partial<RedditSourceOptions> = {}, trees: Record<string, unknown[]> = {}) {
  const tokens = { issued: 0, valid: new Set<string>() };
  const upstream = await serveUpstream(redditHandler(docs, tokens, trees));
  const source = createRedditSource({
    baseUrl: upstream.url,
    oauthBaseUrl: upstream.url,
    clientId: 'cid',
    clientSecret: 'secret',
    userAgent: 'linux:dev.vibecheck.test:v0.1.0 (by /u/vibecheck)',
    ...fastHttp(),
    retries: 3,
    limit: 25,
    // The search tests count requests exactly; the comment tests below switch this on.
    fetchComments: false,
    ...extra,
  });
  return { upstream, source, tokens };
}

const searches = (requests: FakeRequest[]) => requests.filter((r) => r.path !== '/api/v1/access_token');

describe('createRedditSource poll', () => {
  it('gets an app-only token, then pages the OR-ed search with bearer, raw_json=1 and after', async () => {
    const docs = [...makeDocs(60, 'Claude Code', NOW_S - 60, 'a'), ...makeDocs(5, 'claude-code cli', NOW_S - 90, 'b')];
    const { upstream, source, tokens } = await start(docs);
    const { batches, error } = await drain(source.poll(context([['claude-code', ['Claude Code', 'claude-code']]]), new Map()));
    expect(error).toBeNull();
    const got = ids(batches);
    expect(got.sort()).toEqual(docs.map((d) => `t3_${d.id}`).sort());
    expect(tokens.issued).toBe(1);
    const calls = searches(upstream.requests);
    expect(calls).toHaveLength(3);
    expect(calls[0]?.headers.authorization).toBe('bearer tok-1');
    expect(calls[0]?.headers['user-agent']).toBe('linux:dev.vibecheck.test:v0.1.0 (by /u/vibecheck)');
    expect(Object.fromEntries(calls[0]!.query)).toMatchObject({
      q: '"claude code" OR "claude-code"',
      sort: 'new',
      t: 'week',
      raw_json: '1',
      limit: '25',
    });
    expect(calls[1]?.query.get('after')).toBe(batches[0]?.posts.at(-1)?.externalId);
    expect(batches[0]?.posts).toHaveLength(25);
    expect(batches.at(-1)?.cursor).toMatchObject({ hw: NOW_S - 60, walk: null });
    const recent = (batches.at(-1)?.cursor as { recent: Record<string, number> }).recent;
    expect(Object.keys(recent).sort()).toEqual(
      docs
        .filter((d) => d.createdS >= NOW_S - 660)
        .map((d) => `t3_${d.id}`)
        .sort(),
    );
  });

  it('resumes from the cursor of every batch with nothing lost and nothing repeated', async () => {
    const docs = makeDocs(70, 'zed', NOW_S - 100, 'r', 30);
    const { source } = await start(docs, { clientId: null });
    const ctx = context([['zed', ['zed']]]);
    const full = await drain(source.poll(ctx, new Map()));
    expect(full.batches.length).toBeGreaterThanOrEqual(3);
    for (let k = 1; k < full.batches.length; k++) {
      const prefix = full.batches.slice(0, k);
      const rest = await drain(source.poll(ctx, lastCursors(prefix)));
      expect([...ids(prefix), ...ids(rest.batches)].sort()).toEqual(docs.map((d) => `t3_${d.id}`).sort());
    }
  });

  it('walks again from the top when the stored after anchor has vanished, losing nothing', async () => {
    const docs = makeDocs(40, 'zed', NOW_S - 100, 'v', 30);
    const { source } = await start(docs, { clientId: null });
    const cursor = { hw: NOW_S - 86_400, recent: {}, walk: { after: 't3_deleted_post', top: NOW_S - 100, added: {} } };
    const logs: LoggedLine[] = [];
    const { batches, error } = await drain(
      source.poll(context([['zed', ['zed']]], logs), new Map([[toRedditQueryKey({ slug: 'zed', phrases: [] }), cursor]])),
    );
    expect(error).toBeNull();
    expect(ids(batches).sort()).toEqual(docs.map((d) => `t3_${d.id}`).sort());
    expect(warningsIn(logs).some((w) => /anchor/.test(w))).toBe(true);
  });

  it('stops at the high-water mark on the next poll and takes only what is new', async () => {
    const docs = makeDocs(30, 'cursor', NOW_S - 600, 'a');
    const { upstream, source } = await start(docs);
    const ctx = context([['cursor', ['cursor']]]);
    const first = await drain(source.poll(ctx, new Map()));
    expect(ids(first.batches)).toHaveLength(30);
    docs.push({ id: 'same', createdS: NOW_S - 600, title: 'cursor same second' }, { id: 'new', createdS: NOW_S - 30, title: 'cursor new' });
    const before = searches(upstream.requests).length;
    const second = await drain(source.poll(ctx, lastCursors(first.batches)));
    expect(ids(second.batches).sort()).toEqual(['t3_new', 't3_same']);
    expect(searches(upstream.requests).length - before).toBe(1);
    expect(searches(upstream.requests).at(-1)?.query.get('t')).toBe('hour');
  });

  it('reads into the overlap for a post the search index returned late, repeating none', async () => {
    const docs = makeDocs(5, 'cursor', NOW_S - 100, 'a');
    const { source } = await start(docs, { overlapMs: 600_000 });
    const ctx = context([['cursor', ['cursor']]]);
    const first = await drain(source.poll(ctx, new Map()));
    docs.push(
      { id: 'late', createdS: NOW_S - 500, title: 'cursor indexed late' },
      { id: 'ancient', createdS: NOW_S - 2000, title: 'cursor too old' },
    );
    const second = await drain(source.poll(ctx, lastCursors(first.batches)));
    expect(ids(second.batches)).toEqual(['t3_late']);
  });

  it('fetches a new token when a request answers 401, then carries on', async () => {
    const docs = makeDocs(3, 'zed', NOW_S - 60, 'a');
    const { source, tokens } = await start(docs);
    const ctx = context([['zed', ['zed']]]);
    await drain(source.poll(ctx, new Map()));
    tokens.valid.clear();
    const { batches, error } = await drain(source.poll(ctx, new Map()));
    expect(error).toBeNull();
    expect(tokens.issued).toBe(2);
    expect(ids(batches)).toHaveLength(3);
  });

  it('asks for a new token once the old one is within a minute of expiring', async () => {
    const docs = makeDocs(2, 'zed', NOW_S - 60, 'a');
    const { upstream, source, tokens } = await start(docs);
    const base = redditHandler(docs, tokens);
    upstream.setHandler((request) => {
      const response = base(request);
      if (request.path === '/api/v1/access_token') (response.body as { expires_in: number }).expires_in = 60;
      return response;
    });
    const ctx = context([['zed', ['zed']]]);
    await drain(source.poll(ctx, new Map()));
    await drain(source.poll(ctx, new Map()));
    expect(tokens.issued).toBe(2);
    expect(upstream.requests.filter((r) => r.path === '/api/v1/access_token')).toHaveLength(2);
  });

  it('defaults to 100 requests a minute with OAuth and 10 without', () => {
    expect(60_000 / REDDIT_OAUTH_RATE_LIMIT.minTimeMs).toBe(100);
    expect(60_000 / REDDIT_ANONYMOUS_RATE_LIMIT.minTimeMs).toBe(10);
  });

  it('runs anonymously against .json without credentials, and says so', async () => {
    const logs: LoggedLine[] = [];
    const { upstream, source } = await start(makeDocs(2, 'aider', NOW_S - 60, 'a'), { clientId: null, clientSecret: null });
    const { batches, error } = await drain(source.poll(context([['aider', ['aider']]], logs), new Map()));
    expect(error).toBeNull();
    expect(ids(batches)).toHaveLength(2);
    expect(upstream.requests.map((r) => r.path)).toEqual(['/search.json']);
    expect(upstream.requests[0]?.headers.authorization).toBeUndefined();
    expect(logs.some((l) => /anonymous/.test(l.msg))).toBe(true);
  });

  it('searches only the configured subreddits with restrict_sr', async () => {
    const { upstream, source } = await start(makeDocs(2, 'aider', NOW_S - 60, 'a'), { subreddits: ['a', 'b'] });
    await drain(source.poll(context([['aider', ['aider']]]), new Map()));
    const call = searches(upstream.requests)[0];
    expect(call?.path).toBe('/r/a+b/search');
    expect(call?.query.get('restrict_sr')).toBe('1');
  });

  it('waits out X-Ratelimit-Reset when X-Ratelimit-Remaining reaches 0', async () => {
    const docs = makeDocs(40, 'zed', NOW_S - 60, 'a');
    const tokens = { issued: 0, valid: new Set<string>() };
    const { upstream, source } = await start(docs);
    const handler = redditHandler(docs, tokens);
    let calls = 0;
    upstream.setHandler((request) => {
      const response = handler(request);
      if (request.path === '/search' && ++calls === 1)
        response.headers = { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1', 'x-ratelimit-used': '100' };
      return response;
    });
    const { error } = await drain(source.poll(context([['zed', ['zed']]]), new Map()));
    expect(error).toBeNull();
    const [first, second] = searches(upstream.requests);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('rides out 429 with Retry-After, 500 and a slow response with every post once', async () => {
    const docs = makeDocs(60, 'aider', NOW_S - 60, 'a');
    const { upstream, source } = await start(docs, { clientId: null });
    upstream.queue(
      { status: 429, headers: { 'retry-after': '1' }, body: 'Too Many Requests' },
      { status: 500, body: 'oops' },
      { delayMs: 700, body: {} },
    );
    const { batches, error } = await drain(source.poll(context([['aider', ['aider']]]), new Map()));
    expect(error).toBeNull();
    expect(ids(batches).sort()).toEqual(docs.map((d) => `t3_${d.id}`).sort());
    expect((upstream.requests[1]?.at ?? 0) - (upstream.requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('dies on truncated JSON at page 3 and resumes from the stored after, nothing lost or repeated', async () => {
    const docs = makeDocs(70, 'aider', NOW_S - 60, 'a');
    const tokens = { issued: 0, valid: new Set<string>() };
    const { upstream, source } = await start(docs, { clientId: null });
    const handler = redditHandler(docs, tokens);
    let calls = 0;
    upstream.setHandler((request) => (++calls === 3 ? { body: '{"kind":"Listing","data":{"after":"t3_' } : handler(request)));
    const ctx = context([['aider', ['aider']]]);
    const first = await drain(source.poll(ctx, new Map()));
    expect((first.error as Error).message).toMatch(/malformed JSON/);
    expect(first.batches).toHaveLength(2);
    expect(first.batches[1]?.cursor).toMatchObject({ walk: { after: 't3_a49' } });
    const second = await drain(source.poll(ctx, lastCursors(first.batches)));
    expect(second.error).toBeNull();
    expect(upstream.requests.at(-1)?.query.get('after')).toBe('t3_a49');
    const all = [...ids(first.batches), ...ids(second.batches)];
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(docs.map((d) => `t3_${d.id}`).sort());
  });

  it('fails on a wrong envelope; drops deleted, rejects broken and cleans HTML in a good page', async () => {
    const { upstream, source } = await start([], { clientId: null });
    upstream.queue({ body: { kind: 't3', data: {} } });
    const wrong = await drain(source.poll(context([['zed', ['zed']]]), new Map()));
    expect((wrong.error as Error).message).toMatch(/unexpected response shape/);
    const good = toThing({ id: 'ok', createdS: NOW_S - 10, title: 'Zed &amp; friends' });
    good.data.selftext_html = '<div class="md"><p>fast &lt;3<script>steal()</script></p></div>';
    const deleted = toThing({ id: 'gone', createdS: NOW_S - 11, title: 'zed', selftext: '[deleted]' });
    deleted.data.selftext_html = '';
    upstream.queue({
      body: {
        kind: 'Listing',
        data: {
          after: null,
          children: [
            good,
            deleted,
            { kind: 't3', data: { name: 't3_bad', title: 'zed' } },
            toThing({ id: 'ok', createdS: NOW_S - 10, title: 'dup' }),
          ],
        },
      },
    });
    const { batches } = await drain(source.poll(context([['zed', ['zed']]]), new Map()));
    expect(ids(batches)).toEqual(['t3_ok']);
    expect(batches[0]?.posts[0]).toMatchObject({ title: 'Zed & friends', body: 'fast <3' });
    expect(batches[0]?.rejected).toEqual([{ externalId: 't3_bad', reason: expect.any(String) }]);
    expect(batches[0]?.fetched).toBe(4);
  });

  it('yields a post repeated on the next page once, across terms too, within the rate limit', async () => {
    const docs = [...makeDocs(50, 'zed', NOW_S - 60, 'a'), { id: 'both', createdS: NOW_S - 5, title: 'zed vs cursor' }];
    const tokens = { issued: 0, valid: new Set<string>() };
    const { upstream, source } = await start(docs, { clientId: null, rateLimit: { minTimeMs: 50 }, limit: 10 });
    const handler = redditHandler(docs, tokens);
    let calls = 0;
    upstream.setHandler((request) => {
      const response = handler(request);
      if (++calls === 2) (response.body as { data: { children: unknown[] } }).data.children.push(toThing(docs[3]!));
      return response;
    });
    const { batches } = await drain(
      source.poll(
        context([
          ['zed', ['zed']],
          ['cursor', ['cursor']],
        ]),
        new Map(),
      ),
    );
    const got = ids(batches);
    expect(got).toHaveLength(51);
    expect(new Set(got).size).toBe(51);
    expect(batches.at(-1)?.queryKey).toBe(toRedditQueryKey({ slug: 'cursor', phrases: [] }));
    // 50 ms spacing allows 3 starts in any 150 ms, one more at the edge; unthrottled, they would bunch up.
    expect(upstream.requests.length).toBeGreaterThanOrEqual(6);
    expect(maxRequestsInWindow(upstream.requests, 150)).toBeLessThanOrEqual(4);
  });
});

/** A t1 under post `post`; `replies` nest as Reddit nests them, in a listing. */
function comment(post: string, id: string, parent: string, body: string, createdS: number, replies: unknown[] = []) {
  return {
    kind: 't1',
    data: {
      id,
      name: `t1_${id}`,
      body,
      author: body === '[deleted]' ? '[deleted]' : 'dev',
      created_utc: createdS,
      score: 1,
      parent_id: parent,
      link_id: `t3_${post}`,
      permalink: `/r/test/comments/${post}/x/${id}/`,
      replies: replies.length > 0 ? { kind: 'Listing', data: { after: null, children: replies } } : '',
    },
  };
}

describe('createRedditSource poll with comments', () => {
  const docs = () => [
    { id: 'p0', createdS: NOW_S - 100, title: 'zed first' },
    { id: 'p1', createdS: NOW_S - 200, title: 'zed second' },
  ];
  const trees = (): Record<string, unknown[]> => ({
    p0: [
      comment('p0', 'c1', 't3_p0', 'Zed is fast', NOW_S - 50, [comment('p0', 'c2', 't1_c1', 'agreed, zed &amp; friends', NOW_S - 40)]),
      comment('p0', 'c3', 't3_p0', 'unrelated chatter', NOW_S - 30),
    ],
    p1: [
      comment('p1', 'c4', 't3_p1', 'I went back to Cursor', NOW_S - 20),
      comment('p1', 'c5', 't3_p1', '[deleted]', NOW_S - 15, [comment('p1', 'c6', 't1_c5', 'zed here too', NOW_S - 10)]),
      { kind: 'more', data: { id: 'c7', name: 't1_c7', count: 2, parent_id: 't3_p1', children: ['c7', 'c8'] } },
    ],
  });
  const threads = (requests: FakeRequest[]) => requests.filter((r) => r.path.startsWith('/comments/'));

  it('yields comments naming any term once, in their post’s batch, with thread, parent and post title', async () => {
    const { upstream, source } = await start(docs(), { fetchComments: true }, trees());
    const logs: LoggedLine[] = [];
    const ctx = context(
      [
        ['zed', ['zed']],
        ['cursor', ['cursor']],
      ],
      logs,
    );
    const first = await drain(source.poll(ctx, new Map()));
    expect(first.error).toBeNull();
    expect(first.batches[0]?.posts.map((p) => p.externalId)).toEqual(['t3_p0', 't3_p1', 't1_c1', 't1_c2', 't1_c4', 't1_c6']);
    expect(ids(first.batches)).toHaveLength(6);
    const byId = new Map(first.batches[0]!.posts.map((p) => [p.externalId, p]));
    expect(byId.get('t1_c2')).toMatchObject({
      parentId: 't1_c1',
      threadId: 't3_p0',
      title: 'zed first',
      body: 'agreed, zed & friends',
      url: 'https://www.reddit.com/r/test/comments/p0/x/c2/',
    });
    expect(byId.get('t1_c6')).toMatchObject({ parentId: 't1_c5', threadId: 't3_p1', title: 'zed second' });
    const calls = threads(upstream.requests);
    expect(calls.map((r) => r.path)).toEqual(['/comments/p0', '/comments/p1']);
    expect(Object.fromEntries(calls[0]!.query)).toMatchObject({ raw_json: '1', limit: '100', sort: 'new' });
    expect(calls[0]?.headers.authorization).toBe('bearer tok-1');
    expect(logs.some((l) => l.level === 'debug' && /more/.test(l.msg))).toBe(true);
    expect(first.batches[0]?.cursor).toMatchObject({ hw: NOW_S - 100, walk: null });

    expect(first.batches[0]?.cursor).toMatchObject({
      tracked: { t3_p0: NOW_S - 100, t3_p1: NOW_S - 200 },
      revisited: { t3_p0: NOW_S, t3_p1: NOW_S },
    });

    // Trees read moments ago are not read again yet (revisitAfterMs).
    const second = await drain(source.poll(ctx, lastCursors(first.batches)));
    expect(ids(second.batches)).toEqual([]);
    expect(threads(upstream.requests)).toHaveLength(2);
  });

  it('reads the anonymous .json path without credentials', async () => {
    const { upstream, source } = await start(docs(), { fetchComments: true, clientId: null }, trees());
    const { batches } = await drain(source.poll(context([['zed', ['zed']]]), new Map()));
    expect(ids(batches)).toContain('t1_c6');
    expect(threads(upstream.requests).map((r) => r.path)).toEqual(['/comments/p0.json', '/comments/p1.json']);
  });

  it('keeps the post and its batch cursor when the comments endpoint answers 500, warning with the post id', async () => {
    const tokens = { issued: 0, valid: new Set<string>() };
    const { upstream, source } = await start(docs(), { fetchComments: true }, trees());
    const handler = redditHandler(docs(), tokens, trees());
    upstream.setHandler((request) => (request.path === '/comments/p0' ? { status: 500, body: 'oops' } : handler(request)));
    const warned: object[] = [];
    const ctx = context([['zed', ['zed']]]);
    ctx.log.warn = (obj) => warned.push(obj);
    const { batches, error } = await drain(source.poll(ctx, new Map()));
    expect(error).toBeNull();
    expect(ids(batches)).toEqual(['t3_p0', 't3_p1', 't1_c6']);
    expect(upstream.requests.filter((r) => r.path === '/comments/p0')).toHaveLength(4);
    expect(warned).toEqual([expect.objectContaining({ post: 't3_p0' })]);
    const plain = await start(docs(), { fetchComments: false });
    const without = await drain(plain.source.poll(context([['zed', ['zed']]]), new Map()));
    const searchPart = (cursor: unknown) => {
      const { hw, recent, walk } = cursor as { hw: number; recent: object; walk: object | null };
      return { hw, recent, walk };
    };
    expect(batches.map((b) => searchPart(b.cursor))).toEqual(without.batches.map((b) => searchPart(b.cursor)));
    // The post whose tree failed has no read time, so the next poll's revisits take it first.
    expect(batches.at(-1)?.cursor).toMatchObject({ tracked: { t3_p0: NOW_S - 100, t3_p1: NOW_S - 200 }, revisited: { t3_p1: NOW_S } });
    expect((batches.at(-1)?.cursor as { revisited: object }).revisited).not.toHaveProperty('t3_p0');
  });

  it('skips the request for a post with no comments and for fetchComments: false', async () => {
    const quiet = await start([{ id: 'q', createdS: NOW_S - 10, title: 'zed quiet' }], { fetchComments: true });
    quiet.upstream.setHandler((request) => {
      const response = redditHandler([{ id: 'q', createdS: NOW_S - 10, title: 'zed quiet' }], { issued: 0, valid: new Set(['tok-1']) })(
        request,
      );
      if (request.path === '/search')
        (response.body as { data: { children: Array<{ data: { num_comments: number } }> } }).data.children[0]!.data.num_comments = 0;
      return response;
    });
    await drain(quiet.source.poll(context([['zed', ['zed']]]), new Map()));
    expect(threads(quiet.upstream.requests)).toHaveLength(0);
    const off = await start(docs(), {}, trees());
    await drain(off.source.poll(context([['zed', ['zed']]]), new Map()));
    expect(threads(off.upstream.requests)).toHaveLength(0);
  });

  it('spaces search and comment requests alike inside the rate limit', async () => {
    const many = makeDocs(8, 'zed', NOW_S - 60, 'm', 10);
    const { upstream, source } = await start(many, { fetchComments: true, clientId: null, rateLimit: { minTimeMs: 50 } });
    const { batches, error } = await drain(source.poll(context([['zed', ['zed']]]), new Map()));
    expect(error).toBeNull();
    expect(ids(batches)).toHaveLength(8);
    expect(threads(upstream.requests)).toHaveLength(8);
    // 50 ms spacing allows 3 starts in any 150 ms, one more at the edge; unthrottled, nine would bunch up.
    expect(maxRequestsInWindow(upstream.requests, 150)).toBeLessThanOrEqual(4);
  });
});

describe('createRedditSource poll revisits', () => {
  /** A context for the term zed whose clock stands `offsetS` seconds after NOW. */
  const at = (offsetS: number, logs?: LoggedLine[]) => makeContext(termsOf([['zed', ['zed']]]), new Date((NOW_S + offsetS) * 1000), logs);
  const threadPaths = (requests: FakeRequest[]) => requests.filter((r) => r.path.startsWith('/comments/')).map((r) => r.path);
  const trackedOf = (cursor: unknown) => (cursor as { tracked: Record<string, number> }).tracked;
  const watchOf = (cursor: unknown) => {
    const { tracked, revisited } = cursor as { tracked: Record<string, number>; revisited: Record<string, number> };
    return { tracked, revisited };
  };

  it('collects a comment written after the first poll on a later poll, but not one naming no term', async () => {
    const docs = [{ id: 'p0', createdS: NOW_S - 100, title: 'zed first' }];
    const trees: Record<string, unknown[]> = { p0: [comment('p0', 'c1', 't3_p0', 'zed is fast', NOW_S - 50)] };
    const { upstream, source } = await start(docs, { fetchComments: true }, trees);
    const first = await drain(source.poll(at(0), new Map()));
    expect(ids(first.batches)).toEqual(['t3_p0', 't1_c1']);
    trees.p0!.unshift(
      comment('p0', 'c2', 't3_p0', 'Zed got a debugger', NOW_S + 900),
      comment('p0', 'c3', 't3_p0', 'what a day', NOW_S + 950),
    );

    const second = await drain(source.poll(at(3600), lastCursors(first.batches)));
    expect(second.error).toBeNull();
    expect(ids(second.batches)).toContain('t1_c2');
    expect(ids(second.batches)).not.toContain('t1_c3');
    const revisit = second.batches.at(-1)!;
    // c1 comes again; the pipeline drops it by (source, external id).
    expect(revisit.posts.map((p) => p.externalId).sort()).toEqual(['t1_c1', 't1_c2']);
    expect(revisit.posts.find((p) => p.externalId === 't1_c2')).toMatchObject({ title: 'zed first', threadId: 't3_p0', parentId: 't3_p0' });
    expect(revisit.fetched).toBe(3);
    expect(revisit.cursor).toMatchObject({ walk: null, tracked: { t3_p0: NOW_S - 100 }, revisited: { t3_p0: NOW_S + 3600 } });
    expect(threadPaths(upstream.requests)).toEqual(['/comments/p0', '/comments/p0']);
  });

  it('reads at most revisitsPerPoll trees a poll, least recently read first, in rotation', async () => {
    const docs = makeDocs(5, 'zed', NOW_S - 100, 'r');
    const { upstream, source } = await start(docs, { fetchComments: true, revisitsPerPoll: 2 });
    const first = await drain(source.poll(at(0), new Map()));
    expect(threadPaths(upstream.requests)).toHaveLength(5);
    let cursors = lastCursors(first.batches);
    const rounds: string[][] = [];
    for (const offsetS of [3600, 7200, 10_800]) {
      const before = upstream.requests.length;
      const { batches, error } = await drain(source.poll(at(offsetS), cursors));
      expect(error).toBeNull();
      rounds.push(threadPaths(upstream.requests.slice(before)));
      cursors = lastCursors(batches);
    }
    expect(rounds).toEqual([
      ['/comments/r0', '/comments/r1'],
      ['/comments/r2', '/comments/r3'],
      ['/comments/r4', '/comments/r0'],
    ]);
  });

  it('stops revisiting a post once it is older than revisitWindowMs, anonymous too', async () => {
    const docs = [
      { id: 'young', createdS: NOW_S - 100, title: 'zed young' },
      { id: 'old', createdS: NOW_S - 5000, title: 'zed old' },
    ];
    const { upstream, source } = await start(docs, {
      fetchComments: true,
      clientId: null,
      revisitWindowMs: 2 * 3600_000,
      revisitsPerPoll: 10,
    });
    const first = await drain(source.poll(at(0), new Map()));
    let before = upstream.requests.length;
    const second = await drain(source.poll(at(900), lastCursors(first.batches)));
    expect(threadPaths(upstream.requests.slice(before))).toEqual(['/comments/young.json', '/comments/old.json']);
    before = upstream.requests.length;
    const third = await drain(source.poll(at(3000), lastCursors(second.batches)));
    expect(third.error).toBeNull();
    expect(threadPaths(upstream.requests.slice(before))).toEqual(['/comments/young.json']);
    expect(Object.keys(trackedOf(third.batches.at(-1)?.cursor))).toEqual(['t3_young']);
  });

  it('keeps only the newest maxTracked posts', async () => {
    const docs = makeDocs(5, 'zed', NOW_S - 100, 'm');
    const { source } = await start(docs, { fetchComments: true, maxTracked: 3 });
    const { batches } = await drain(source.poll(at(0), new Map()));
    expect(Object.keys(trackedOf(batches.at(-1)?.cursor)).sort()).toEqual(['t3_m0', 't3_m1', 't3_m2']);
  });

  it('resumes from the cursor of every batch of a later poll with no comment lost or repeated', async () => {
    const docs = makeDocs(3, 'zed', NOW_S - 100, 'p');
    const trees: Record<string, unknown[]> = Object.fromEntries(
      docs.map((d) => [d.id, [comment(d.id, `${d.id}a`, `t3_${d.id}`, 'zed before', NOW_S - 50)]]),
    );
    const { source } = await start(docs, { fetchComments: true, limit: 2 }, trees);
    const first = await drain(source.poll(at(0), new Map()));
    const afterFirst = lastCursors(first.batches);
    for (const d of docs) {
      trees[d.id]!.unshift(
        comment(d.id, `${d.id}b`, `t3_${d.id}`, 'zed after', NOW_S + 600),
        comment(d.id, `${d.id}x`, `t3_${d.id}`, 'off topic', NOW_S + 700),
      );
    }
    const fresh = makeDocs(3, 'zed', NOW_S + 3000, 'n');
    docs.push(...fresh);
    for (const d of fresh) trees[d.id] = [comment(d.id, `${d.id}a`, `t3_${d.id}`, 'zed new', NOW_S + 3100)];

    const later = at(3600);
    const full = await drain(source.poll(later, afterFirst));
    expect(full.error).toBeNull();
    expect(full.batches.length).toBeGreaterThanOrEqual(3);
    const all = ids(full.batches);
    const expected = [
      ...fresh.flatMap((d) => [`t3_${d.id}`, `t1_${d.id}a`]),
      ...docs.slice(0, 3).flatMap((d) => [`t1_${d.id}a`, `t1_${d.id}b`]),
    ];
    expect([...all].sort()).toEqual(expected.sort());
    for (let k = 1; k < full.batches.length; k++) {
      const prefix = full.batches.slice(0, k);
      const rest = await drain(source.poll(later, new Map([...afterFirst, ...lastCursors(prefix)])));
      expect(rest.error).toBeNull();
      expect([...ids(prefix), ...ids(rest.batches)].sort()).toEqual([...all].sort());
      expect(watchOf(rest.batches.at(-1)?.cursor)).toEqual(watchOf(full.batches.at(-1)?.cursor));
    }
  });

  it('warns and moves on when a revisited tree answers 500, and the poll still finishes', async () => {
    const docs = makeDocs(3, 'zed', NOW_S - 100, 'f');
    const trees: Record<string, unknown[]> = {};
    const { upstream, source, tokens } = await start(docs, { fetchComments: true, revisitsPerPoll: 2 }, trees);
    const first = await drain(source.poll(at(0), new Map()));
    trees.f1 = [comment('f1', 'k1', 't3_f1', 'zed later', NOW_S + 100)];
    const handler = redditHandler(docs, tokens, trees);
    upstream.setHandler((request) => (request.path === '/comments/f0' ? { status: 500, body: 'oops' } : handler(request)));

    const warned: object[] = [];
    const ctx = at(3600);
    ctx.log.warn = (obj) => warned.push(obj);
    let before = upstream.requests.length;
    const second = await drain(source.poll(ctx, lastCursors(first.batches)));
    expect(second.error).toBeNull();
    expect(ids(second.batches)).toEqual(['t1_k1']);
    expect(threadPaths(upstream.requests.slice(before))).toEqual([...Array<string>(4).fill('/comments/f0'), '/comments/f1']);
    expect(warned).toEqual([expect.objectContaining({ post: 't3_f0', stage: 'revisit' })]);

    // f0 went to the back of the rotation, so the post not yet revisited comes first.
    before = upstream.requests.length;
    const third = await drain(source.poll(at(7200), lastCursors(second.batches)));
    expect(third.error).toBeNull();
    expect([...new Set(threadPaths(upstream.requests.slice(before)))]).toEqual(['/comments/f2', '/comments/f0']);
  });

  it('drops a post from the rotation when its tree answers 404 (deleted)', async () => {
    const docs = makeDocs(2, 'zed', NOW_S - 100, 'd');
    const { upstream, source, tokens } = await start(docs, { fetchComments: true });
    const first = await drain(source.poll(at(0), new Map()));
    const handler = redditHandler(docs, tokens);
    upstream.setHandler((request) =>
      request.path === '/comments/d0' ? { status: 404, body: { message: 'Not Found', error: 404 } } : handler(request),
    );
    const second = await drain(source.poll(at(3600), lastCursors(first.batches)));
    expect(second.error).toBeNull();
    expect(Object.keys(trackedOf(second.batches.at(-1)?.cursor))).toEqual(['t3_d1']);
  });

  it('reports a stored cursor whose tracked list is malformed and polls afresh; an older cursor without one is fine', async () => {
    const docs = makeDocs(2, 'zed', NOW_S - 100, 'b');
    const { source } = await start(docs, { fetchComments: true });
    const key = toRedditQueryKey({ slug: 'zed', phrases: [] });
    const logs: LoggedLine[] = [];
    const bad = { hw: NOW_S - 50, recent: {}, walk: null, tracked: { t3_b0: 'yesterday' }, revisited: {} };
    const broken = await drain(source.poll(at(0, logs), new Map([[key, bad]])));
    expect(broken.error).toBeNull();
    expect(warningsIn(logs).some((w) => /wrong shape/.test(w))).toBe(true);
    expect(ids(broken.batches)).toEqual(['t3_b0', 't3_b1']);

    const olderLogs: LoggedLine[] = [];
    const older = await drain(source.poll(at(0, olderLogs), new Map([[key, { hw: NOW_S - 50, recent: {}, walk: null }]])));
    expect(older.error).toBeNull();
    expect(warningsIn(olderLogs)).toEqual([]);
    expect(Object.keys(trackedOf(older.batches.at(-1)?.cursor)).sort()).toEqual(['t3_b0', 't3_b1']);
  });
});

describe('createRedditSource backfill', () => {
  const window = { since: new Date('2026-01-01T00:00:00Z'), until: new Date('2026-02-01T00:00:00Z') };
  const untilS = window.until.getTime() / 1000;

  it('keeps only posts inside the window and stops once it passes the start', async () => {
    const inside = makeDocs(40, 'copilot', untilS - 3600, 'in', 3 * 86_400);
    const docs = [...makeDocs(5, 'copilot', NOW_S - 60, 'late', 3600), ...inside];
    const { source } = await start(docs, { clientId: null });
    const logs: LoggedLine[] = [];
    const { batches, error } = await drain(source.backfill!(context([['copilot', ['copilot']]], logs), window, new Map()));
    expect(error).toBeNull();
    const expected = inside.filter((d) => d.createdS >= window.since.getTime() / 1000).map((d) => `t3_${d.id}`);
    expect(ids(batches).sort()).toEqual(expected.sort());
    expect(batches.at(-1)).toMatchObject({ progress: 1, cursor: { done: true } });
    expect(batches[0]?.queryKey).toBe(toRedditBackfillKey({ slug: 'copilot', phrases: [] }, window));
    expect(logs.some((l) => l.level === 'info' && /1,000/.test(l.msg))).toBe(true);
    expect(logs.some((l) => l.level === 'warn')).toBe(false);
  });

  it('reports in the logs when the 1,000-item cap ends the listing before the window starts', async () => {
    const docs = makeDocs(1050, 'copilot', untilS - 10, 'x', 600);
    const { source, upstream } = await start(docs, { clientId: null, limit: 100, rateLimit: { minTimeMs: 0 } });
    const logs: LoggedLine[] = [];
    const { batches, error } = await drain(source.backfill!(context([['copilot', ['copilot']]], logs), window, new Map()));
    expect(error).toBeNull();
    expect(ids(batches)).toHaveLength(1000);
    expect(upstream.requests).toHaveLength(10);
    expect(logs.some((l) => l.level === 'warn' && /~1,000-item cap/.test(l.msg))).toBe(true);
    expect(batches.at(-1)?.progress).toBe(1);
  });

  it('fails on a 403 from anonymous Reddit without retrying', async () => {
    const { upstream, source } = await start([], { clientId: null });
    upstream.setHandler(() => ({ status: 403, body: '<html>blocked</html>' }));
    const { error } = await drain(source.backfill!(context([['zed', ['zed']]]), window, new Map()));
    expect((error as UpstreamError).status).toBe(403);
    expect((error as Error).message).toMatch(/REDDIT_CLIENT_ID/);
    expect(upstream.requests).toHaveLength(1);
  });
});
