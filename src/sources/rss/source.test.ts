import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { maxRequestsInWindow, type FakeRequest, type FakeResponse } from '../../../test/support/fake-upstream.ts';
import { drain, fastHttp, lastCursors, makeContext, serveUpstream, termsOf } from '../../../test/support/source-harness.ts';
import { TargetsFailedError } from '../batching.ts';
import type { SourceBatch } from '../types.ts';
import { createRssSource, type RssSourceOptions } from './source.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const context = () =>
  makeContext(
    termsOf([
      ['claude-code', ['Claude Code']],
      ['cursor', ['Cursor']],
    ]),
    new Date('2026-11-26T12:00:00Z'),
  );

const xml = (body: string): FakeResponse => ({ headers: { 'content-type': 'application/rss+xml' }, body });

function rssOf(items: Array<{ id: string; title: string; date?: string }>): string {
  const entries = items
    .map(
      (i) =>
        `<item><title>${i.title}</title><guid>${i.id}</guid><pubDate>${i.date ?? 'Wed, 25 Nov 2026 10:00:00 GMT'}</pubDate><description>&lt;p&gt;${i.title}&lt;/p&gt;</description></item>`,
    )
    .join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>${entries}</channel></rss>`;
}

/** Serves fixed feed bodies by path, with ETag / If-None-Match like a static file server. */
function serveFeeds(bodies: Record<string, string>) {
  return (request: FakeRequest): FakeResponse => {
    const body = bodies[request.path];
    if (body === undefined) return { status: 404, body: 'no such feed' };
    const etag = `"${body.length}"`;
    if (request.headers['if-none-match'] === etag) return { status: 304, headers: { etag } };
    return { headers: { 'content-type': 'application/xml', etag, 'last-modified': 'Wed, 25 Nov 2026 12:00:00 GMT' }, body };
  };
}

const makeSource = (url: string, paths: string[], extra: Partial<RssSourceOptions> = {}) =>
  createRssSource({
    feeds: paths.map((path) => `${url}${path}`),
    ...fastHttp(10),
    ...extra,
  });

const titles = (batches: SourceBatch[]) => batches.flatMap((b) => b.posts.map((p) => p.title));

describe('RSS source', () => {
  it('keeps only items that mention a tracked term, and reports bad items without dropping the feed', async () => {
    const upstream = await serveUpstream(serveFeeds({ '/blog.xml': fixture('blog.rss.xml') }));
    const { batches, error } = await drain(makeSource(upstream.url, ['/blog.xml']).poll(context(), new Map()));
    expect(error).toBeNull();
    expect(batches).toHaveLength(1);
    expect(titles(batches)).toEqual(['Introducing faster agents in Claude Code', "Why we moved off Cursor's <beta> channel"]);
    expect(batches[0]?.rejected.map((r) => r.reason)).toEqual(['unparseable date "sometime last week"']);
    expect(batches[0]?.fetched).toBe(5);
    // Every item read is listed for preview, kept or not, in the feed's order.
    expect(batches[0]?.mapped?.map((p) => p.title ?? p.body)).toEqual([
      'Introducing faster agents in Claude Code',
      "Why we moved off Cursor's <beta> channel",
      'Gardening with tomatoes',
      'An item with no guid and no link.',
    ]);
    expect(batches[0]?.queryKey).toBe(`feed:${upstream.url}/blog.xml`);
    expect(upstream.requests[0]?.headers.accept).toMatch(/application\/rss\+xml/);
  });

  it('turns status-page items into incidents and changelog items into releases, matching or not', async () => {
    const upstream = await serveUpstream(
      serveFeeds({
        '/status/history.atom': fixture('status.atom.xml'),
        '/changelog.atom': fixture('changelog.atom.xml'),
        '/blog.xml': fixture('blog.rss.xml'),
      }),
    );
    const source = makeSource(upstream.url, ['/status/history.atom', '/changelog.atom', '/blog.xml']);
    const { batches } = await drain(source.poll(context(), new Map()));
    const events = batches.flatMap((b) => b.events.map((e) => `${e.kind}: ${e.title}`));
    expect(events).toEqual([
      'incident: Elevated errors on Claude Code sessions',
      'incident: Scheduled maintenance',
      'release: Cursor 2.4 & background agents',
      'release: Fixes',
      'release: Plain notes',
      'release: Introducing faster agents in Claude Code',
    ]);
    const incident = batches[0]?.events[0];
    expect(incident?.occurredAt.toISOString()).toBe('2026-11-25T11:02:00.000Z');
    expect(incident?.url).toBe('https://status.example.ai/incidents/abc123');
    expect(incident?.body).toContain('This incident has been resolved.');
  });

  it('sends its stored ETag and yields nothing, keeping the cursor, when the feed is unchanged', async () => {
    const upstream = await serveUpstream(serveFeeds({ '/blog.xml': fixture('blog.rss.xml') }));
    const source = makeSource(upstream.url, ['/blog.xml']);
    const first = await drain(source.poll(context(), new Map()));
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(upstream.requests[1]?.headers['if-none-match']).toBe(`"${fixture('blog.rss.xml').length}"`);
    expect(upstream.requests[1]?.headers['if-modified-since']).toBe('Wed, 25 Nov 2026 12:00:00 GMT');
    expect(second.batches).toEqual([
      { queryKey: first.batches[0]?.queryKey, posts: [], events: [], rejected: [], fetched: 0, cursor: first.batches[0]?.cursor },
    ]);
  });

  it('yields only the new items when a changed feed still lists old ones', async () => {
    const feeds: Record<string, string> = {
      '/f.xml': rssOf([
        { id: 'a', title: 'Claude Code one' },
        { id: 'b', title: 'Claude Code two' },
      ]),
    };
    const upstream = await serveUpstream(serveFeeds(feeds));
    const source = makeSource(upstream.url, ['/f.xml']);
    const first = await drain(source.poll(context(), new Map()));
    feeds['/f.xml'] = rssOf([
      { id: 'c', title: 'Claude Code three' },
      { id: 'a', title: 'Claude Code one' },
      { id: 'b', title: 'Claude Code two' },
    ]);
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(titles(first.batches)).toEqual(['Claude Code one', 'Claude Code two']);
    expect(titles(second.batches)).toEqual(['Claude Code three']);
    expect(second.batches[0]?.fetched).toBe(1);
  });

  it('yields an item listed twice in a feed once', async () => {
    const upstream = await serveUpstream(
      serveFeeds({
        '/f.xml': rssOf([
          { id: 'a', title: 'Cursor' },
          { id: 'a', title: 'Cursor' },
        ]),
      }),
    );
    const { batches } = await drain(makeSource(upstream.url, ['/f.xml']).poll(context(), new Map()));
    expect(titles(batches)).toEqual(['Cursor']);
  });

  it('rides out 429 with Retry-After, a 500 and a slow response', async () => {
    const upstream = await serveUpstream(
      serveFeeds({ '/f.xml': rssOf([{ id: 'a', title: 'Cursor &amp;amp; friends &lt;script&gt;x()&lt;/script&gt;' }]) }),
    );
    upstream.queue({ status: 429, headers: { 'retry-after': '0' } }, { status: 500 }, { delayMs: 600, ...xml('<rss/>') });
    const { batches, error } = await drain(makeSource(upstream.url, ['/f.xml']).poll(context(), new Map()));
    expect(error).toBeNull();
    expect(titles(batches)).toEqual(['Cursor & friends <script>x()</script>']);
    expect(batches[0]?.posts[0]?.body).toBe('Cursor & friends');
    expect(upstream.requests).toHaveLength(4);
  });

  it('collects the other feeds when one is truncated or not a feed, then fails naming both, leaving their cursors alone', async () => {
    const good = rssOf([{ id: 'a', title: 'Claude Code rocks' }]);
    const upstream = await serveUpstream(
      serveFeeds({ '/cut.xml': good.slice(0, 80), '/good.xml': good, '/json.xml': JSON.stringify({ items: [] }) }),
    );
    const source = makeSource(upstream.url, ['/cut.xml', '/good.xml', '/json.xml']);
    const { batches, error } = await drain(source.poll(context(), new Map()));
    expect(titles(batches)).toEqual(['Claude Code rocks']);
    expect(batches.map((b) => b.queryKey)).toEqual([`feed:${upstream.url}/good.xml`]);
    expect(String(error)).toMatch(/2 of 3 feeds failed: .*\/cut\.xml: feed unreadable: malformed XML.*\/json\.xml: feed unreadable/);
    expect(error).toBeInstanceOf(TargetsFailedError);
    expect((error as TargetsFailedError).failures.map((f) => f.target)).toEqual([`${upstream.url}/cut.xml`, `${upstream.url}/json.xml`]);
  });

  it('resumes after a stop between feeds without repeating the feeds already committed', async () => {
    const upstream = await serveUpstream(
      serveFeeds({
        '/a.xml': rssOf([{ id: 'a1', title: 'Cursor a' }]),
        '/b.xml': rssOf([{ id: 'b1', title: 'Cursor b' }]),
        '/c.xml': rssOf([{ id: 'c1', title: 'Cursor c' }]),
      }),
    );
    const source = makeSource(upstream.url, ['/a.xml', '/b.xml', '/c.xml']);
    for (let stopAfter = 1; stopAfter <= 3; stopAfter++) {
      const cut = await drain(source.poll(context(), new Map()), stopAfter);
      const rest = await drain(source.poll(context(), lastCursors(cut.batches)));
      expect([...titles(cut.batches), ...titles(rest.batches)]).toEqual(['Cursor a', 'Cursor b', 'Cursor c']);
    }
  });

  it('spaces requests to one host inside the configured limit', async () => {
    const paths = Array.from({ length: 8 }, (_, i) => `/f${i}.xml`);
    const upstream = await serveUpstream(serveFeeds(Object.fromEntries(paths.map((p) => [p, rssOf([])]))));
    await drain(makeSource(upstream.url, paths, { rateLimit: { minTimeMs: 30 } }).poll(context(), new Map()));
    expect(upstream.requests).toHaveLength(8);
    // 120 ms holds at most 4 starts 30 ms apart, plus one for arrival jitter.
    expect(maxRequestsInWindow(upstream.requests, 120)).toBeLessThanOrEqual(5);
  });

  it('reads a feed in the encoding its XML declaration names, whatever the bytes look like as UTF-8', async () => {
    const latin1 = Buffer.from(
      '<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><item><guid>1</guid><title>Cursor \xe9 \xfatil</title></item></channel></rss>',
      'latin1',
    );
    const upstream = await serveUpstream(() => ({ headers: { 'content-type': 'application/rss+xml' }, body: new Uint8Array(latin1) }));
    const { batches } = await drain(makeSource(upstream.url, ['/f.xml']).poll(context(), new Map()));
    expect(titles(batches)).toEqual(['Cursor é útil']);
  });

  it('dates an undated item when the poll saw it', async () => {
    const upstream = await serveUpstream(
      serveFeeds({ '/f.xml': '<rss><channel><item><guid>u1</guid><title>Cursor undated</title></item></channel></rss>' }),
    );
    const { batches } = await drain(makeSource(upstream.url, ['/f.xml']).poll(context(), new Map()));
    expect(batches[0]?.posts[0]?.createdAt.toISOString()).toBe('2026-11-26T12:00:00.000Z');
  });

  it('is skipped with a reason when no feeds are configured', () => {
    expect(createRssSource({ feeds: [] }).skipReason()).toBe('no RSS/Atom feeds configured');
  });
});
