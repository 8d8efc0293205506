import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataDir } from '../../test/support/databases.ts';
import type { NormalizedEvent, NormalizedPost } from '../core/post.ts';
import { computeEngagementWeight, summarize, sumMentions, type SentimentLabel } from '../core/stats.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { seedEntities } from '../pipeline/entities.ts';
import { createIngestor } from '../pipeline/ingest.ts';
import { rescorePosts } from '../pipeline/rescore.ts';
import { createApp, type App } from './app.ts';
import { SILENT_LOG } from '../../test/support/admin-app.ts';

const at = (day: number, hour = 12) => new Date(Date.UTC(2026, 2, day, hour));
const TRACKER = 'https://github.com/anthropics/claude-code/issues/';

const post = (id: string, body: string, createdAt: Date, extra: Partial<NormalizedPost> = {}): NormalizedPost => ({
  source: 'reddit',
  externalId: id,
  url: null,
  author: `author-${id}`,
  title: null,
  body,
  createdAt,
  score: 2,
  comments: 0,
  parentId: null,
  threadId: null,
  ...extra,
});

const POSTS: NormalizedPost[] = [
  post('v1', 'Claude Code 2.0.55 is excellent, it fixed my flaky build in minutes.', at(2)),
  post('v2', 'Claude Code 2.0.55 keeps crashing on start, this release is terrible.', at(3, 9)),
  post('v3', 'Claude Code hangs after login. Platform: darwin - Terminal: vscode - Version: 2.0.55 - Feedback ID: abc', at(4), {
    source: 'github',
    url: `${TRACKER}101`,
    title: '[BUG] hangs after login',
  }),
  post('v4', 'Claude Code v2.0.14 was great, the best release so far.', at(5)),
  post('v5', 'Claude Code is fine I guess, nothing special this week.', at(6)),
  post('v6', 'I love Sonnet 4.5 in Claude Code, so much better.', at(7)),
  // The window's ends: `from` is in, `to` is out.
  post('edge-in', 'Claude Code 2.0.14 is good enough for me.', at(1, 0)),
  post('edge-out', 'Claude Code 2.0.14 is awful and slow.', at(20, 0)),
];
const EVENTS: NormalizedEvent[] = [
  {
    kind: 'release',
    source: 'rss',
    externalId: 'cc-2.0.55',
    title: 'Claude Code 2.0.55',
    url: 'https://example.com/cc-2.0.55',
    body: null,
    occurredAt: at(1, 6),
  },
  { kind: 'release', source: 'rss', externalId: 'cc-2.0.5', title: 'Claude Code 2.0.5', url: null, body: null, occurredAt: at(1, 3) },
];
const WINDOW = `from=${at(1, 0).toISOString()}&to=${at(20, 0).toISOString()}`;

let database: Database;
let app: App;
let dataDir: ReturnType<typeof createDataDir>;

beforeAll(async () => {
  dataDir = createDataDir({ cluster: true });
  database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
  await migrate(database.db);
  await seedEntities(database.db);
  const ingestor = await createIngestor(database.db);
  await ingestor.ingest({ posts: POSTS, events: EVENTS });
  app = createApp({
    db: database.db,
    settings: { adminToken: 'versions-admin', corsOrigins: [] },
    log: SILENT_LOG,
    sources: [],
    checkReady: async () => ({ ready: true }),
  });
});
afterAll(async () => {
  await database.close();
  dataDir.remove();
});

type Json = Record<string, unknown>;
const getJson = async (path: string, status = 200): Promise<Json> => {
  const res = await app.request(path);
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(status);
  return (await res.json()) as Json;
};

interface MentionRowOut {
  external_id: string;
  version: string | null;
  label: SentimentLabel;
  score: number;
  engagement: number;
  created_at: Date;
}
const mentionsOf = async (slug: string): Promise<MentionRowOut[]> =>
  (
    await sql<MentionRowOut>`
      SELECT p.external_id, m.version, m.label, m.score, m.engagement, m.created_at
      FROM mentions m JOIN posts p ON p.id = m.post_id JOIN entities e ON e.id = m.entity_id
      WHERE e.slug = ${slug} ORDER BY p.external_id`.execute(database.db)
  ).rows;

describe('versions stored on mentions', () => {
  it('stores the version each post names for the entity at ingest, null when none', async () => {
    const versions = Object.fromEntries((await mentionsOf('claude-code')).map((m) => [m.external_id, m.version]));
    expect(versions).toEqual({
      v1: '2.0.55',
      v2: '2.0.55',
      v3: '2.0.55',
      v4: '2.0.14',
      v5: null,
      v6: null,
      'edge-in': '2.0.14',
      'edge-out': '2.0.14',
    });
    expect((await mentionsOf('claude-sonnet')).map((m) => [m.external_id, m.version])).toEqual([['v6', '4.5']]);
    // An implied ancestor names no version of its own.
    expect((await mentionsOf('anthropic')).every((m) => m.version === null)).toBe(true);
  });

  it('fills the version again on rescore', async () => {
    await sql`UPDATE posts SET model_version = 'devsent-old'`.execute(database.db);
    await sql`UPDATE mentions SET version = NULL`.execute(database.db);
    await rescorePosts(database.db, null);
    const versions = Object.fromEntries((await mentionsOf('claude-code')).map((m) => [m.external_id, m.version]));
    expect(versions.v3).toBe('2.0.55');
    expect(versions.v4).toBe('2.0.14');
    expect(versions.v5).toBeNull();
  });
});

describe('GET /api/v1/entities/{slug}/versions', () => {
  it('gives per version the exact figures of its mentions in [from, to)', async () => {
    const body = (await getJson(`/api/v1/entities/claude-code/versions?${WINDOW}`)) as {
      n: number;
      versionedN: number;
      unversioned: { n: number };
      items: Array<Json & { version: string; n: number; share: number; release: Json | null; series: unknown }>;
    };
    const rows = (await mentionsOf('claude-code')).filter((m) => m.created_at >= at(1, 0) && m.created_at < at(20, 0));
    const expected = (version: string | null) =>
      summarize(
        sumMentions(
          rows
            .filter((m) => m.version === version)
            .map((m) => ({ score: m.score, label: m.label, weight: computeEngagementWeight(m.engagement) })),
        ),
      );
    expect(body.items.map((i) => i.version)).toEqual(['2.0.55', '2.0.14']);
    for (const item of body.items) {
      const want = expected(item.version);
      expect(item.n).toBe(want.n);
      expect([item.positive, item.neutral, item.negative]).toEqual([want.positive, want.neutral, want.negative]);
      expect(item.score).toBeCloseTo(want.score!, 6);
      if (want.scoreLow === null) expect(item.scoreLow).toBeNull();
      else expect(item.scoreLow).toBeCloseTo(want.scoreLow, 6);
      expect(item.series).toBeNull();
    }
    expect(body.items[0]!.n).toBe(3);
    expect(body.items[1]!.n).toBe(2); // v4 and edge-in; edge-out sits on `to`
    expect(body.unversioned.n).toBe(2);
    expect(body.versionedN).toBe(5);
    expect(body.n).toBe(rows.length);
    expect(body.items[0]!.share).toBeCloseTo(3 / 5, 9);
  });

  it('names first and last seen at any time, and the release that marks the arrival', async () => {
    const body = (await getJson(`/api/v1/entities/claude-code/versions?${WINDOW}`)) as {
      items: Array<{ version: string; firstSeen: string; lastSeen: string; release: { title: string; occurredAt: string } | null }>;
    };
    const newest = body.items.find((i) => i.version === '2.0.55')!;
    expect(newest.release).toMatchObject({ title: 'Claude Code 2.0.55', occurredAt: at(1, 6).toISOString() });
    expect([newest.firstSeen, newest.lastSeen]).toEqual([at(2).toISOString(), at(4).toISOString()]);
    const older = body.items.find((i) => i.version === '2.0.14')!;
    // "Claude Code 2.0.5" does not name 2.0.14; the mention on `to` is outside the window but still last seen.
    expect(older.release).toBeNull();
    expect(older.lastSeen).toBe(at(20, 0).toISOString());
  });

  it('with a bucket, gives each version a series that adds up to its row', async () => {
    const body = (await getJson(`/api/v1/entities/claude-code/versions?${WINDOW}&bucket=week`)) as {
      bucket: string;
      items: Array<{ n: number; positive: number; series: Array<{ bucketStart: string; n: number; positive: number }> }>;
    };
    expect(body.bucket).toBe('week');
    for (const item of body.items) {
      expect(item.series.length).toBeGreaterThan(1);
      expect(item.series.reduce((n, p) => n + p.n, 0)).toBe(item.n);
      expect(item.series.reduce((n, p) => n + p.positive, 0)).toBe(item.positive);
    }
  });

  it('filters by source', async () => {
    const body = (await getJson(`/api/v1/entities/claude-code/versions?${WINDOW}&source=github`)) as {
      n: number;
      items: Array<{ version: string; n: number }>;
    };
    expect(body.items).toEqual([expect.objectContaining({ version: '2.0.55', n: 1 })]);
    expect(body.n).toBe(1);
  });

  it('answers an entity without versions with no rows', async () => {
    const body = (await getJson(`/api/v1/entities/cursor/versions?${WINDOW}`)) as { n: number; items: unknown[] };
    expect(body).toMatchObject({ n: 0, items: [] });
  });

  it('refuses bad input with the parameter named, and an unknown entity with 404', async () => {
    const bad = (await getJson(`/api/v1/entities/claude-code/versions?from=2026-03-05&to=2026-03-01`, 400)) as {
      error: { message: string };
    };
    expect(bad.error.message).toMatch(/^from/);
    const bucket = (await getJson(`/api/v1/entities/claude-code/versions?${WINDOW}&bucket=fortnight`, 400)) as {
      error: { message: string };
    };
    expect(bucket.error.message).toMatch(/bucket/);
    await getJson(`/api/v1/entities/no-such-thing/versions`, 404);
  });
});

describe('the posts behind a version', () => {
  it('lists only the posts naming the version, each with it', async () => {
    const body = (await getJson(`/api/v1/entities/claude-code/posts?${WINDOW}&version=2.0.55`)) as {
      items: Array<{ externalId: string; version: string }>;
    };
    expect(body.items.map((i) => i.externalId)).toEqual(['v3', 'v2', 'v1']);
    expect(body.items.every((i) => i.version === '2.0.55')).toBe(true);
    const all = (await getJson(`/api/v1/entities/claude-code/posts?${WINDOW}`)) as {
      items: Array<{ externalId: string; version: string | null }>;
    };
    expect(all.items.find((i) => i.externalId === 'v5')?.version).toBeNull();
  });

  it('refuses a malformed version', async () => {
    const body = (await getJson(`/api/v1/entities/claude-code/posts?version=${encodeURIComponent("2.0'; DROP")}`, 400)) as {
      error: { message: string };
    };
    expect(body.error.message).toMatch(/^version/);
  });
});

describe('OpenAPI', () => {
  it('documents the versions route and the version filter', async () => {
    const doc = (await getJson('/api/openapi.json')) as {
      paths: Record<string, Record<string, { operationId: string; parameters: Array<{ name: string }> }>>;
    };
    expect(doc.paths['/api/v1/entities/{slug}/versions']?.get?.operationId).toBe('getVersionBreakdown');
    expect(doc.paths['/api/v1/entities/{slug}/versions']?.get?.parameters.map((p) => p.name)).toEqual(
      expect.arrayContaining(['from', 'to', 'source', 'bucket']),
    );
    expect(doc.paths['/api/v1/entities/{slug}/posts']?.get?.parameters.map((p) => p.name)).toContain('version');
  });
});
