import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEntities } from '../src/pipeline/entities.ts';
import { createSourcePreviewer } from '../src/pipeline/preview.ts';
import { createMastodonSource } from '../src/sources/mastodon/index.ts';
import { createRssSource } from '../src/sources/rss/index.ts';
import { openAdminApp, type AdminApp } from './support/admin-app.ts';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.ts';

// "Test this source" (issue 13): POST /api/v1/sources/{name}/preview polls a configured source once,
// over the entities tracked in the database, over real HTTP, and stores nothing.
const TOKEN = 'preview-admin-token-0123';

const FEED = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Dev notes</title>
<item><title>Claude Code keeps crashing on large repos</title><guid>b1</guid><link>https://blog.example/posts/1</link>
  <pubDate>Tue, 24 Nov 2026 16:30:00 GMT</pubDate><description>&lt;script&gt;alert(1)&lt;/script&gt; Really slow.</description></item>
<item><title>Gardening with Tomato Agent</title><guid>b2</guid><pubDate>Mon, 23 Nov 2026 09:00:00 GMT</pubDate></item>
</channel></rss>`;

interface Preview {
  source: string;
  items: Array<{ externalId: string; title: string | null; body: string; entities: string[]; kind: string; feed: string | null }>;
  errors: Array<{ where: string; message: string }>;
}

describe('POST /api/v1/sources/{name}/preview', () => {
  let upstream: FakeUpstream;
  let admin: AdminApp;
  let feedUrl: string;

  beforeAll(async () => {
    upstream = await startFakeUpstream((request) =>
      request.path === '/feed.xml'
        ? { headers: { 'content-type': 'application/rss+xml' }, body: FEED }
        : { status: 500, body: 'upstream broke' },
    );
    feedUrl = `${upstream.url}/feed.xml`;
    const sources = [
      {
        source: createRssSource({
          feeds: [feedUrl, `${upstream.url}/broken.xml`],
          retries: 1,
          minRetryDelayMs: 10,
          rateLimit: { minTimeMs: 0 },
        }),
        intervalMs: 60_000,
        enabled: true,
      },
      { source: createMastodonSource({ instances: [] }), intervalMs: 60_000, enabled: true },
    ];
    admin = await openAdminApp(TOKEN, (db) => ({ previewSource: createSourcePreviewer(db, sources, pino({ level: 'silent' })) }));
    await seedEntities(admin.database.db);
  });
  afterAll(async () => {
    await admin?.close();
    await upstream?.close();
  });

  const preview = (name: string, body: unknown, token: string | null = TOKEN) =>
    admin.app.request(`/api/v1/sources/${name}/preview`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  it('answers what one poll reads now, each item with the tracked entities it names, and each failing feed with its error', async () => {
    const response = await preview('rss', {});
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toMatch(/no-store|private/);
    const body = (await response.json()) as Preview;
    expect(body.source).toBe('rss');
    // By title: an rss item's id starts with a hex hash of its feed's URL (a random port), which may hold "b1" or "b2".
    const crash = body.items.find((i) => i.title === 'Claude Code keeps crashing on large repos');
    expect(crash?.entities).toContain('claude-code');
    expect(crash?.kind).toBe('post');
    expect(crash?.feed).toBe(feedUrl);
    // Post text comes back as text; the dashboard renders it as such.
    expect(crash?.body).toContain('Really slow.');
    const garden = body.items.find((i) => i.title === 'Gardening with Tomato Agent');
    expect(garden?.entities).toEqual([]);
    expect(body.errors).toEqual([
      expect.objectContaining({ where: `${upstream.url}/broken.xml`, message: expect.stringContaining('500') }),
    ]);
    // Nothing is stored.
    const posts = await admin.database.db
      .selectFrom('posts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(posts.n)).toBe(0);
  });

  it('links over the entities in the database: one added through the API is found in the next preview', async () => {
    const added = await admin.app.request('/api/v1/entities', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ slug: 'tomato-agent', name: 'Tomato Agent', kind: 'tool' }),
    });
    expect(added.status).toBe(201);
    const body = (await (await preview('rss', { limit: 5 })).json()) as Preview;
    expect(body.items.find((i) => i.title === 'Gardening with Tomato Agent')?.entities).toEqual(['tomato-agent']);
  });

  it('stops at the limit asked for', async () => {
    const body = (await (await preview('rss', { limit: 1 })).json()) as Preview;
    expect(body.items).toHaveLength(1);
  });

  it('needs the admin token, names a source that cannot run and why, and refuses unknown names and bad bodies', async () => {
    expect((await preview('rss', {}, null)).status).toBe(401);
    expect((await preview('rss', {}, 'wrong-token-but-long-enough')).status).toBe(403);
    const skipped = await preview('mastodon', {});
    expect(skipped.status).toBe(409);
    expect(((await skipped.json()) as { error: { message: string } }).error.message).toBe(
      'cannot test mastodon: no Mastodon instances configured',
    );
    const unknown = await preview('myspace', {});
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toBe('no source named "myspace" on this server');
    const tooMany = await preview('rss', { limit: 500 });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { error: { message: string } }).error.message).toMatch(/limit/);
    expect((await preview('rss', { query: '   ' })).status).toBe(400);
    expect((await preview('rss', { extra: true })).status).toBe(400);
  });
});
