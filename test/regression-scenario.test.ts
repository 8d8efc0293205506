import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/api/app.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { upsertEvent } from '../src/db/queries/events.ts';
import { rebuildRollups } from '../src/db/queries/ingest.ts';
import { migrate } from '../src/db/migrate.ts';
import { detectAndStoreSpikes } from '../src/pipeline/spikes.ts';
import { createDataDir } from './support/databases.ts';
import { insertTestEntity } from './support/mentions.ts';
import {
  buildHistory,
  buildWave,
  CURRENT_RELEASE,
  dayStartOf,
  deepDipText,
  HISTORY_DAYS,
  HOUR,
  DAY,
  insertMany,
  launchDips,
  PAST_RELEASES,
} from './support/regression-history.ts';

/**
 * Constructed histories run through the real detection job (the spikes job, which also judges
 * regressions) on PGlite: a launch dip like the entity's past ones raises nothing, a deeper one is a
 * regression; an incident-driven negativity spike is put down to an outage, a wave of limits complaints to the quota.
 */

/** The job runs at 06:00; the last complete day is the one before. */
const END = Date.UTC(2026, 5, 1);
const NOW = new Date(END + 6 * HOUR);
const dayStart = dayStartOf(END);

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
    await insertMany(db, id, slug, buildHistory({ end: END, seed, shift: launchDips(depth), text: deepDipText(depth) }));
    for (const r of [...PAST_RELEASES, CURRENT_RELEASE]) await release(id, slug, r);
  }
  const api = await insertTestEntity(db, 'outage-api', 'tool');
  await insertMany(
    db,
    api,
    'outage-api',
    buildWave(END, 3, 3, { body: 'is it down for everyone? 529 overloaded errors all morning', aspect: 'reliability', count: 40 }),
  );
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
  await insertMany(
    db,
    plan,
    'limits-plan',
    buildWave(END, 4, 2, {
      body: 'hit the weekly limit by Tuesday, rate limited all afternoon on the pro plan',
      aspect: 'limits',
      count: 40,
    }),
  );
  // Crashes named with one client version, and no incident.
  const cli = await insertTestEntity(db, 'crashy-cli', 'tool');
  await insertMany(
    db,
    cli,
    'crashy-cli',
    buildWave(END, 5, 2, { body: 'the CLI crashes on start after the update', aspect: 'reliability', count: 40, version: '2.1.89' }),
  );
  await rebuildRollups(db, new Date(END - (HISTORY_DAYS + 1) * DAY), new Date(END + DAY));
  await detectAndStoreSpikes(db, { now: NOW, days: 14 });
  app = createApp({
    db,
    settings: { adminToken: 'scenario-admin-token', corsOrigins: [] },
    log: { error: () => undefined, info: () => undefined, warn: () => undefined },
    sources: [],
    checkReady: async () => ({ ready: true }),
  });
}, 240_000);

afterAll(async () => {
  await database?.close();
  dataDir?.remove();
});

describe('regressions that expect the launch dip', () => {
  it("a dip that follows the entity's past launches raises no regression", async () => {
    expect((await listDetected('usual-dip')).filter((e) => e.kind === 'regression')).toEqual([]);
  });

  it('a deeper dip is one regression with its size, confidence, expected and observed change', async () => {
    const found = (await listDetected('deep-dip')).filter((e) => e.kind === 'regression');
    expect(found.map((e) => e.external_id)).toEqual([
      `regression:deep-dip:release:${new Date(dayStart(CURRENT_RELEASE)).toISOString().slice(0, 10)}`,
    ]);
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

  it('a regression overlapping a stored one of the same kind refreshes it, even when dated differently before', async () => {
    const [stored] = (await listDetected('deep-dip')).filter((e) => e.kind === 'regression');
    await sql`UPDATE events SET external_id = 'regression:deep-dip:release:earlier' WHERE id = ${stored!.id}`.execute(database.db);
    await detectAndStoreSpikes(database.db, { now: NOW, days: 14 });
    const after = (await listDetected('deep-dip')).filter((e) => e.kind === 'regression');
    expect(after.map((e) => [e.id, e.external_id])).toEqual([[stored!.id, 'regression:deep-dip:release:earlier']]);
  });

  it('serves regressions through GET /api/v1/events?kind=regression and explains one with its attribution', async () => {
    const list = await app.request('/api/v1/events?kind=regression&from=2026-01-01&to=2026-07-01');
    expect(list.status).toBe(200);
    const { items } = (await list.json()) as {
      items: Array<{ id: number; entity: string; kind: string; details: Record<string, unknown> }>;
    };
    expect(items.map((e) => e.entity)).toEqual(['deep-dip']);
    const explained = await app.request(`/api/v1/events/${items[0]!.id}/explain`);
    expect(explained.status).toBe(200);
    const body = (await explained.json()) as {
      change: { measure: string; direction: string };
      attribution: { layer: string; evidence: Array<{ type: string; name: string }> } | null;
    };
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
    expect(evidence).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'event', name: 'incident' }),
        expect.objectContaining({ type: 'cue', name: 'down' }),
      ]),
    );
    const explained = await app.request(`/api/v1/events/${spike!.id}/explain`);
    expect(((await explained.json()) as { attribution: { layer: string } }).attribution.layer).toBe('outage');
  });

  it('a wave of limits complaints is put down to the quota', async () => {
    const spike = (await listDetected('limits-plan')).find((e) => e.external_id.startsWith('spike:limits-plan:negativity:'));
    expect(spike?.details).toMatchObject({ attribution: { layer: 'quota' } });
  });

  it('crashes that name one client version are put down to the tool', async () => {
    const spike = (await listDetected('crashy-cli')).find((e) => e.external_id.startsWith('spike:crashy-cli:negativity:'));
    expect(spike?.details).toMatchObject({ attribution: { layer: 'tool' } });
    const evidence = (spike!.details.attribution as { evidence: Array<{ type: string; name: string; layer: string }> }).evidence;
    expect(evidence).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'version', name: '2.1.89', layer: 'tool' })]));
  });

  it('a volume spike carries no attribution', async () => {
    const volume = (await listDetected('limits-plan')).find((e) => e.external_id.startsWith('spike:limits-plan:volume:'));
    expect(volume).toBeDefined();
    expect(volume!.details.attribution).toBeUndefined();
  });
});
