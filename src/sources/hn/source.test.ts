import { describe, expect, it } from 'vitest';
import { maxRequestsInWindow, type FakeRequest } from '../../../test/support/fake-upstream.ts';
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
import { UpstreamError } from '../http.ts';
import { HN_ALGOLIA_RATE_LIMIT } from './client.ts';
import { createHnSource, HN_FALLBACK_QUERY_KEY, toHnBackfillKey, toHnQueryKey, type HnSourceOptions } from './source.ts';

const NOW = new Date('2026-03-02T12:00:00Z');
const NOW_S = NOW.getTime() / 1000;

interface Hit {
  objectID: string;
  created_at_i: number;
  _tags: string[];
  title?: string;
  author?: string;
  story_text?: string;
  comment_text?: string;
  story_id?: number;
}

function makeHits(count: number, phrase: string, newest: number, idBase: number, sameSecondEvery = 1): Hit[] {
  return Array.from({ length: count }, (_, i) => ({
    objectID: String(idBase + i),
    created_at_i: newest - Math.floor(i / sameSecondEvery) * 7,
    _tags: ['comment', `story_${idBase}`],
    author: `user${i}`,
    comment_text: `Comment ${i} about ${phrase} &amp; friends`,
    story_id: idBase,
  }));
}

/** Answers search_by_date like Algolia: phrase match, numericFilters, newest first, 1,000-hit cap. */
function algoliaHandler(data: Hit[]) {
  return (request: FakeRequest) => {
    if (request.path !== '/search_by_date') return { status: 404, body: { message: 'not found' } };
    const phrase = (request.query.get('query') ?? '').replace(/"/g, '').toLowerCase();
    const filters = (request.query.get('numericFilters') ?? '').split(',').filter(Boolean);
    const hitsPerPage = Number(request.query.get('hitsPerPage') ?? 20);
    const page = Number(request.query.get('page') ?? 0);
    const matching = data
      .filter((hit) => `${hit.title ?? ''} ${hit.story_text ?? ''} ${hit.comment_text ?? ''}`.toLowerCase().includes(phrase))
      .filter((hit) =>
        filters.every((f) => {
          const [, op, value] = /^created_at_i(>=|<=|>|<|=)(\d+)$/.exec(f) ?? [];
          const v = Number(value);
          const t = hit.created_at_i;
          return op === '>=' ? t >= v : op === '<=' ? t <= v : op === '>' ? t > v : op === '<' ? t < v : t === v;
        }),
      )
      .sort((a, b) => b.created_at_i - a.created_at_i || Number(b.objectID) - Number(a.objectID));
    const start = page * hitsPerPage;
    const hits = start >= 1000 ? [] : matching.slice(start, Math.min(start + hitsPerPage, 1000));
    return {
      body: {
        hits,
        nbHits: matching.length,
        page,
        nbPages: Math.ceil(Math.min(matching.length, 1000) / hitsPerPage),
        hitsPerPage,
        exhaustiveNbHits: true,
        query: request.query.get('query'),
        params: '',
        processingTimeMS: 1,
      },
    };
  };
}

const context = (terms: Array<[string, string[]]>, logs?: LoggedLine[]) => makeContext(termsOf(terms), NOW, logs);

async function start(data: Hit[], extra: Partial<HnSourceOptions> = {}) {
  const upstream = await serveUpstream(algoliaHandler(data));
  const source = createHnSource({
    baseUrl: upstream.url,
    firebaseUrl: null,
    ...fastHttp(),
    retries: 3,
    hitsPerPage: 40,
    ...extra,
  });
  return { upstream, source };
}

describe('createHnSource poll', () => {
  it('walks every page of a quoted phrase query once, with same-second hits across page boundaries', async () => {
    const data = makeHits(130, 'claude code', NOW_S - 60, 1000, 3);
    const { upstream, source } = await start(data);
    const { batches, error } = await drain(source.poll(context([['claude-code', ['Claude Code']]]), new Map()));
    expect(error).toBeNull();
    const got = ids(batches);
    expect(new Set(got).size).toBe(got.length);
    expect(got.sort()).toEqual(data.map((h) => h.objectID).sort());
    const first = upstream.requests[0];
    expect(first?.query.get('query')).toBe('"claude code"');
    expect(first?.query.get('tags')).toBe('(story,comment)');
    expect(first?.query.get('numericFilters')).toBe(`created_at_i>=${NOW_S - 86_400 - 300}`);
    expect(upstream.requests.every((r) => r.query.get('page') === '0')).toBe(true);
    const cursor = batches.at(-1)?.cursor as { hw: number; recent: Record<string, number>; walk: unknown };
    expect(cursor).toMatchObject({ hw: NOW_S - 60, walk: null });
    // The default five-minute overlap keeps the ids of the newest 300 s, and only those.
    expect(Object.keys(cursor.recent).sort()).toEqual(
      data
        .filter((h) => h.created_at_i >= NOW_S - 360)
        .map((h) => h.objectID)
        .sort(),
    );
    expect(batches[0]?.posts[0]?.body).toBe('Comment 2 about claude code & friends');
  });

  it('resumes from the high-water mark and takes new hits in the same second, not the stored ones', async () => {
    const data = makeHits(5, 'cursor', NOW_S - 100, 2000);
    const { source, upstream } = await start(data, { overlapMs: 0 });
    const ctx = context([['cursor', ['cursor']]]);
    const first = await drain(source.poll(ctx, new Map()));
    expect(ids(first.batches)).toHaveLength(5);
    expect(first.batches.at(-1)?.cursor).toEqual({ hw: NOW_S - 100, recent: { '2000': NOW_S - 100 }, walk: null });
    data.push(
      { ...makeHits(1, 'cursor', NOW_S - 100, 2100)[0]!, objectID: '2100' },
      { ...makeHits(1, 'cursor', NOW_S - 10, 2200)[0]!, objectID: '2200' },
    );
    const second = await drain(source.poll(ctx, lastCursors(first.batches)));
    expect(ids(second.batches).sort()).toEqual(['2100', '2200']);
    expect(upstream.requests.at(-1)?.query.get('numericFilters')).toBe(`created_at_i>=${NOW_S - 100}`);
    const third = await drain(source.poll(ctx, lastCursors(second.batches)));
    expect(ids(third.batches)).toEqual([]);
  });

  it('re-reads the overlap below the high-water mark and finds a hit the index took late, repeating none', async () => {
    const data = makeHits(20, 'cursor', NOW_S - 100, 2500);
    const { source, upstream } = await start(data, { overlapMs: 300_000 });
    const ctx = context([['cursor', ['cursor']]]);
    const first = await drain(source.poll(ctx, new Map()));
    expect(ids(first.batches)).toHaveLength(20);
    data.push({ ...makeHits(1, 'cursor', NOW_S - 250, 2600)[0]!, objectID: '2600' });
    const second = await drain(source.poll(ctx, lastCursors(first.batches)));
    expect(ids(second.batches)).toEqual(['2600']);
    expect(upstream.requests.at(-1)?.query.get('numericFilters')).toBe(`created_at_i>=${NOW_S - 400}`);
    const third = await drain(source.poll(ctx, lastCursors(second.batches)));
    expect(ids(third.batches)).toEqual([]);
  });

  it('steps past a second holding more hits than a page instead of looping', async () => {
    const crowded = Array.from({ length: 5 }, (_, i): Hit => ({
      objectID: String(3100 + i),
      created_at_i: NOW_S - 50,
      _tags: ['story'],
      title: `zed ${i}`,
      author: 'a',
    }));
    const data = [...crowded, ...makeHits(3, 'zed', NOW_S - 60, 3200)];
    const logs: LoggedLine[] = [];
    const { source } = await start(data, { hitsPerPage: 4 });
    const { batches, error } = await drain(source.poll(context([['zed', ['zed']]], logs), new Map()));
    expect(error).toBeNull();
    expect(warningsIn(logs).some((w) => /more hits in one second/.test(w))).toBe(true);
    expect(ids(batches)).toEqual(expect.arrayContaining(['3200', '3201', '3202']));
    expect(new Set(ids(batches)).size).toBe(ids(batches).length);
  });

  it('resumes from the cursor of every batch with nothing lost and nothing repeated', async () => {
    const data = makeHits(130, 'claude code', NOW_S - 60, 11_000, 3);
    const { source } = await start(data);
    const ctx = context([['claude-code', ['Claude Code']]]);
    const full = await drain(source.poll(ctx, new Map()));
    expect(full.batches.length).toBeGreaterThanOrEqual(4);
    for (let k = 1; k < full.batches.length; k++) {
      const prefix = full.batches.slice(0, k);
      const rest = await drain(source.poll(ctx, lastCursors(prefix)));
      expect([...ids(prefix), ...ids(rest.batches)].sort()).toEqual(data.map((h) => h.objectID).sort());
    }
  });

  it('keeps walking when Algolia serves fewer hits per page than asked', async () => {
    const data = makeHits(60, 'aider', NOW_S - 30, 14_000);
    const { upstream, source } = await start(data, { hitsPerPage: 40 });
    const handler = algoliaHandler(data);
    upstream.setHandler((request) => {
      request.query.set('hitsPerPage', '15');
      return handler(request);
    });
    const { batches } = await drain(source.poll(context([['aider', ['aider']]]), new Map()));
    expect(ids(batches).sort()).toEqual(data.map((h) => h.objectID).sort());
  });

  it('yields a post matched by two phrases only once per run', async () => {
    const data: Hit[] = [
      { objectID: '1', created_at_i: NOW_S - 5, _tags: ['story'], title: 'Cursor vs Claude Code', author: 'a' },
      { objectID: '2', created_at_i: NOW_S - 6, _tags: ['story'], title: 'Claude Code tips', author: 'b' },
    ];
    const { source } = await start(data);
    const { batches } = await drain(
      source.poll(
        context([
          ['cursor', ['Cursor']],
          ['claude-code', ['Claude Code']],
        ]),
        new Map(),
      ),
    );
    expect(ids(batches).sort()).toEqual(['1', '2']);
    expect(batches.map((b) => b.queryKey)).toEqual(['"cursor"', '"claude code"']);
  });

  it('survives 429 with Retry-After, 500 and a slow response, losing and repeating nothing', async () => {
    const data = makeHits(100, 'aider', NOW_S - 30, 3000);
    const { upstream, source } = await start(data);
    upstream.queue(
      { status: 429, headers: { 'retry-after': '1' }, body: 'rate limited' },
      { status: 500, body: 'oops' },
      { delayMs: 700, body: {} },
    );
    const { batches, error } = await drain(source.poll(context([['aider', ['aider']]]), new Map()));
    expect(error).toBeNull();
    expect(ids(batches).sort()).toEqual(data.map((h) => h.objectID).sort());
    const [first, second] = upstream.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('dies on truncated JSON at page 3 with a cursor that resumes at page 3', async () => {
    const data = makeHits(100, 'aider', NOW_S - 30, 4000);
    const { upstream, source } = await start(data);
    const handler = algoliaHandler(data);
    let calls = 0;
    upstream.setHandler((request) => (++calls === 3 ? { body: '{"hits":[{"objectID":"1"' } : handler(request)));
    const ctx = context([['aider', ['aider']]]);
    const first = await drain(source.poll(ctx, new Map()));
    expect(first.error).toBeInstanceOf(UpstreamError);
    expect((first.error as Error).message).toMatch(/malformed JSON/);
    expect(first.batches).toHaveLength(2);
    // Each step re-asks for its boundary second, so page 2 brings 39 new hits, not 40.
    expect(ids(first.batches)).toHaveLength(79);
    expect(first.batches[1]?.cursor).toMatchObject({ hw: NOW_S - 86_400, walk: { upper: NOW_S - 30 - 78 * 7 } });
    const resumed = await drain(source.poll(ctx, lastCursors(first.batches)));
    expect(resumed.error).toBeNull();
    const all = [...ids(first.batches), ...ids(resumed.batches)];
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(data.map((h) => h.objectID).sort());
    expect(resumed.batches.at(-1)?.cursor).toMatchObject({ hw: NOW_S - 30, walk: null });
  });

  it('fails on valid JSON of the wrong shape without committing a cursor for it', async () => {
    const { upstream, source } = await start([]);
    upstream.queue({ body: { results: [] } });
    const { batches, error } = await drain(source.poll(context([['aider', ['aider']]]), new Map()));
    expect(batches).toEqual([]);
    expect((error as Error).message).toMatch(/unexpected response shape at hits/);
  });

  it('rejects a malformed hit with its reason, keeps the rest, and drops a deleted one', async () => {
    const data = makeHits(3, 'zed', NOW_S - 30, 5000);
    const { upstream, source } = await start(data);
    upstream.queue({
      body: {
        hits: [
          ...data,
          { objectID: '5009', created_at_i: 'yesterday', _tags: ['comment'], comment_text: 'zed' },
          { objectID: '5010', created_at_i: NOW_S - 40, _tags: ['comment'] },
        ],
        nbHits: 5,
        page: 0,
        nbPages: 1,
        hitsPerPage: 40,
      },
    });
    const { batches } = await drain(source.poll(context([['zed', ['zed']]]), new Map()));
    expect(ids(batches).sort()).toEqual(['5000', '5001', '5002']);
    expect(batches[0]?.rejected).toEqual([{ externalId: '5009', reason: expect.stringMatching(/^created_at_i:/) }]);
    expect(batches[0]?.fetched).toBe(5);
  });

  it('yields an item repeated on the next page once', async () => {
    const data = makeHits(60, 'zed', NOW_S - 30, 6000);
    const { upstream, source } = await start(data);
    const handler = algoliaHandler(data);
    let calls = 0;
    upstream.setHandler(async (request) => {
      const response = handler(request);
      if (++calls === 2) (response.body as { hits: Hit[] }).hits.unshift(data[5]!);
      return response;
    });
    const { batches } = await drain(source.poll(context([['zed', ['zed']]]), new Map()));
    const got = ids(batches);
    expect(got).toHaveLength(60);
    expect(new Set(got).size).toBe(60);
  });

  it('keeps requests spaced by the configured rate limit', async () => {
    const data = makeHits(200, 'zed', NOW_S - 30, 7000);
    const { upstream, source } = await start(data, { rateLimit: { minTimeMs: 50 }, hitsPerPage: 20 });
    await drain(source.poll(context([['zed', ['zed']]]), new Map()));
    expect(upstream.requests.length).toBeGreaterThanOrEqual(10);
    // 50 ms spacing allows 3 starts in any 150 ms, one more at the edge; unthrottled, they would bunch up.
    expect(maxRequestsInWindow(upstream.requests, 150)).toBeLessThanOrEqual(4);
  });

  it('falls back to Firebase new stories filtered by the terms when Algolia keeps failing', async () => {
    const { upstream } = await start([]);
    upstream.setHandler(() => ({ status: 503, body: 'index down' }));
    const items: Record<number, unknown> = {
      101: { id: 101, type: 'story', by: 'a', time: NOW_S - 50, title: 'Claude Code &amp; me', url: 'https://x.example/1' },
      102: { id: 102, type: 'story', by: 'b', time: NOW_S - 40, title: 'Unrelated gardening' },
      103: { id: 103, type: 'story', deleted: true, time: NOW_S - 30 },
      104: { id: 104, type: 'story', by: 'c', time: NOW_S - 20, title: 'Ask HN', text: 'is <b>claude code</b> good?<script>x()</script>' },
      105: { id: 105, type: 'story', time: 'soon', title: 'claude code broken item' },
    };
    const firebase = await serveUpstream((request) => {
      if (request.path === '/newstories.json') return { body: [105, 104, 103, 102, 101, 99] };
      const id = Number(/^\/item\/(\d+)\.json$/.exec(request.path)?.[1]);
      return { body: items[id] ?? null };
    });
    const logs: LoggedLine[] = [];
    const source = createHnSource({
      baseUrl: upstream.url,
      firebaseUrl: firebase.url,
      rateLimit: { minTimeMs: 2 },
      firebaseRateLimit: { minTimeMs: 2 },
      retries: 1,
      minRetryDelayMs: 5,
      fallbackBatchSize: 2,
    });
    const ctx = context([['claude-code', ['Claude Code']]], logs);
    const { batches, error } = await drain(source.poll(ctx, new Map([[HN_FALLBACK_QUERY_KEY, { maxId: 100 }]])));
    expect(error).toBeNull();
    expect(warningsIn(logs).some((w) => /Firebase/.test(w))).toBe(true);
    expect(ids(batches)).toEqual(['101', '104']);
    expect(batches.flatMap((b) => b.posts).find((p) => p.externalId === '104')?.body).toBe('is claude code good?');
    expect(batches.flatMap((b) => b.rejected)).toEqual([{ externalId: '105', reason: expect.stringMatching(/^time:/) }]);
    expect(batches.map((b) => b.cursor)).toEqual([{ maxId: 102 }, { maxId: 104 }, { maxId: 105 }]);
    expect(batches.map((b) => b.fetched)).toEqual([1, 2, 1]);
    expect(batches.every((b) => b.queryKey === HN_FALLBACK_QUERY_KEY)).toBe(true);
    expect(firebase.requests.some((r) => r.path === '/item/99.json')).toBe(false);
  });
});

describe('createHnSource limits and shutdown', () => {
  it('defaults to a spacing that keeps inside 10,000 requests an hour', () => {
    expect(3_600_000 / HN_ALGOLIA_RATE_LIMIT.minTimeMs).toBeLessThanOrEqual(10_000);
  });

  it('stops at once when the run is aborted mid-request, without falling back or retrying', async () => {
    const data = makeHits(100, 'zed', NOW_S - 30, 8000);
    const { upstream, source } = await start(data, { firebaseUrl: 'http://127.0.0.1:9', timeoutMs: 5_000 });
    upstream.queue({ delayMs: 2_000, body: {} });
    const controller = new AbortController();
    const ctx = { ...context([['zed', ['zed']]]), signal: controller.signal };
    setTimeout(() => controller.abort(new Error('shutdown')), 100);
    const { batches, error } = await drain(source.poll(ctx, new Map()));
    expect(error).not.toBeInstanceOf(UpstreamError);
    expect((error as Error).message).toMatch(/shutdown/);
    expect(batches).toEqual([]);
    expect(upstream.requests).toHaveLength(1);
  });
});

describe('createHnSource backfill', () => {
  const window = { since: new Date('2026-01-01T00:00:00Z'), until: new Date('2026-02-01T00:00:00Z') };
  const sinceS = window.since.getTime() / 1000;
  const untilS = window.until.getTime() / 1000;

  it('walks past the 1,000-hit cap by sliding the window, inside the window only, with rising progress', async () => {
    const inside = Array.from({ length: 1150 }, (_, i): Hit => ({
      objectID: String(10_000 + i),
      created_at_i: untilS - 1 - i * 2000,
      _tags: ['story'],
      title: `Copilot story ${i}`,
      author: 'x',
    }));
    const outside: Hit[] = [
      { objectID: '1', created_at_i: untilS, _tags: ['story'], title: 'Copilot at the end', author: 'x' },
      { objectID: '2', created_at_i: sinceS - 1, _tags: ['story'], title: 'Copilot before', author: 'x' },
    ];
    const inWindow = inside.filter((h) => h.created_at_i >= sinceS);
    const { source } = await start([...inside, ...outside], { hitsPerPage: 500, rateLimit: { minTimeMs: 1 } });
    const { batches, error } = await drain(source.backfill!(context([['copilot', ['copilot']]]), window, new Map()));
    expect(error).toBeNull();
    expect(inWindow.length).toBeGreaterThan(1000);
    const got = ids(batches);
    expect(new Set(got).size).toBe(got.length);
    expect(got.sort()).toEqual(inWindow.map((h) => h.objectID).sort());
    const progress = batches.map((b) => b.progress ?? -1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1);
    expect(batches.at(-1)?.cursor).toMatchObject({ done: true });
    expect(batches[0]?.queryKey).toBe(toHnBackfillKey('copilot', window));
  });

  it('resumes an interrupted backfill from its cursor and skips finished phrases', async () => {
    const data = Array.from({ length: 90 }, (_, i): Hit => ({
      objectID: String(20_000 + i),
      created_at_i: untilS - 100 - i * 1000,
      _tags: ['story'],
      title: `Aider ${i}`,
      author: 'y',
    }));
    const { upstream, source } = await start(data, { hitsPerPage: 30 });
    const handler = algoliaHandler(data);
    let calls = 0;
    upstream.setHandler((request) => (++calls === 2 ? { status: 400, body: 'bad request' } : handler(request)));
    const ctx = context([
      ['aider', ['aider']],
      ['zed', ['zed']],
    ]);
    const first = await drain(source.backfill!(ctx, window, new Map()));
    expect(first.error).toBeInstanceOf(UpstreamError);
    expect(ids(first.batches)).toHaveLength(30);
    const cursors = lastCursors(first.batches);
    cursors.set(toHnBackfillKey('zed', window), { upper: 0, seen: [], done: true });
    const before = upstream.requests.length;
    const second = await drain(source.backfill!(ctx, window, cursors));
    expect(second.error).toBeNull();
    const all = [...ids(first.batches), ...ids(second.batches)];
    expect(all.sort()).toEqual(data.map((h) => h.objectID).sort());
    expect(upstream.requests.slice(before).every((r) => r.query.get('query') === '"aider"')).toBe(true);
  });

  it('uses the phrase query key for polls and a separate one per backfill window', () => {
    expect(toHnQueryKey('claude code')).toBe('"claude code"');
    expect(toHnBackfillKey('claude code', window)).toBe('backfill:2026-01-01T00:00:00.000Z..2026-02-01T00:00:00.000Z:"claude code"');
  });
});
