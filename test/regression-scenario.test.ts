import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/api/app.ts';
import { createSeededRandom } from '../src/core/seeded-random.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { upsertEvent } from '../src/db/queries/events.ts';
import { rebuildRollups } from '../src/db/queries/ingest.ts';
import { migrate } from '../src/db/migrate.ts';
import type { DB } from '../src/db/schema.ts';
import { detectAndStoreSpikes } from '../src/pipeline/spikes.ts';
import { createDataDir } from './support/databases.ts';
import { insertTestEntity } from './support/mentions.ts';
import type { Kysely } from 'kysely';

/**
 * Constructed histories run through the real detection job (the spikes job, which also judges
 * regressions) on PGlite: a launch dip like the entity's past ones raises nothing, a deeper one is a
 * regression; an incident-driven negativity spike is put down to an outage, a wave of limits complaints to the quota.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** The job runs at 06:00; the last complete day is the one before. */
const END = Date.UTC(2026, 5, 1);
const NOW = new Date(END + 6 * HOUR);
const HISTORY_DAYS = 130;
const dayStart = (daysBefore: number) => END - daysBefore * DAY;
/** Past releases three weeks apart, and the current one six complete days ago. */
const PAST_RELEASES = [100, 79, 58, 37];
const CURRENT_RELEASE = 6;
/** The usual launch dip, day by day after a release. */
const DIP = [-0.22, -0.18, -0.13, -0.09, -0.05, -0.02, 0];
const SOURCES = [
  { source: 'hn', level: -0.05, perDay: 16 },
  { source: 'reddit', level: 0.2, perDay: 16 },
] as const;

interface Seed {
  at: number;
  source: string;
  score: number;
  body: string;
  aspects?: Array<{ aspect: string; polarity: 'negative' | 'positive' }>;
}

const labelOf = (score: number) => (score <= -0.25 ? 'negative' : score >= 0.25 ? 'positive' : 'neutral');

/** Stores posts, mentions and aspect findings in three statements (thousands of rows one by one would take minutes). */
async function insertMany(db: Kysely<DB>, entityId: number, slug: string, seeds: readonly Seed[]): Promise<void> {
  const ext = seeds.map((_, i) => `${slug}-${i}`);
  const posts = await sql<{ id: number; external_id: string }>`
    INSERT INTO posts (source, external_id, url, title, body, created_at, content_hash)
    SELECT source, external_id, 'https://example.test/' || external_id, NULL, body, created_at, external_id
    FROM unnest(${seeds.map((s) => s.source)}::text[], ${ext}::text[], ${seeds.map((s) => s.body)}::text[],
                ${seeds.map((s) => new Date(s.at).toISOString())}::timestamptz[]) AS t(source, external_id, body, created_at)
    RETURNING id, external_id`.execute(db);
  const idOf = new Map(posts.rows.map((r) => [r.external_id, Number(r.id)]));
  const postIds = ext.map((e) => idOf.get(e)!);
  await sql`
    INSERT INTO mentions (post_id, entity_id, created_at, source, matched_text, start_offset, end_offset, label, score, confidence, model_version, engagement)
    SELECT post_id, ${entityId}, created_at, source, ${slug}, 0, 5, label, score, 0.9, 'test', 0
    FROM unnest(${postIds}::bigint[], ${seeds.map((s) => new Date(s.at).toISOString())}::timestamptz[], ${seeds.map((s) => s.source)}::text[],
                ${seeds.map((s) => labelOf(s.score))}::text[], ${seeds.map((s) => s.score)}::real[]) AS t(post_id, created_at, source, label, score)`.execute(db);
  const aspects = seeds.flatMap((s, i) => (s.aspects ?? []).map((a) => ({ ...a, postId: postIds[i]!, at: s.at, source: s.source })));
  if (aspects.length === 0) return;
  await sql`
    INSERT INTO mention_aspects (post_id, entity_id, created_at, source, aspect, polarity, score, confidence, evidence, start_offset, end_offset)
    SELECT post_id, ${entityId}, created_at, source, aspect, polarity, CASE WHEN polarity = 'negative' THEN -0.7 ELSE 0.7 END, 0.8, 'evidence', 0, 8
    FROM unnest(${aspects.map((a) => a.postId)}::bigint[], ${aspects.map((a) => new Date(a.at).toISOString())}::timestamptz[],
                ${aspects.map((a) => a.source)}::text[], ${aspects.map((a) => a.aspect)}::text[], ${aspects.map((a) => a.polarity)}::text[])
      AS t(post_id, created_at, source, aspect, polarity)`.execute(db);
}

/**
 * Every day of the history: each source's mentions at its own level plus the day's shift, with seeded
 * noise. `text` gives a negative mention's body on a day (default: a plain complaint).
 */
function buildHistory(options: { seed: number; shift: (daysBefore: number) => number; text?: (daysBefore: number) => Partial<Seed> | undefined }): Seed[] {
  const random = createSeededRandom(options.seed);
  const seeds: Seed[] = [];
  for (let d = HISTORY_DAYS; d >= 1; d--) {
    for (const { source, level, perDay } of SOURCES) {
      for (let k = 0; k < perDay; k++) {
        const score = Math.max(-1, Math.min(1, level + options.shift(d) + (random() - 0.5) * 1.2));
        const at = dayStart(d) + Math.floor(random() * 23 * HOUR);
        const extra = labelOf(score) === 'negative' ? options.text?.(d) : undefined;
        seeds.push({ at, source, score, body: 'not impressed with it today', ...extra });
      }
    }
  }
  return seeds;
}

/** The usual dip after each release, the current one `depth` times as deep. */
function launchDips(depth: number) {
  return (daysBefore: number) => {
    for (const release of [...PAST_RELEASES, CURRENT_RELEASE]) {
      const t = release - daysBefore;
      if (t >= 0 && t < DIP.length) return (DIP[t] ?? 0) * (release === CURRENT_RELEASE ? depth : 1);
    }
    return 0;
  };
}

/** A quiet entity whose day `daysBefore` brings a wave of negative mentions with this text and aspect. */
function buildWave(seed: number, daysBefore: number, wave: { body: string; aspect: string; count: number }): Seed[] {
  const random = createSeededRandom(seed);
  const seeds: Seed[] = [];
  for (let d = 40; d >= 1; d--) {
    for (let k = 0; k < 20; k++) {
      const negative = random() < 0.1;
      seeds.push({ at: dayStart(d) + k * HOUR, source: 'reddit', score: negative ? -0.6 : 0.4, body: negative ? 'meh, not great' : 'works well for me' });
    }
  }
  for (let k = 0; k < wave.count; k++) {
    seeds.push({
      at: dayStart(daysBefore) + 9 * HOUR + k * 60_000,
      source: k % 2 === 0 ? 'hn' : 'reddit',
      score: -0.8,
      body: wave.body,
      aspects: [{ aspect: wave.aspect, polarity: 'negative' }],
    });
  }
  return seeds;
}

let database: Database;
let dataDir: ReturnType<typeof createDataDir>;
let app: App;

async function release(entityId: number, slug: string, daysBefore: number) {
  await upsertEvent(database.db, {
    entityId,
    kind: 'release',
    source: 'rss',
    externalId: `${slug}-release-${daysBefore}`,
    title: `${slug} ${daysBefore}`,
    url: null,
    body: null,
    occurredAt: new Date(dayStart(daysBefore) + 2 * HOUR),
    details: {},
  });
}

type EventRow = { id: number; external_id: string; kind: string; title: string; details: Record<string, unknown> };
async function listDetected(slug: string): Promise<EventRow[]> {
  const rows = await sql<EventRow>`
    SELECT ev.id, ev.external_id, ev.kind, ev.title, ev.details FROM events ev JOIN entities e ON e.id = ev.entity_id
    WHERE e.slug = ${slug} AND ev.source = 'vibecheck' ORDER BY ev.external_id`.execute(database.db);
  return rows.rows.map((r) => ({ ...r, id: Number(r.id) }));
}

beforeAll(async () => {
  dataDir = createDataDir({ cluster: true });
  database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
  await migrate(database.db);
  const { db } = database;
  // Two tools with the same launch history: one dips as usual this time, the other far deeper, with "dumber" complaints.
  for (const [slug, depth, seed] of [
    ['usual-dip', 1, 1],
    ['deep-dip', 2.6, 2],
  ] as const) {
    const id = await insertTestEntity(db, slug, 'tool');
    const text = (d: number) =>
      depth > 1 && d <= CURRENT_RELEASE
        ? { body: 'since the update it got so much dumber, lazy half answers', aspects: [{ aspect: 'code_quality', polarity: 'negative' as const }] }
        : undefined;
    await insertMany(db, id, slug, buildHistory({ seed, shift: launchDips(depth), text }));
    for (const r of [...PAST_RELEASES, CURRENT_RELEASE]) await release(id, slug, r);
  }
  const api = await insertTestEntity(db, 'outage-api', 'tool');
  await insertMany(db, api, 'outage-api', buildWave(3, 3, { body: 'is it down for everyone? 529 overloaded errors all morning', aspect: 'reliability', count: 40 }));
  await upsertEvent(db, {
    entityId: api,
    kind: 'incident',
    source: 'statuspage',
    externalId: 'incident-1',
    title: 'Elevated error rates on the API',
    url: null,
    body: null,
    occurredAt: new Date(dayStart(3) + 8 * HOUR),
    details: {},
  });
  const plan = await insertTestEntity(db, 'limits-plan', 'tool');
  await insertMany(db, plan, 'limits-plan', buildWave(4, 2, { body: 'hit the weekly limit by Tuesday, rate limited all afternoon on the pro plan', aspect: 'limits', count: 40 }));
  await rebuildRollups(db, new Date(END - (HISTORY_DAYS + 1) * DAY), new Date(END + DAY));
  await detectAndStoreSpikes(db, { now: NOW, days: 14 });
  app = createApp({ db, settings: { adminToken: 'scenario-admin-token', corsOrigins: [] }, log: { error: () => undefined, info: () => undefined, warn: () => undefined }, sources: [], checkReady: async () => ({ ready: true }) });
}, 240_000);

afterAll(async () => {
  await database?.close();
  dataDir?.remove();
});

describe('regressions that expect the launch dip', () => {
  it('a dip that follows the entity\'s past launches raises no regression', async () => {
    expect((await listDetected('usual-dip')).filter((e) => e.kind === 'regression')).toEqual([]);
  });

  it('a deeper dip is one regression with its size, confidence, expected and observed change', async () => {
    const found = (await listDetected('deep-dip')).filter((e) => e.kind === 'regression');
    expect(found.map((e) => e.external_id)).toEqual([`regression:deep-dip:release:${new Date(dayStart(CURRENT_RELEASE)).toISOString().slice(0, 10)}`]);
    const details = found[0]!.details;
    expect(details).toMatchObject({ regressionKind: 'post-release', basis: 'history', pastReleases: 4 });
    expect(details.expected as number).toBeLessThan(-0.05);
    expect(details.observed as number).toBeLessThan((details.expected as number) - 0.1);
    expect(details.size as number).toBeCloseTo((details.observed as number) - (details.expected as number), 10);
    expect(details.confidence as number).toBeGreaterThanOrEqual(0.95);
    expect(details.attribution).toMatchObject({ layer: 'model' });
  });

  it('a rerun of the job stores nothing twice', async () => {
    const before = await listDetected('deep-dip');
    await detectAndStoreSpikes(database.db, { now: NOW, days: 14 });
    const after = await listDetected('deep-dip');
    expect(after.map((e) => [e.id, e.external_id])).toEqual(before.map((e) => [e.id, e.external_id]));
  });

  it('serves regressions through GET /api/v1/events?kind=regression and explains one with its attribution', async () => {
    const list = await app.request('/api/v1/events?kind=regression&from=2026-01-01&to=2026-07-01');
    expect(list.status).toBe(200);
    const { items } = (await list.json()) as { items: Array<{ id: number; entity: string; kind: string; details: Record<string, unknown> }> };
    expect(items.map((e) => e.entity)).toEqual(['deep-dip']);
    const explained = await app.request(`/api/v1/events/${items[0]!.id}/explain`);
    expect(explained.status).toBe(200);
    const body = (await explained.json()) as { change: { measure: string; direction: string }; attribution: { layer: string; evidence: Array<{ type: string; name: string }> } | null };
    expect(body.change).toMatchObject({ measure: 'score', direction: 'down' });
    expect(body.attribution?.layer).toBe('model');
    expect(body.attribution?.evidence.map((e) => e.name)).toContain('dumber');
  });
});

describe('which layer changed', () => {
  it('an incident-driven negativity spike with "down" complaints is put down to an outage', async () => {
    const spike = (await listDetected('outage-api')).find((e) => e.external_id.startsWith('spike:outage-api:negativity:'));
    expect(spike?.details).toMatchObject({ spikeKind: 'negativity', direction: 'up', attribution: { layer: 'outage' } });
    const evidence = (spike!.details.attribution as { evidence: Array<{ type: string; name: string }> }).evidence;
    expect(evidence).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'event', name: 'incident' }), expect.objectContaining({ type: 'cue', name: 'down' })]));
    const explained = await app.request(`/api/v1/events/${spike!.id}/explain`);
    expect(((await explained.json()) as { attribution: { layer: string } }).attribution.layer).toBe('outage');
  });

  it('a wave of limits complaints is put down to the quota', async () => {
    const spike = (await listDetected('limits-plan')).find((e) => e.external_id.startsWith('spike:limits-plan:negativity:'));
    expect(spike?.details).toMatchObject({ attribution: { layer: 'quota' } });
  });

  it('a volume spike carries no attribution', async () => {
    const volume = (await listDetected('limits-plan')).find((e) => e.external_id.startsWith('spike:limits-plan:volume:'));
    expect(volume).toBeDefined();
    expect(volume!.details.attribution).toBeUndefined();
  });
});
