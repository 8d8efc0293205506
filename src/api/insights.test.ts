import SwaggerParser from '@apidevtools/swagger-parser';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTestEntity, insertTestMention } from '../../test/support/mentions.ts';
import { createDataDir } from '../../test/support/databases.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { rebuildRollups } from '../db/queries/ingest.ts';
import { migrate } from '../db/migrate.ts';
import { createApp, type App } from './app.ts';
import { SILENT_LOG } from '../../test/support/admin-app.ts';

const ADMIN = 'insights-admin-token';
/** The HTTP table of the interface page, which lives outside the repository, plus this additions. */
const INTERFACE_PATHS = [
  ['get', '/health'],
  ['get', '/ready'],
  ['get', '/api/v1/entities'],
  ['get', '/api/v1/entities/{slug}'],
  ['get', '/api/v1/entities/{slug}/sentiment'],
  ['get', '/api/v1/entities/{slug}/aspects'],
  ['get', '/api/v1/entities/{slug}/posts'],
  ['get', '/api/v1/compare'],
  ['get', '/api/v1/sources'],
  ['post', '/api/v1/entities'],
  ['get', '/api/v1/events'],
  ['post', '/api/v1/events'],
  ['get', '/api/v1/entities/{slug}/export'],
  ['get', '/api/v1/entities/{slug}/breakdown'],
] as const;
const DAY = 86_400_000;
let database: Database;
let app: App;
let dataDir: ReturnType<typeof createDataDir>;
const now = Date.now();
const daysAgo = (days: number, hour = 12) => new Date(Math.floor((now - days * DAY) / DAY) * DAY + hour * 3_600_000).toISOString();

function createTestApp(rateLimit?: { limit: number; windowMs: number }): App {
  return createApp({
    db: database.db,
    settings: { adminToken: ADMIN, corsOrigins: [] },
    log: SILENT_LOG,
    sources: [],
    checkReady: async () => ({ ready: true }),
    rateLimit,
  });
}

beforeAll(async () => {
  dataDir = createDataDir({ cluster: true });
  database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
  await migrate(database.db);
  const { db } = database;
  const alpha = await insertTestEntity(db, 'alpha');
  const beta = await insertTestEntity(db, 'beta');
  await insertTestEntity(db, 'gamma', 'model');
  await insertTestMention(db, alpha, {
    at: daysAgo(2),
    score: 1,
    label: 'positive',
    aspects: [{ aspect: 'speed', polarity: 'positive', score: 1 }],
  });
  await insertTestMention(db, alpha, {
    at: daysAgo(1, 9),
    score: -1,
    label: 'negative',
    source: 'reddit',
    title: 'Slow, "really" slow',
    body: 'line one\nline two',
  });
  await insertTestMention(db, alpha, {
    at: daysAgo(1, 10),
    score: -1,
    label: 'negative',
    aspects: [{ aspect: 'speed', polarity: 'negative', score: -1 }],
  });
  await insertTestMention(db, alpha, { at: daysAgo(1, 11), score: 0, label: 'neutral' });
  await insertTestMention(db, alpha, {
    at: daysAgo(9),
    score: 0.5,
    label: 'positive',
    aspects: [{ aspect: 'speed', polarity: 'positive', score: 0.5 }],
  });
  await insertTestMention(db, beta, { at: daysAgo(1, 12), score: 1, label: 'positive' });
  await rebuildRollups(db, new Date(now - 60 * DAY), new Date(now + DAY));
  app = createTestApp();
});
afterAll(async () => {
  await database.close();
  dataDir.remove();
});

type Json = Record<string, unknown>;
const getJson = async (path: string, status = 200): Promise<Json> => {
  const res = await app.request(path);
  expect(res.status, `${path}: ${res.status}`).toBe(status);
  return (await res.json()) as Json;
};
const expectError = async (path: string, status: number, messageStart: RegExp) => {
  const body = (await getJson(path, status)) as { error: { code: string; message: string } };
  expect(body.error.message).toMatch(messageStart);
};

describe('GET /api/v1/entities/{slug}/sentiment', () => {
  it('returns every daily bucket of the last 30 days, empty ones with n = 0, and the events of the window', async () => {
    await database.db
      .insertInto('events')
      .values({ entity_id: 1, kind: 'release', source: 'manual', external_id: 'r1', title: 'v2', occurred_at: daysAgo(3), details: '{}' })
      .execute();
    const body = (await getJson('/api/v1/entities/alpha/sentiment')) as {
      series: Array<Json & { n: number }>;
      events: Json[];
      bucket: string;
      tz: string;
    };
    expect(body.bucket).toBe('day');
    expect(body.tz).toBe('UTC');
    expect(body.series).toHaveLength(31);
    expect(body.series.filter((p) => p.n > 0).map((p) => p.n)).toEqual([1, 1, 3]);
    const yesterday = body.series.find((p) => p.n === 3)!;
    expect(yesterday).toMatchObject({ positive: 0, neutral: 1, negative: 2, score: -2 / 3, netSentiment: -2 / 3 });
    expect(yesterday).toHaveProperty('weightedScore');
    expect(yesterday).toHaveProperty('scoreLow');
    expect(body.series[0]).toMatchObject({ n: 0, score: null });
    expect(body.events).toEqual([expect.objectContaining({ kind: 'release', title: 'v2', entity: 'alpha' })]);
  });

  it('filters by source and accepts a time zone', async () => {
    const body = (await getJson('/api/v1/entities/alpha/sentiment?source=reddit&bucket=week&tz=Europe/Berlin')) as {
      series: Array<{ n: number }>;
    };
    expect(body.series.reduce((n, p) => n + p.n, 0)).toBe(1);
    // A half-hour zone: days from its midnight (18:30 UTC) hold exactly the window's mentions, as the breakdown counts them.
    const kolkataMidnight = (iso: string) => new Date(Date.parse(iso) - 5.5 * 3_600_000).toISOString();
    const [from, to] = [kolkataMidnight(daysAgo(30, 0)), kolkataMidnight(daysAgo(-1, 0))];
    const india = (await getJson(`/api/v1/entities/alpha/sentiment?from=${from}&to=${to}&tz=Asia/Kolkata`)) as {
      tz: string;
      series: Array<{ bucketStart: string; n: number }>;
    };
    expect(india.tz).toBe('Asia/Kolkata');
    expect(india.series).toHaveLength(31);
    expect(india.series.every((p) => p.bucketStart.endsWith('T18:30:00.000Z'))).toBe(true);
    const breakdown = (await getJson(`/api/v1/entities/alpha/breakdown?from=${from}&to=${to}`)) as { total: { n: number } };
    expect(breakdown.total.n).toBeGreaterThan(0);
    expect(india.series.reduce((n, p) => n + p.n, 0)).toBe(breakdown.total.n);
  });

  it('refuses bad parameters with 400 naming them, and unknown entities with 404', async () => {
    await expectError('/api/v1/entities/alpha/sentiment?bucket=year', 400, /^bucket: /);
    await expectError('/api/v1/entities/alpha/sentiment?from=yesterday', 400, /^from: /);
    await expectError('/api/v1/entities/alpha/sentiment?from=2026-02-30T25:00:00Z', 400, /^from: /);
    await expectError('/api/v1/entities/alpha/sentiment?from=2026-03-01&to=2026-02-01', 400, /^from: must be before to/);
    await expectError('/api/v1/entities/alpha/sentiment?from=2020-01-01&to=2026-01-01&bucket=hour', 400, /^bucket: \d+ hour buckets/);
    await expectError('/api/v1/entities/alpha/sentiment?from=1900-01-01', 400, /^from: /);
    await expectError('/api/v1/entities/alpha/sentiment?tz=Mars/Olympus', 400, /^tz: /);
    await expectError('/api/v1/entities/alpha/sentiment?source=HN!', 400, /^source: /);
    await expectError('/api/v1/entities/nobody/sentiment', 404, /^no entity with slug "nobody"/);
  });
});

describe('GET /api/v1/entities/{slug}/breakdown', () => {
  type Breakdown = { from: string; to: string; by: string; total: Json & { n: number }; items: Array<Json & { key: string; n: number }> };

  it('gives each source the statistics of a series point over the window, adding up to the total', async () => {
    const body = (await getJson(`/api/v1/entities/alpha/breakdown?from=${daysAgo(30, 0)}&to=${daysAgo(-1, 0)}`)) as unknown as Breakdown;
    expect(body.from).toBe(daysAgo(30, 0));
    expect(body.total).toMatchObject({ n: 5, positive: 2, neutral: 1, negative: 2 });
    expect(body.total.score).toBeCloseTo((1 - 1 - 1 + 0 + 0.5) / 5, 10);
    expect(body.items.map((item) => [item.key, item.n, item.share])).toEqual([
      ['hn', 4, 0.8],
      ['reddit', 1, 0.2],
    ]);
    expect(body.items[0]).toMatchObject({ positive: 2, neutral: 1, negative: 1, netSentiment: 0.25 });
    expect(body.items[0]!.score).toBeCloseTo(0.125, 10);
    expect(body.items[1]).toMatchObject({ score: -1, scoreLow: null });
    expect(body.items.reduce((n, item) => n + item.n, 0)).toBe(body.total.n);
    expect(body.total).toMatchObject({ previousN: 0, previousScore: null, change: null, significant: false });
  });

  it('gives the change of the total and of each source against the window of the same length before', async () => {
    const body = (await getJson(`/api/v1/entities/alpha/breakdown?from=${daysAgo(7, 0)}&to=${daysAgo(-1, 0)}`)) as unknown as Breakdown & {
      previousFrom: string;
    };
    expect(body.previousFrom).toBe(daysAgo(15, 0));
    expect(body.total).toMatchObject({ n: 4, previousN: 1, previousScore: 0.5, significant: false, changeLow: null });
    expect(body.total.change).toBeCloseTo(-0.25 - 0.5, 10);
    expect(body.items.map((item) => [item.key, item.n, item.previousN])).toEqual([
      ['hn', 3, 1],
      ['reddit', 1, 0],
    ]);
    expect(body.items[0]!.change).toBeCloseTo(0 - 0.5, 10);
    expect(body.items[1]!.change).toBeNull();
  });

  it('counts exactly [from, to), whatever bucket a chart of the window would use', async () => {
    // From 09:30: the 09:00 mention is outside, though the hour (and the week) it falls in is not.
    const from = new Date(Date.parse(daysAgo(1, 9)) + 30 * 60_000).toISOString();
    const to = daysAgo(1, 11);
    const body = (await getJson(`/api/v1/entities/alpha/breakdown?from=${from}&to=${to}`)) as unknown as Breakdown;
    expect(body.total.n).toBe(1);
    // reddit is listed for its mention in the window before (09:00 is there), with none in this one.
    expect(body.items.map((item) => [item.key, item.n, item.previousN])).toEqual([
      ['hn', 1, 0],
      ['reddit', 0, 1],
    ]);
    const weekly = (await getJson(`/api/v1/entities/alpha/sentiment?from=${from}&to=${to}&bucket=week`)) as {
      series: Array<{ n: number }>;
    };
    expect(weekly.series.reduce((n, point) => n + point.n, 0)).toBeGreaterThan(body.total.n);
    const empty = (await getJson(`/api/v1/entities/gamma/breakdown`)) as unknown as Breakdown;
    expect(empty).toMatchObject({ total: { n: 0, score: null }, items: [] });
  });

  it('answers 400 naming the parameter and 404 for an unknown entity', async () => {
    await expectError('/api/v1/entities/alpha/breakdown?from=2026-02-30', 400, /^from: /);
    await expectError('/api/v1/entities/alpha/breakdown?to=2001-01-01&from=2002-01-01', 400, /^from: /);
    await expectError('/api/v1/entities/alpha/breakdown?by=author', 400, /^by: /);
    await expectError('/api/v1/entities/nobody/breakdown', 404, /^no entity/);
  });

  it('by aspect gives each aspect its own polarity statistics and change, with the whole window as the total', async () => {
    const body = (await getJson(
      `/api/v1/entities/alpha/breakdown?by=aspect&from=${daysAgo(7, 0)}&to=${daysAgo(-1, 0)}`,
    )) as unknown as Breakdown;
    expect(body.by).toBe('aspect');
    expect(body.total).toMatchObject({ n: 4, previousN: 1 });
    const speed = body.items.find((item) => item.key === 'speed');
    // A positive and a negative speed aspect in the window (2 of its 4 mentions); one at +0.5 in the window before.
    expect(speed).toMatchObject({ n: 2, positive: 1, negative: 1, score: 0, previousN: 1, previousScore: 0.5, change: -0.5, share: 0.5 });
    expect(body.items.every((item) => item.n <= body.total.n)).toBe(true);
  });
});

describe('GET /api/v1/sources', () => {
  type Sources = {
    collection: boolean;
    items: Array<{
      name: string;
      enabled: boolean;
      skipReason: string | null;
      itemsCollected: number;
      mentionsStored: number;
      firstMentionDay: string | null;
      lastMentionDay: string | null;
    }>;
  };
  const appWith = (collecting: boolean) =>
    createApp({
      db: database.db,
      settings: { adminToken: ADMIN, corsOrigins: [] },
      log: SILENT_LOG,
      sources: [
        { name: 'hn', enabled: true, intervalMs: 300_000, skipReason: null },
        { name: 'reddit', enabled: true, intervalMs: 300_000, skipReason: 'REDDIT_CLIENT_ID is not set' },
      ],
      collecting,
      checkReady: async () => ({ ready: true }),
    });

  it('says whether collection runs, why a source is skipped, and what is stored from each source by any path', async () => {
    const body = (await (await appWith(false).request('/api/v1/sources')).json()) as Sources;
    expect(body.collection).toBe(false);
    // Mentions inserted directly (as import does), never collected: counted all the same.
    // With the UTC days of the oldest and newest of them, so a page can offer the period the data is in.
    const day = (at: string) => at.slice(0, 10);
    expect(body.items).toEqual([
      expect.objectContaining({
        name: 'hn',
        skipReason: null,
        itemsCollected: 0,
        mentionsStored: 5,
        firstMentionDay: day(daysAgo(9)),
        lastMentionDay: day(daysAgo(1)),
      }),
      expect.objectContaining({
        name: 'reddit',
        skipReason: 'REDDIT_CLIENT_ID is not set',
        itemsCollected: 0,
        mentionsStored: 1,
        firstMentionDay: day(daysAgo(1)),
        lastMentionDay: day(daysAgo(1)),
      }),
    ]);
    expect(((await (await appWith(true).request('/api/v1/sources')).json()) as Sources).collection).toBe(true);
  });
});

describe('GET /api/v1/entities/{slug}/aspects', () => {
  it('scores each aspect of the window against the window before', async () => {
    const body = (await getJson(`/api/v1/entities/alpha/aspects?from=${daysAgo(7, 0)}&to=${daysAgo(-1, 0)}`)) as { items: Json[] };
    expect(body.items).toEqual([
      expect.objectContaining({
        aspect: 'speed',
        n: 2,
        positive: 1,
        negative: 1,
        score: 0,
        previousN: 1,
        previousScore: 0.5,
        change: -0.5,
        significant: false,
      }),
    ]);
  });

  it('answers 400 and 404', async () => {
    await expectError('/api/v1/entities/alpha/aspects?to=2001-01-01&from=2002-01-01', 400, /^from: /);
    await expectError('/api/v1/entities/nobody/aspects', 404, /^no entity/);
  });
});

describe('GET /api/v1/entities/{slug}/posts', () => {
  it('pages newest first and follows nextCursor to the end', async () => {
    const first = (await getJson('/api/v1/entities/alpha/posts?limit=2')) as {
      items: Array<Json & { createdAt: string }>;
      nextCursor: string;
    };
    expect(first.items.map((p) => p.createdAt)).toEqual([daysAgo(1, 11), daysAgo(1, 10)]);
    expect(first.items[0]).toMatchObject({ source: 'hn', label: 'neutral', score: 0, matchedText: 'alpha', start: 0, end: 5, aspects: [] });
    const second = (await getJson(`/api/v1/entities/alpha/posts?limit=2&cursor=${first.nextCursor}`)) as {
      items: Json[];
      nextCursor: string;
    };
    expect(second.items.map((p) => p.createdAt)).toEqual([daysAgo(1, 9), daysAgo(2)]);
    const third = (await getJson(`/api/v1/entities/alpha/posts?limit=2&cursor=${second.nextCursor}`)) as {
      items: Json[];
      nextCursor: string | null;
    };
    expect(third.items.map((p) => p.createdAt)).toEqual([daysAgo(9)]);
    expect(third.nextCursor).toBeNull();
  });

  it('filters by polarity, aspect and text', async () => {
    const negative = (await getJson('/api/v1/entities/alpha/posts?polarity=negative')) as { items: Json[] };
    expect(negative.items).toHaveLength(2);
    const speed = (await getJson('/api/v1/entities/alpha/posts?aspect=speed')) as { items: Json[] };
    expect(speed.items).toHaveLength(3);
    const text = (await getJson('/api/v1/entities/alpha/posts?q=REALLY')) as { items: Json[] };
    expect(text.items.map((p) => p.source)).toEqual(['reddit']);
  });

  it('refuses limit over 100, a forged cursor and an unknown polarity', async () => {
    await expectError('/api/v1/entities/alpha/posts?limit=101', 400, /^limit: /);
    await expectError('/api/v1/entities/alpha/posts?cursor=bm90LWEtY3Vyc29y', 400, /^cursor: /);
    await expectError('/api/v1/entities/alpha/posts?polarity=angry', 400, /^polarity: /);
    await expectError('/api/v1/entities/nobody/posts', 404, /^no entity/);
  });

  it('says which tier produced each sentiment, and documents it', async () => {
    const before = (await getJson('/api/v1/entities/alpha/posts')) as { items: Array<{ sentimentTier: string }> };
    expect(before.items.map((p) => p.sentimentTier)).toEqual(['local', 'local', 'local', 'local', 'local']);
    await sql`UPDATE mentions SET sentiment_tier = 'llm' WHERE created_at = ${daysAgo(1, 11)}::timestamptz`.execute(database.db);
    try {
      const after = (await getJson('/api/v1/entities/alpha/posts?limit=2')) as {
        items: Array<{ createdAt: string; sentimentTier: string }>;
      };
      expect(after.items.map((p) => [p.createdAt, p.sentimentTier])).toEqual([
        [daysAgo(1, 11), 'llm'],
        [daysAgo(1, 10), 'local'],
      ]);
      await expect(sql`UPDATE mentions SET sentiment_tier = 'guess'`.execute(database.db)).rejects.toThrow(/sentiment_tier_check/);
    } finally {
      await sql`UPDATE mentions SET sentiment_tier = 'local'`.execute(database.db);
    }
    const doc = (await getJson('/api/openapi.json')) as {
      components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }>; required: string[] }> };
    };
    expect(doc.components.schemas.PostItem?.properties.sentimentTier?.enum).toEqual(['local', 'llm']);
    expect(doc.components.schemas.PostItem?.required).toContain('sentimentTier');
  });
});

describe('GET /api/v1/compare', () => {
  it('aligns the series and gives share of voice per bucket and overall', async () => {
    const body = (await getJson('/api/v1/compare?entities=alpha,beta&bucket=week')) as {
      entities: Array<{
        slug: string;
        n: number;
        shareOfVoice: number;
        series: Array<{ bucketStart: string; n: number; shareOfVoice: number | null }>;
      }>;
    };
    const [alpha, beta] = body.entities;
    expect(alpha!.series.map((p) => p.bucketStart)).toEqual(beta!.series.map((p) => p.bucketStart));
    expect(alpha!.n + beta!.n).toBe(6);
    expect(alpha!.shareOfVoice).toBeCloseTo(5 / 6, 12);
    const bucket = alpha!.series.findIndex((p, i) => p.n + beta!.series[i]!.n > 0 && beta!.series[i]!.n > 0);
    expect(alpha!.series[bucket]!.shareOfVoice! + beta!.series[bucket]!.shareOfVoice!).toBeCloseTo(1, 12);
    expect(alpha!.series.find((p, i) => p.n + beta!.series[i]!.n === 0)?.shareOfVoice).toBeNull();
  });

  it('needs 2 to 6 known, distinct entities', async () => {
    await expectError('/api/v1/compare?entities=alpha', 400, /^entities: /);
    await expectError('/api/v1/compare?entities=a,b,c,d,e,f,g', 400, /^entities: /);
    await expectError('/api/v1/compare?entities=alpha,alpha', 400, /^entities: /);
    await expectError('/api/v1/compare', 400, /^entities: /);
    await expectError('/api/v1/compare?entities=alpha,nobody', 404, /"nobody"/);
  });
});

describe('events', () => {
  const postEvent = (body: unknown, token?: string) =>
    app.request('/api/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const note = { entity: 'beta', kind: 'incident', title: 'API outage', occurredAt: daysAgo(1, 3), externalId: 'inc-1' };

  it('POST stores a manual event with the admin token (401 without, 403 wrong) and the same id updates it', async () => {
    expect((await postEvent(note)).status).toBe(401);
    expect((await postEvent(note, 'wrong')).status).toBe(403);
    const created = await postEvent(note, ADMIN);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ entity: 'beta', kind: 'incident', source: 'manual', externalId: 'inc-1' });
    expect((await postEvent({ ...note, title: 'API outage (resolved)' }, ADMIN)).status).toBe(201);
    const list = (await getJson('/api/v1/events?entity=beta&kind=incident')) as { items: Json[] };
    expect(list.items.map((e) => e.title)).toEqual(['API outage (resolved)']);
  });

  it('POST refuses an invalid body naming the field, and an unknown entity with 404', async () => {
    const bad = await postEvent({ ...note, kind: 'spike' }, ADMIN);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^kind: /);
    expect((await postEvent({ ...note, entity: 'nobody' }, ADMIN)).status).toBe(404);
  });

  it('GET lists every event of the window and refuses bad filters', async () => {
    const all = (await getJson('/api/v1/events')) as { items: Json[] };
    expect(all.items.map((e) => e.kind).sort()).toEqual(['incident', 'release']);
    await expectError('/api/v1/events?kind=party', 400, /^kind: /);
    await expectError('/api/v1/events?entity=nobody', 404, /^no entity/);
  });
});

describe('GET /api/v1/entities/{slug}/export', () => {
  it('exports series and posts as JSON', async () => {
    const body = (await getJson('/api/v1/entities/alpha/export')) as { series: Json[]; posts: Json[]; postsTruncated: boolean };
    expect(body.series).toHaveLength(31);
    expect(body.posts).toHaveLength(5);
    expect(body.postsTruncated).toBe(false);
  });

  it('exports one RFC 4180 CSV table whose quoted fields survive a round trip', async () => {
    const res = await app.request('/api/v1/entities/alpha/export?format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await res.text();
    expect(text).toContain('"Slow, ""really"" slow"');
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.filter((r) => r.record === 'series')).toHaveLength(31);
    const posts = rows.filter((r) => r.record === 'post');
    expect(posts).toHaveLength(5);
    expect(posts.find((r) => r.source === 'reddit')).toMatchObject({
      title: 'Slow, "really" slow',
      body: 'line one\nline two',
      label: 'negative',
    });
  });

  it('answers 400 for an unknown format and 404 for an unknown entity', async () => {
    await expectError('/api/v1/entities/alpha/export?format=xml', 400, /^format: /);
    await expectError('/api/v1/entities/nobody/export', 404, /^no entity/);
  });
});

describe('entity summary', () => {
  it('adds share of voice within the kind, the aspects moving most and 30 sparkline days', async () => {
    const body = (await getJson('/api/v1/entities')) as {
      items: Array<{ slug: string; summary: Json & { sparkline: Array<{ n: number }> } }>;
    };
    const alpha = body.items.find((e) => e.slug === 'alpha')!.summary;
    expect(alpha).toMatchObject({ n: 4, previousN: 1, shareOfVoice: 0.8, previousScore: 0.5, change: -0.75 });
    expect(alpha.aspectsMoving).toEqual([{ aspect: 'speed', n: 2, score: 0, previousScore: 0.5, change: -0.5 }]);
    expect(alpha.sparkline).toHaveLength(30);
    expect(alpha.sparkline.reduce((n, d) => n + d.n, 0)).toBe(5);
    expect(body.items.find((e) => e.slug === 'gamma')!.summary.shareOfVoice).toBeNull();
    const single = (await getJson('/api/v1/entities/beta')) as { summary: Json };
    expect(single.summary.shareOfVoice).toBe(0.2);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After and the error shape once a client passes the configured limit', async () => {
    const limited = createTestApp({ limit: 2, windowMs: 60_000 });
    expect((await limited.request('/api/v1/entities/alpha/sentiment')).status).toBe(200);
    expect((await limited.request('/api/v1/entities/alpha/aspects')).status).toBe(200);
    const refused = await limited.request('/api/v1/entities/alpha/posts');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect((await limited.request('/health')).status).toBe(200);
  });

  it('behind a proxy in TRUST_PROXY, counts each client the proxy forwards, not the proxy, for reads and wrong tokens alike', async () => {
    const proxied = createApp({
      db: database.db,
      settings: { adminToken: ADMIN, corsOrigins: [], trustProxy: ['10.0.0.2'] },
      log: SILENT_LOG,
      sources: [],
      checkReady: async () => ({ ready: true }),
      rateLimit: { limit: 2, windowMs: 60_000 },
      authBackoff: { freeFailures: 0, baseDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    const from = (client: string, init: RequestInit = {}) =>
      proxied.request(
        '/api/v1/entities/alpha/aspects',
        { ...init, headers: { ...init.headers, 'x-forwarded-for': client } },
        { incoming: { socket: { remoteAddress: '10.0.0.2' } } },
      );
    expect((await from('198.51.100.1')).status).toBe(200);
    expect((await from('198.51.100.1')).status).toBe(200);
    expect((await from('198.51.100.1')).status).toBe(429);
    expect((await from('198.51.100.2')).status).toBe(200);
    const post = (client: string, token: string) =>
      proxied.request(
        '/api/v1/events',
        {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-forwarded-for': client },
          body: '{}',
        },
        { incoming: { socket: { remoteAddress: '10.0.0.2' } } },
      );
    expect((await post('198.51.100.3', 'wrong-token-guess')).status).toBe(403);
    expect((await post('198.51.100.3', ADMIN)).status).toBe(429);
    // Another client behind the same proxy is not locked out by that one's guesses.
    expect((await post('198.51.100.4', ADMIN)).status).toBe(400);
  });
});

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const doc = await getJson('/api/openapi.json');
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
  });

  it('lists every path of the interface page (../shared/docs/interface.md) and the ones added here', async () => {
    const doc = (await getJson('/api/openapi.json')) as { paths: Record<string, Record<string, unknown>> };
    for (const [method, path] of INTERFACE_PATHS) expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
  });
});
