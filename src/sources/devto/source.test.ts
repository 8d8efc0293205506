import { describe, expect, it } from 'vitest';
import { maxRequestsInWindow, type FakeRequest, type FakeResponse } from '../../../test/support/fake-upstream.ts';
import {
  drain,
  fastHttp,
  ids,
  lastCursors,
  makeContext,
  serveUpstream,
  warningsIn,
  type LoggedLine,
} from '../../../test/support/source-harness.ts';
import { DEVTO_RATE_LIMIT } from './client.ts';
import { createDevtoSource, DEVTO_QUERY_KEY, toDevtoBackfillKey, type DevtoSourceOptions } from './source.ts';

const NOW = new Date('2026-03-02T12:00:00Z');
const NOW_S = NOW.getTime() / 1000;

interface Doc {
  id: number;
  publishedS: number;
  title: string;
  tags?: string[];
  /** The `/comments?a_id=` tree; comments_count is its size. */
  comments?: unknown[];
}

/** Every `everyNth` article mentions Claude Code; the rest are noise the filter must skip. */
function makeDocs(count: number, newest: number, idBase: number, everyNth = 3, stepS = 120): Doc[] {
  return Array.from({ length: count }, (_, i) => ({
    id: idBase - i,
    publishedS: newest - i * stepS,
    title: i % everyNth === 0 ? `Claude Code note ${i}` : `Rust tips ${i}`,
  }));
}

const iso = (s: number) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function listed(doc: Doc) {
  return {
    type_of: 'article',
    id: doc.id,
    title: doc.title,
    description: 'desc',
    url: `https://dev.to/u/a-${doc.id}`,
    comments_count: doc.comments?.length ?? 0,
    public_reactions_count: 1,
    published_at: iso(doc.publishedS),
    tag_list: doc.tags ?? ['programming'],
    tags: (doc.tags ?? ['programming']).join(', '),
    user: { name: 'U', username: 'u' },
  };
}

function full(doc: Doc) {
  const { tag_list, tags, ...rest } = listed(doc);
  return { ...rest, tag_list: tags, tags: tag_list, body_html: `<p>Full text of ${doc.title} &amp; more</p><script>x()</script>` };
}

function devtoHandler(docs: Doc[]) {
  return (request: FakeRequest): FakeResponse => {
    if (request.path === '/articles/latest') {
      const page = Number(request.query.get('page') ?? 1);
      const perPage = Number(request.query.get('per_page') ?? 30);
      const sorted = [...docs].sort((a, b) => b.publishedS - a.publishedS);
      return { body: sorted.slice((page - 1) * perPage, page * perPage).map(listed) };
    }
    if (request.path === '/comments') {
      const doc = docs.find((d) => d.id === Number(request.query.get('a_id')));
      return doc ? { body: doc.comments ?? [] } : { status: 404, body: { error: 'not found', status: 404 } };
    }
    const id = Number(/^\/articles\/(\d+)$/.exec(request.path)?.[1]);
    const doc = docs.find((d) => d.id === id);
    return doc ? { body: full(doc) } : { status: 404, body: { error: 'not found', status: 404 } };
  };
}

const context = (phrases: string[] = ['Claude Code'], logs?: LoggedLine[]) => makeContext([{ slug: 'claude-code', phrases }], NOW, logs);

async function start(docs: Doc[], extra: Partial<DevtoSourceOptions> = {}) {
  const upstream = await serveUpstream(devtoHandler(docs));
  const source = createDevtoSource({
    baseUrl: upstream.url,
    ...fastHttp(2),
    retries: 3,
    perPage: 20,
    ...extra,
  });
  return { upstream, source };
}

const wantedIds = (docs: Doc[], sinceS = -Infinity) =>
  docs.filter((d) => d.title.startsWith('Claude') && d.publishedS > sinceS).map((d) => String(d.id));
const detailCalls = (requests: FakeRequest[]) => requests.filter((r) => r.path.startsWith('/articles/') && r.path !== '/articles/latest');
const commentCalls = (requests: FakeRequest[]) => requests.filter((r) => r.path === '/comments');

describe('createDevtoSource poll', () => {
  it('reads /articles/latest newest first, keeps matching articles and fetches full text only for them', async () => {
    const docs = makeDocs(50, NOW_S - 60, 5000);
    const { upstream, source } = await start(docs);
    const { batches, error } = await drain(source.poll(context(), new Map()));
    expect(error).toBeNull();
    expect(ids(batches).sort()).toEqual(wantedIds(docs).sort());
    expect(detailCalls(upstream.requests)).toHaveLength(wantedIds(docs).length);
    const first = upstream.requests[0]!;
    expect(first.headers.accept).toBe('application/vnd.forem.api-v1+json');
    expect(first.headers['user-agent']).toMatch(/^vibecheck\//);
    expect(Object.fromEntries(first.query)).toEqual({ page: '1', per_page: '20' });
    expect(batches[0]?.posts[0]?.body).toBe('Full text of Claude Code note 0 & more');
    // Articles the term filter passes over are not counted as fetched: 7 of the first 20 match.
    expect(batches[0]?.fetched).toBe(7);
    expect(batches.at(-1)?.cursor).toMatchObject({ hw: NOW_S - 60, hwIds: ['5000'], walk: null });
  });

  it('resumes from the cursor of every batch with nothing lost and nothing repeated', async () => {
    const docs = makeDocs(70, NOW_S - 100, 12_000, 2, 30);
    const { source } = await start(docs);
    const full = await drain(source.poll(context(), new Map()));
    expect(full.batches.length).toBeGreaterThanOrEqual(4);
    for (let k = 1; k < full.batches.length; k++) {
      const prefix = full.batches.slice(0, k);
      const rest = await drain(source.poll(context(), lastCursors(prefix)));
      expect([...ids(prefix), ...ids(rest.batches)].sort()).toEqual(wantedIds(docs).sort());
    }
  });

  it('keeps paging when the instance serves fewer articles per page than asked', async () => {
    const docs = makeDocs(40, NOW_S - 60, 13_000);
    const { upstream, source } = await start(docs, { perPage: 20 });
    const handler = devtoHandler(docs);
    upstream.setHandler((request) => {
      if (request.path === '/articles/latest') request.query.set('per_page', '7');
      return handler(request);
    });
    const { batches } = await drain(source.poll(context(), new Map()));
    expect(ids(batches).sort()).toEqual(wantedIds(docs).sort());
  });

  it('matches a term by its squashed tag, not only by title', async () => {
    const docs: Doc[] = [
      { id: 1, publishedS: NOW_S - 10, title: 'My week', tags: ['claudecode'] },
      { id: 2, publishedS: NOW_S - 20, title: 'Other', tags: ['go'] },
    ];
    const { source } = await start(docs);
    expect(ids((await drain(source.poll(context(), new Map()))).batches)).toEqual(['1']);
  });

  it('stops at the watermark on the next poll, taking a new article in the same second', async () => {
    const docs = makeDocs(30, NOW_S - 600, 6000, 1);
    const { upstream, source } = await start(docs);
    const first = await drain(source.poll(context(), new Map()));
    expect(ids(first.batches)).toHaveLength(30);
    docs.push(
      { id: 7000, publishedS: NOW_S - 600, title: 'Claude Code same second' },
      { id: 7001, publishedS: NOW_S - 5, title: 'Claude Code newest' },
    );
    const before = upstream.requests.filter((r) => r.path === '/articles/latest').length;
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(ids(second.batches).sort()).toEqual(['7000', '7001']);
    expect(upstream.requests.filter((r) => r.path === '/articles/latest').length - before).toBe(1);
  });

  it('rides out 429 with Retry-After, 500 and a slow response, every article once', async () => {
    const docs = makeDocs(30, NOW_S - 60, 8000);
    const { upstream, source } = await start(docs);
    upstream.queue(
      { status: 429, headers: { 'retry-after': '1' }, body: { error: 'Retry later', status: 429 } },
      { status: 500, body: 'oops' },
      { delayMs: 700, body: [] },
    );
    const { batches, error } = await drain(source.poll(context(), new Map()));
    expect(error).toBeNull();
    expect(ids(batches).sort()).toEqual(wantedIds(docs).sort());
    expect((upstream.requests[1]?.at ?? 0) - (upstream.requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('dies on truncated JSON at list page 3 and resumes at page 3 without loss or repeats', async () => {
    const docs = makeDocs(70, NOW_S - 60, 9000);
    const { upstream, source } = await start(docs);
    const handler = devtoHandler(docs);
    let lists = 0;
    upstream.setHandler((request) =>
      request.path === '/articles/latest' && ++lists === 3 ? { body: '[{"id": 1, "title": "Cla' } : handler(request),
    );
    const first = await drain(source.poll(context(), new Map()));
    expect((first.error as Error).message).toMatch(/malformed JSON/);
    expect(first.batches).toHaveLength(2);
    expect(first.batches[1]?.cursor).toMatchObject({ walk: { page: 3 } });
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(second.error).toBeNull();
    const all = [...ids(first.batches), ...ids(second.batches)];
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(wantedIds(docs).sort());
  });

  it('fails on a wrong envelope; rejects a bad listed article and skips one gone before its fetch', async () => {
    const docs = makeDocs(3, NOW_S - 60, 100, 1);
    const { upstream, source } = await start(docs);
    upstream.queue({ body: { articles: [] } });
    const wrong = await drain(source.poll(context(), new Map()));
    expect((wrong.error as Error).message).toMatch(/unexpected response shape/);
    upstream.queue({
      body: [
        ...docs.map(listed),
        { id: 55, title: 'Claude Code', url: 'x', published_at: 'soon' },
        listed({ id: 404, publishedS: NOW_S - 70, title: 'Claude Code gone' }),
      ],
    });
    const { batches, error } = await drain(source.poll(context(), new Map()));
    expect(error).toBeNull();
    expect(ids(batches).sort()).toEqual(['100', '98', '99']);
    expect(batches[0]?.rejected).toEqual([{ externalId: '55', reason: expect.stringMatching(/^published_at:/) }]);
    expect(batches[0]?.fetched).toBe(5);
  });

  it('fetches and yields an article repeated on the next page once, within the rate limit', async () => {
    const docs = makeDocs(20, NOW_S - 60, 300, 1);
    const { upstream, source } = await start(docs, { rateLimit: { minTimeMs: 50 }, perPage: 10 });
    const handler = devtoHandler(docs);
    let lists = 0;
    upstream.setHandler((request) => {
      const response = handler(request);
      if (request.path === '/articles/latest' && ++lists === 2) (response.body as unknown[]).unshift(listed(docs[9]!));
      return response;
    });
    const { batches } = await drain(source.poll(context(), new Map()));
    expect(ids(batches)).toHaveLength(20);
    expect(detailCalls(upstream.requests)).toHaveLength(20);
    // 50 ms spacing allows 3 starts in any 150 ms, one more at the edge; unthrottled, they would bunch up.
    expect(upstream.requests.length).toBeGreaterThanOrEqual(6);
    expect(maxRequestsInWindow(upstream.requests, 150)).toBeLessThanOrEqual(4);
  });

  it('defaults to at most 3 requests a second', () => {
    expect(Math.floor(1000 / DEVTO_RATE_LIMIT.minTimeMs)).toBe(2);
    expect(1000 / DEVTO_RATE_LIMIT.minTimeMs).toBeLessThanOrEqual(3);
  });

  it('logs and skips the rest of a gap longer than the poll page limit', async () => {
    const docs = makeDocs(100, NOW_S - 60, 400);
    const { source } = await start(docs, { maxPollPages: 2 });
    const logs: LoggedLine[] = [];
    const { batches } = await drain(source.poll(context(['Claude Code'], logs), new Map()));
    expect(batches).toHaveLength(2);
    expect(batches.at(-1)?.cursor).toMatchObject({ hw: NOW_S - 60, walk: null });
    expect(warningsIn(logs).some((w) => /page limit/.test(w))).toBe(true);
  });
});

describe('createDevtoSource backfill', () => {
  const window = { since: new Date('2026-02-01T00:00:00Z'), until: new Date('2026-02-02T00:00:00Z') };
  const sinceS = window.since.getTime() / 1000;
  const untilS = window.until.getTime() / 1000;

  it('walks the feed back to the window and keeps only matching articles inside it', async () => {
    const docs = makeDocs(200, untilS + 3 * 3600, 10_000, 2, 1200);
    const { source } = await start(docs, { perPage: 30 });
    const { batches, error } = await drain(source.backfill!(context(), window, new Map()));
    expect(error).toBeNull();
    const expected = docs
      .filter((d) => d.title.startsWith('Claude') && d.publishedS >= sinceS && d.publishedS < untilS)
      .map((d) => String(d.id));
    expect(expected.length).toBeGreaterThan(20);
    expect(ids(batches).sort()).toEqual(expected.sort());
    const progress = batches.map((b) => b.progress ?? -1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress[0]).toBeLessThan(0.5);
    expect(batches.at(-1)).toMatchObject({ progress: 1, cursor: { done: true }, queryKey: toDevtoBackfillKey(window) });
  });

  it('resumes from the stored page', async () => {
    const docs = makeDocs(200, untilS + 3 * 3600, 20_000, 2, 1200);
    const { upstream, source } = await start(docs, { perPage: 30 });
    const key = toDevtoBackfillKey(window);
    await drain(source.backfill!(context(), window, new Map([[key, { page: 4, oldest: untilS, done: false }]])));
    expect(upstream.requests[0]?.query.get('page')).toBe('4');
    const finished = await drain(source.backfill!(context(), window, new Map([[key, { page: 9, oldest: sinceS, done: true }]])));
    expect(finished.batches).toEqual([]);
  });
});

describe('createDevtoSource poll cursor', () => {
  it('uses one query key for the whole feed', async () => {
    const { source } = await start(makeDocs(2, NOW_S - 60, 1, 1));
    const { batches } = await drain(source.poll(context(), new Map()));
    expect(batches.every((b) => b.queryKey === DEVTO_QUERY_KEY)).toBe(true);
  });
});

/** A comment as `/comments?a_id=` serves it; a deleted one has a placeholder body and `user: {}`. */
function comment(idCode: string, text: string, children: unknown[] = []) {
  const deleted = text === '[deleted]';
  return {
    type_of: 'comment',
    id_code: idCode,
    created_at: iso(NOW_S - 30),
    body_html: `<p>${text}</p>`,
    user: deleted ? {} : { name: 'C', username: `user_${idCode}` },
    children,
  };
}

describe('createDevtoSource comments', () => {
  const docs = (): Doc[] => [
    {
      id: 21,
      publishedS: NOW_S - 100,
      title: 'Claude Code first',
      comments: [comment('a1', 'Claude Code fixed it', [comment('a2', 'not for me &amp; claude code')]), comment('a3', 'nice post')],
    },
    { id: 22, publishedS: NOW_S - 200, title: 'Rust tips', comments: [comment('b1', 'Claude Code could do this')] },
    {
      id: 23,
      publishedS: NOW_S - 300,
      title: 'Claude Code second',
      comments: [comment('c1', '[deleted]', [comment('c2', 'claude code again')])],
    },
    { id: 24, publishedS: NOW_S - 400, title: 'Claude Code quiet' },
  ];

  it("yields comments naming a term once, in their article's batch, only for matching articles", async () => {
    const { upstream, source } = await start(docs());
    const first = await drain(source.poll(context(), new Map()));
    expect(first.error).toBeNull();
    expect(ids(first.batches)).toHaveLength(6);
    expect(first.batches[0]?.posts.map((p) => [p.externalId, p.parentId, p.threadId])).toEqual([
      ['21', null, '21'],
      ['23', null, '23'],
      ['24', null, '24'],
      ['a1', '21', '21'],
      ['a2', 'a1', '21'],
      ['c2', 'c1', '23'],
    ]);
    expect(first.batches[0]?.posts.find((p) => p.externalId === 'a2')).toMatchObject({
      title: 'Claude Code first',
      body: 'not for me & claude code',
      url: 'https://dev.to/user_a2/comment/a2',
      author: 'user_a2',
    });
    // Three matching articles read, five comments walked in the two trees fetched.
    expect(first.batches[0]?.fetched).toBe(8);
    expect(commentCalls(upstream.requests).map((r) => r.query.get('a_id'))).toEqual(['21', '23']);

    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(ids(second.batches)).toEqual([]);
    expect(commentCalls(upstream.requests)).toHaveLength(2);
  });

  it('keeps the article and its batch cursor when the comments request answers 500, with a warning', async () => {
    const { upstream, source } = await start(docs());
    const handler = devtoHandler(docs());
    upstream.setHandler((request) =>
      request.path === '/comments' && request.query.get('a_id') === '21' ? { status: 500, body: 'oops' } : handler(request),
    );
    const logs: LoggedLine[] = [];
    const { batches, error } = await drain(source.poll(context(['Claude Code'], logs), new Map()));
    expect(error).toBeNull();
    expect(ids(batches)).toEqual(['21', '23', '24', 'c2']);
    expect(warningsIn(logs).filter((w) => /comments request failed/.test(w))).toHaveLength(1);
    const plain = await start(docs(), { fetchComments: false });
    const without = await drain(plain.source.poll(context(), new Map()));
    expect(commentCalls(plain.upstream.requests)).toEqual([]);
    expect(ids(without.batches)).toEqual(['21', '23', '24']);
    const place = (cursor: unknown) => {
      const { hw, hwIds, walk } = cursor as { hw: number; hwIds: string[]; walk: unknown };
      return { hw, hwIds, walk };
    };
    expect(batches.map((b) => place(b.cursor))).toEqual(without.batches.map((b) => place(b.cursor)));
    // The article whose tree failed is tracked with no read time, so the next poll's revisits take it first.
    expect(batches.at(-1)?.cursor).toMatchObject({
      tracked: { '21': NOW_S - 100, '23': NOW_S - 300, '24': NOW_S - 400 },
      revisited: { '23': NOW_S, '24': NOW_S },
    });
    expect((batches.at(-1)?.cursor as { revisited: object }).revisited).not.toHaveProperty('21');
  });

  it('adds the comments to backfill batches too', async () => {
    const { source } = await start(docs());
    const window = { since: new Date((NOW_S - 3600) * 1000), until: NOW };
    const { batches, error } = await drain(source.backfill!(context(), window, new Map()));
    expect(error).toBeNull();
    expect(ids(batches).sort()).toEqual(['21', '23', '24', 'a1', 'a2', 'c2']);
  });

  it('spaces article and comment requests together within the rate limit', async () => {
    const many: Doc[] = Array.from({ length: 8 }, (_, i) => ({
      id: 600 + i,
      publishedS: NOW_S - 10 - i,
      title: `Claude Code ${i}`,
      comments: [comment(`m${i}`, 'Claude Code')],
    }));
    const { upstream, source } = await start(many, { rateLimit: { minTimeMs: 50 } });
    const { batches } = await drain(source.poll(context(), new Map()));
    expect(ids(batches)).toHaveLength(16);
    expect(commentCalls(upstream.requests)).toHaveLength(8);
    // 50 ms spacing allows 3 starts in any 150 ms, one more at the edge; unthrottled, 17 requests would bunch up.
    expect(maxRequestsInWindow(upstream.requests, 150)).toBeLessThanOrEqual(4);
  });
});

describe('createDevtoSource poll revisits', () => {
  /** A context for Claude Code whose clock stands `offsetS` seconds after NOW. */
  const at = (offsetS: number, logs?: LoggedLine[]) =>
    makeContext([{ slug: 'claude-code', phrases: ['Claude Code'] }], new Date((NOW_S + offsetS) * 1000), logs);
  const treeReads = (requests: FakeRequest[]) => commentCalls(requests).map((r) => r.query.get('a_id'));
  const watchOf = (cursor: unknown) => {
    const { tracked, revisited } = cursor as { tracked: Record<string, number>; revisited: Record<string, number> };
    return { tracked, revisited };
  };
  /** `count` matching articles a minute apart, newest `idBase`, with no comments yet. */
  const quiet = (count: number, idBase: number, newestS = NOW_S - 100): Doc[] =>
    Array.from({ length: count }, (_, i) => ({ id: idBase - i, publishedS: newestS - i * 60, title: `Claude Code ${i}`, comments: [] }));

  it('collects a comment written after the first poll on a later poll, with the article title, but not one naming no term', async () => {
    const docs: Doc[] = [
      { id: 31, publishedS: NOW_S - 100, title: 'Claude Code &amp; me', comments: [comment('r1', 'Claude Code rocks')] },
    ];
    const { upstream, source } = await start(docs);
    const first = await drain(source.poll(at(0), new Map()));
    expect(ids(first.batches)).toEqual(['31', 'r1']);
    docs[0]!.comments!.push(comment('r2', 'lunch time'), comment('r3', 'agreed', [comment('r4', 'claude code 2 is out')]));

    const before = upstream.requests.length;
    const second = await drain(source.poll(at(3600), lastCursors(first.batches)));
    expect(second.error).toBeNull();
    const revisit = second.batches.at(-1)!;
    // r1 comes again; the pipeline drops it by (source, external id).
    expect(ids(second.batches).sort()).toEqual(['r1', 'r4']);
    expect(revisit.posts.find((p) => p.externalId === 'r4')).toMatchObject({ title: 'Claude Code & me', threadId: '31', parentId: 'r3' });
    expect(revisit.fetched).toBe(4);
    expect(revisit.cursor).toEqual({
      hw: NOW_S - 100,
      hwIds: ['31'],
      walk: null,
      tracked: { '31': NOW_S - 100 },
      revisited: { '31': NOW_S + 3600 },
    });
    // Besides the feed: the tree, and the article once for the title of the kept comments.
    expect(
      upstream.requests
        .slice(before)
        .filter((r) => r.path !== '/articles/latest')
        .map((r) => r.path),
    ).toEqual(['/comments', '/articles/31']);
  });

  it('reads at most revisitsPerPoll trees a poll, least recently read first, in rotation, and none read within revisitAfterMs', async () => {
    const { upstream, source } = await start(quiet(5, 40), { revisitsPerPoll: 2 });
    const first = await drain(source.poll(at(0), new Map()));
    // No comments yet: the first poll reads no tree but still tracks the articles.
    expect(treeReads(upstream.requests)).toEqual([]);
    let cursors = lastCursors(first.batches);
    const rounds: Array<Array<string | null>> = [];
    for (const offsetS of [1200, 3600, 7200, 10_800]) {
      const before = upstream.requests.length;
      const { batches, error } = await drain(source.poll(at(offsetS), cursors));
      expect(error).toBeNull();
      rounds.push(treeReads(upstream.requests.slice(before)));
      cursors = lastCursors(batches);
    }
    expect(rounds).toEqual([[], ['40', '39'], ['38', '37'], ['36', '40']]);
    // Empty trees keep nothing, so no article is fetched for a title.
    expect(detailCalls(upstream.requests)).toHaveLength(5);
  });

  it('defaults to 5 trees a poll, 30 minutes apart', async () => {
    const { upstream, source } = await start(quiet(7, 50));
    const first = await drain(source.poll(at(0), new Map()));
    let before = upstream.requests.length;
    const early = await drain(source.poll(at(29 * 60), lastCursors(first.batches)));
    expect(treeReads(upstream.requests.slice(before))).toEqual([]);
    before = upstream.requests.length;
    await drain(source.poll(at(31 * 60), lastCursors(early.batches)));
    expect(treeReads(upstream.requests.slice(before))).toEqual(['50', '49', '48', '47', '46']);
  });

  it('stops revisiting an article once it is older than revisitWindowMs, and keeps only the newest maxTracked', async () => {
    const docs: Doc[] = [
      { id: 61, publishedS: NOW_S - 100, title: 'Claude Code young', comments: [] },
      { id: 60, publishedS: NOW_S - 5000, title: 'Claude Code old', comments: [] },
    ];
    const { upstream, source } = await start(docs, { revisitWindowMs: 3 * 3600_000, revisitsPerPoll: 10 });
    const first = await drain(source.poll(at(0), new Map()));
    let before = upstream.requests.length;
    const second = await drain(source.poll(at(3600), lastCursors(first.batches)));
    expect(treeReads(upstream.requests.slice(before))).toEqual(['61', '60']);
    before = upstream.requests.length;
    const third = await drain(source.poll(at(7200), lastCursors(second.batches)));
    expect(third.error).toBeNull();
    expect(treeReads(upstream.requests.slice(before))).toEqual(['61']);
    expect(watchOf(third.batches.at(-1)?.cursor).tracked).toEqual({ '61': NOW_S - 100 });

    const capped = await start(quiet(5, 70), { maxTracked: 3 });
    const { batches } = await drain(capped.source.poll(at(0), new Map()));
    expect(Object.keys(watchOf(batches.at(-1)?.cursor).tracked).sort()).toEqual(['68', '69', '70']);
  });

  it('resumes from the cursor of every batch of a later poll with no comment lost or repeated', async () => {
    const docs: Doc[] = Array.from({ length: 3 }, (_, i) => ({
      id: 80 - i,
      publishedS: NOW_S - 100 - i * 60,
      title: `Claude Code old ${i}`,
      comments: [comment(`o${i}a`, 'Claude Code before')],
    }));
    const { source } = await start(docs, { perPage: 2 });
    const first = await drain(source.poll(at(0), new Map()));
    const afterFirst = lastCursors(first.batches);
    for (const [i, d] of docs.entries()) d.comments!.push(comment(`o${i}b`, 'Claude Code after'), comment(`o${i}x`, 'off topic'));
    const fresh: Doc[] = Array.from({ length: 3 }, (_, i) => ({
      id: 90 - i,
      publishedS: NOW_S + 3000 - i * 60,
      title: `Claude Code new ${i}`,
      comments: [comment(`n${i}a`, 'Claude Code new')],
    }));
    docs.push(...fresh);

    const later = at(3600);
    const full = await drain(source.poll(later, afterFirst));
    expect(full.error).toBeNull();
    expect(full.batches.length).toBeGreaterThanOrEqual(3);
    const all = ids(full.batches);
    const expected = [...fresh.flatMap((d, i) => [String(d.id), `n${i}a`]), ...[0, 1, 2].flatMap((i) => [`o${i}a`, `o${i}b`])];
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
    const docs = quiet(3, 100);
    const { upstream, source } = await start(docs, { revisitsPerPoll: 2 });
    const first = await drain(source.poll(at(0), new Map()));
    docs[1]!.comments = [comment('k1', 'Claude Code later')];
    const handler = devtoHandler(docs);
    upstream.setHandler((request) =>
      request.path === '/comments' && request.query.get('a_id') === '100' ? { status: 500, body: 'oops' } : handler(request),
    );

    const warned: object[] = [];
    const ctx = at(3600);
    ctx.log.warn = (obj) => warned.push(obj);
    let before = upstream.requests.length;
    const second = await drain(source.poll(ctx, lastCursors(first.batches)));
    expect(second.error).toBeNull();
    expect(ids(second.batches)).toEqual(['k1']);
    // The first try and three retries, then the next tracked article.
    expect(treeReads(upstream.requests.slice(before))).toEqual(['100', '100', '100', '100', '99']);
    expect(warned).toEqual([expect.objectContaining({ article: '100', stage: 'revisit' })]);

    // 100 went to the back of the rotation, so the article not yet revisited comes first.
    before = upstream.requests.length;
    const third = await drain(source.poll(at(7200), lastCursors(second.batches)));
    expect(third.error).toBeNull();
    expect([...new Set(treeReads(upstream.requests.slice(before)))]).toEqual(['98', '100']);
  });

  it('drops an article from the rotation when its tree answers 404 (deleted)', async () => {
    const docs = quiet(2, 110);
    const { upstream, source } = await start(docs);
    const first = await drain(source.poll(at(0), new Map()));
    docs.splice(0, 1);
    const second = await drain(source.poll(at(3600), lastCursors(first.batches)));
    expect(second.error).toBeNull();
    expect(treeReads(upstream.requests)).toEqual(['110', '109']);
    expect(watchOf(second.batches.at(-1)?.cursor)).toEqual({ tracked: { '109': NOW_S - 160 }, revisited: { '109': NOW_S + 3600 } });
  });

  it('reports a stored cursor whose tracked list is malformed and polls afresh; an older cursor without one is fine', async () => {
    const docs = quiet(2, 120);
    const { source } = await start(docs);
    const logs: LoggedLine[] = [];
    const bad = { hw: NOW_S - 50, hwIds: [], walk: null, tracked: { '120': 'yesterday' }, revisited: {} };
    const broken = await drain(source.poll(at(0, logs), new Map([[DEVTO_QUERY_KEY, bad]])));
    expect(broken.error).toBeNull();
    expect(warningsIn(logs).some((w) => /wrong shape/.test(w))).toBe(true);
    expect(ids(broken.batches)).toEqual(['120', '119']);

    const olderLogs: LoggedLine[] = [];
    const older = await drain(source.poll(at(0, olderLogs), new Map([[DEVTO_QUERY_KEY, { hw: NOW_S - 200, hwIds: [], walk: null }]])));
    expect(older.error).toBeNull();
    expect(warningsIn(olderLogs)).toEqual([]);
    expect(ids(older.batches)).toEqual(['120', '119']);
    expect(watchOf(older.batches.at(-1)?.cursor).tracked).toEqual({ '120': NOW_S - 100, '119': NOW_S - 160 });
  });
});
