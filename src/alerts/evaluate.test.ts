import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTestEntity, insertTestMention, type MentionSeed } from '../../test/support/mentions.ts';
import { createTarget } from '../../test/support/targets.ts';
import { createSeededRandom } from '../core/seeded-random.ts';
import type { Database } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { upsertEvent } from '../db/queries/events.ts';
import { rebuildRollups } from '../db/queries/ingest.ts';
import type { DB } from '../db/schema.ts';
import { detectAndStoreSpikes } from '../pipeline/spikes.ts';
import { evaluateAlertRules, type FiredAlert } from './evaluate.ts';
import { addAlertRule } from './manage.ts';
import type { AlertMessage } from './message.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PUBLIC_URL = 'http://dash.test';
const CHANNEL = 'http://127.0.0.1:9/hook';

/** Mentions spread over [from, from + days), `perDay` a day, each made by `make`. */
async function seedDays(
  db: Kysely<DB>,
  entityId: number,
  from: number,
  days: number,
  perDay: number,
  make: (i: number) => Omit<MentionSeed, 'at'>,
) {
  let i = 0;
  for (let d = 0; d < days; d++) {
    for (let k = 0; k < perDay; k++) {
      const at = new Date(from + d * DAY + Math.floor(((k + 0.5) / perDay) * DAY)).toISOString();
      await insertTestMention(db, entityId, { at, ...make(i++) });
    }
  }
}

async function alertRows(db: Kysely<DB>, ruleId: number) {
  const rows = await sql<{ event_key: string; status: string; reason: string | null; message: AlertMessage; outbox: string | null }>`
    SELECT a.event_key, a.status, a.reason, a.message, o.status AS outbox
    FROM alerts a LEFT JOIN alert_outbox o ON o.alert_id = a.id WHERE a.rule_id = ${ruleId} ORDER BY a.id`.execute(db);
  return rows.rows;
}

describe('alert evaluation over a constructed history', () => {
  let target: Awaited<ReturnType<typeof createTarget>>;
  let database: Database;
  let db: Kysely<DB>;
  const now = new Date(Math.floor(Date.now() / HOUR) * HOUR + 30 * 60_000);
  const hourEnd = Math.floor(now.getTime() / HOUR) * HOUR;
  const today = Math.floor(now.getTime() / DAY) * DAY;
  const rules: Record<string, number> = {};
  const plantedIds: number[] = [];
  let firstRun: FiredAlert[];

  beforeAll(async () => {
    target = await createTarget('embedded');
    database = await target.open();
    db = database.db;
    await migrate(db);
    const shifty = await insertTestEntity(db, 'shifty');
    const spiky = await insertTestEntity(db, 'spiky');
    const calm = await insertTestEntity(db, 'calm');

    // shifty: the week before is positive, this week negative, with complaints about limits and three planted posts.
    const weekAgo = hourEnd - 7 * DAY;
    await seedDays(db, shifty, weekAgo - 7 * DAY, 7, 8, (i) => ({
      score: 0.5,
      label: 'positive',
      aspects: i % 14 === 0 ? [{ aspect: 'limits', polarity: 'neutral', score: 0 }] : [],
    }));
    await seedDays(db, shifty, weekAgo, 7, 8, (i) => ({
      score: -0.5,
      label: 'negative',
      aspects: i % 2 === 0 ? [{ aspect: 'limits', polarity: 'negative', score: -0.6 }] : [],
    }));
    for (const title of ['Planted: hit the rate limit again', 'Planted: limits make it unusable', 'Planted: cancelled over the caps']) {
      plantedIds.push(
        await insertTestMention(db, shifty, {
          at: new Date(hourEnd - 2 * DAY).toISOString(),
          score: -0.9,
          label: 'negative',
          engagement: 500,
          title,
          aspects: [{ aspect: 'limits', polarity: 'negative', score: -0.9 }],
        }),
      );
    }
    // spiky: about 5 neutral mentions a day for 40 days, then 60 yesterday.
    const random = createSeededRandom(7);
    await seedDays(db, spiky, today - 41 * DAY, 40, 5, () => ({ score: 0, label: 'neutral' }));
    await seedDays(db, spiky, today - DAY, 1, 60, () => ({ score: 0, label: 'neutral', engagement: 3 }));
    // calm: noise only, the same mix every day.
    await seedDays(db, calm, today - 41 * DAY, 41, 6, () => {
      const r = random();
      return r < 0.3 ? { score: 0.6, label: 'positive' } : r < 0.6 ? { score: -0.6, label: 'negative' } : { score: 0, label: 'neutral' };
    });
    await rebuildRollups(db, new Date(today - 50 * DAY), new Date(hourEnd + HOUR));
    await detectAndStoreSpikes(db, { now, days: 3 });

    const add = async (name: string, input: Omit<Parameters<typeof addAlertRule>[1], 'channel'>) => {
      rules[name] = (await addAlertRule(db, { ...input, channel: CHANNEL })).rule.id;
    };
    await add('shift', { kind: 'shift', entity: 'shifty', threshold: 0.3 });
    await add('net', { kind: 'shift', entity: 'shifty', metric: 'net', threshold: 0.5, cooldownMinutes: 0 });
    await add('aspect', { kind: 'aspect', entity: 'shifty', aspect: 'limits', threshold: 0.2 });
    await add('spike', { kind: 'spike', entity: 'spiky' });
    await add('calm-shift', { kind: 'shift', entity: 'calm', threshold: 0.15 });
    await add('calm-aspect', { kind: 'aspect', entity: 'calm', threshold: 0.1 });
    await add('calm-spike', { kind: 'spike', entity: 'calm', direction: 'both' });
    await add('mention', {
      kind: 'mention',
      entity: 'shifty',
      include: ['rate limit', 'quota'],
      exclude: ['ignore me'],
      cooldownMinutes: 0,
      maxPerDay: 2,
    });
    await add('mention-cooldown', { kind: 'mention', entity: 'shifty', polarity: 'negative', cooldownMinutes: 60 });
    // Every tool (shifty, spiky and calm), and a tool added after the rule.
    await add('kind-shift', { kind: 'shift', entityKind: 'tool', threshold: 0.3 });
    const late = await insertTestEntity(db, 'late-tool');
    await seedDays(db, late, hourEnd - 14 * DAY, 7, 8, () => ({ score: 0.6, label: 'positive' }));
    await seedDays(db, late, hourEnd - 7 * DAY, 7, 8, () => ({ score: -0.6, label: 'negative' }));
    await rebuildRollups(db, new Date(hourEnd - 15 * DAY), new Date(hourEnd + HOUR));

    // New posts after the rules exist: the mention rules see only these.
    const fresh = new Date(now.getTime() - HOUR).toISOString();
    await insertTestMention(db, shifty, {
      at: fresh,
      score: -0.7,
      label: 'negative',
      title: 'Hit the RATE LIMIT twice today',
      body: '<p>Again &amp; again</p>',
    });
    await insertTestMention(db, shifty, { at: fresh, score: 0.7, label: 'positive', title: 'Quota is fine for me' });
    await insertTestMention(db, shifty, { at: fresh, score: -0.7, label: 'negative', title: 'rate limit, ignore me' });
    await insertTestMention(db, shifty, { at: fresh, score: -0.2, label: 'negative', title: 'nothing to see' });
    await insertTestMention(db, shifty, { at: fresh, score: -0.3, label: 'negative', title: 'Quota again', body: 'quota quota' });

    firstRun = await evaluateAlertRules(db, { publicUrl: PUBLIC_URL, now });
  });

  afterAll(async () => {
    await database?.close();
    await target?.cleanup();
  });

  it('fires the planted shift once, with its figures and the planted posts', async () => {
    const rows = await alertRows(db, rules.shift!);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'queued', outbox: 'pending' });
    const message = rows[0]!.message;
    expect(message.headline).toMatch(/^shifty: mean sentiment fell from \+0\.50 to -0\.5\d over the last 7 days$/);
    expect(message.figures[0]?.detail).toMatch(/p < 0\.001/);
    expect(
      message.posts
        .slice(0, 3)
        .map((p) => p.title)
        .sort(),
    ).toEqual(['Planted: cancelled over the caps', 'Planted: hit the rate limit again', 'Planted: limits make it unusable']);
    expect(message.dashboardUrl).toBe(`${PUBLIC_URL}/entity/shifty`);
    // The summary is the explanation's: the move, and the aspect that moved with it.
    expect(message.summary).toMatch(/^shifty: sentiment fell from \+0\.50 to -0\.5\d \(significant\)/);
    expect(message.summary).toMatch(/Aspects that moved: limits \d+(\.\d)?% -> \d+(\.\d)?% of mentions/);
    expect(message.id).toMatch(/^[0-9a-f-]{36}$/);
    // The net-sentiment rule sees the same move on its own metric.
    expect((await alertRows(db, rules.net!)).map((r) => r.event_key)).toEqual([`shift:net:down:${new Date(hourEnd).toISOString()}`]);
  });

  it('judges a rule on a kind of entity per entity, one added after the rule included: the two planted shifts fire, the rest stay quiet', async () => {
    const children = await sql<{ id: number; slug: string }>`
      SELECT r.id, e.slug FROM alert_rules r JOIN entities e ON e.id = r.entity_id
      WHERE r.parent_id = ${rules['kind-shift']!} AND r.removed_at IS NULL ORDER BY e.slug`.execute(db);
    expect(children.rows.map((r) => r.slug)).toEqual(['calm', 'late-tool', 'shifty', 'spiky']);
    const fired = await Promise.all(
      children.rows.map(async (child) => [child.slug, (await alertRows(db, child.id)).map((r) => r.message.headline)]),
    );
    expect(Object.fromEntries(fired)).toEqual({
      calm: [],
      'late-tool': [expect.stringMatching(/^late-tool: mean sentiment fell from \+0\.60 to -0\.60 over the last 7 days$/)],
      shifty: [expect.stringMatching(/^shifty: mean sentiment fell from \+0\.50 to -0\.5\d over the last 7 days$/)],
      spiky: [],
    });
    // Each alert names its entity's own page, and the rule it came from is the kind rule's entity rule.
    const shifty = children.rows.find((r) => r.slug === 'shifty')!;
    const [row] = await alertRows(db, shifty.id);
    expect(row!.message.dashboardUrl).toBe(`${PUBLIC_URL}/entity/shifty`);
    expect(row!.message.rule.name).toBe('Tools: shift mean (shifty)');
  });

  it('fires the aspect whose share rose, naming it, with posts about it', async () => {
    const rows = await alertRows(db, rules.aspect!);
    expect(rows.map((r) => r.event_key)).toEqual([`aspect:limits:share:up:${new Date(hourEnd).toISOString()}`]);
    expect(rows[0]!.message.headline).toContain('limits');
    expect(rows[0]!.message.posts.map((p) => p.title)).toContain('Planted: hit the rate limit again');
    expect(rows[0]!.message.dashboardUrl).toBe(`${PUBLIC_URL}/entity/shifty?aspect=limits`);
  });

  it("fires yesterday's volume spike once", async () => {
    const rows = await alertRows(db, rules.spike!);
    const yesterday = new Date(today - DAY).toISOString().slice(0, 10);
    expect(rows.map((r) => [r.event_key, r.status])).toEqual([[`spike:volume:up:${yesterday}`, 'queued']]);
    expect(rows[0]!.message.posts.length).toBeGreaterThan(0);
    expect(rows[0]!.message.summary).toMatch(/^spiky: mentions rose from [\d.]+ to 60 a day \(spike, z = [\d.]+\)/);
  });

  it('fires nothing on the control entity with noise only', async () => {
    for (const name of ['calm-shift', 'calm-aspect', 'calm-spike']) expect(await alertRows(db, rules[name]!)).toEqual([]);
    expect(firstRun.filter((f) => f.entity === 'calm')).toEqual([]);
  });

  it('sends each new matching post once (include and exclude words, any case), up to the daily limit', async () => {
    const rows = await alertRows(db, rules.mention!);
    expect(rows.map((r) => [r.message.posts[0]?.title, r.status])).toEqual([
      ['Hit the RATE LIMIT twice today', 'queued'],
      ['Quota is fine for me', 'queued'],
      ['Quota again', 'suppressed'],
    ]);
    expect(rows[2]!.reason).toMatch(/^daily limit/);
    expect(rows[2]!.outbox).toBeNull();
    expect(rows[0]!.message.posts[0]!.excerpt).toBe('Again & again');
  });

  it('holds back what comes within the cooldown', async () => {
    const rows = await alertRows(db, rules['mention-cooldown']!);
    expect(rows.map((r) => r.status)).toEqual(['queued', 'suppressed', 'suppressed', 'suppressed']);
    expect(rows[1]!.reason).toMatch(/^cooldown/);
  });

  it('fires nothing new when evaluated again, in the same hour or the next while the shift persists', async () => {
    expect(await evaluateAlertRules(db, { publicUrl: PUBLIC_URL, now })).toEqual([]);
    expect(await evaluateAlertRules(db, { publicUrl: PUBLIC_URL, now: new Date(now.getTime() + HOUR) })).toEqual([]);
    expect((await alertRows(db, rules.shift!)).length).toBe(1);
  });

  it('sends a new post that arrives later, once', async () => {
    const shifty = (await sql<{ id: number }>`SELECT id FROM entities WHERE slug = 'shifty'`.execute(db)).rows[0]!.id;
    await sql`UPDATE alert_rules SET max_per_day = 10 WHERE id = ${rules.mention!}`.execute(db);
    await insertTestMention(db, shifty, { at: now.toISOString(), score: -0.5, label: 'negative', title: 'quota hit' });
    const later = new Date(now.getTime() + 2 * HOUR);
    const fired = await evaluateAlertRules(db, { publicUrl: PUBLIC_URL, now: later, ruleIds: [rules.mention!] });
    expect(fired.map((f) => [f.headline, f.status])).toEqual([['shifty on hn: quota hit', 'queued']]);
    expect(await evaluateAlertRules(db, { publicUrl: PUBLIC_URL, now: later, ruleIds: [rules.mention!] })).toEqual([]);
  });

  it('alerts a spike lasting several days once: the days that continue it are held back', async () => {
    const spiky = (await sql<{ id: number }>`SELECT id FROM entities WHERE slug = 'spiky'`.execute(db)).rows[0]!.id;
    const { rule } = await addAlertRule(db, { kind: 'spike', entity: 'spiky', channel: CHANNEL, metric: 'negativity', cooldownMinutes: 0 });
    for (const back of [3, 2, 1]) {
      const day = new Date(today - back * DAY);
      await upsertEvent(db, {
        entityId: spiky,
        kind: 'spike',
        source: 'vibecheck',
        externalId: `spike:spiky:negativity:${day.toISOString().slice(0, 10)}`,
        title: 'spiky: negative share rose to 60% (usual 10%)',
        url: null,
        body: null,
        occurredAt: day,
        details: { spikeKind: 'negativity', direction: 'up', value: 0.6, baseline: 0.1, zScore: 5, topPostIds: [] },
      });
    }
    // Made two days ago, so its window reaches back to the first spiking day.
    await sql`UPDATE alert_rules SET created_at = ${new Date(today - 2 * DAY).toISOString()}::timestamptz WHERE id = ${rule.id}`.execute(
      db,
    );
    await evaluateAlertRules(db, { publicUrl: PUBLIC_URL, now, ruleIds: [rule.id] });
    const rows = await alertRows(db, rule.id);
    expect(rows.map((r) => r.status)).toEqual(['queued', 'suppressed', 'suppressed']);
    expect(rows[1]!.reason).toMatch(/^continues the spike of/);
  });

  it('judges the other rules when one fails, and reports the one that failed', async () => {
    const shifty = (await sql<{ id: number }>`SELECT id FROM entities WHERE slug = 'shifty'`.execute(db)).rows[0]!.id;
    const broken = (await addAlertRule(db, { kind: 'mention', entity: 'shifty', channel: CHANNEL })).rule.id;
    const healthy = (await addAlertRule(db, { kind: 'mention', entity: 'shifty', channel: CHANNEL, include: ['resilient'] })).rule.id;
    await sql`UPDATE alert_rules SET state = '{"mentionCursor": "not a time"}'::jsonb WHERE id = ${broken}`.execute(db);
    await insertTestMention(db, shifty, { at: now.toISOString(), score: 0.1, label: 'neutral', title: 'resilient post' });
    const failed: number[] = [];
    const fired = await evaluateAlertRules(db, {
      publicUrl: PUBLIC_URL,
      now,
      ruleIds: [broken, healthy],
      onRuleError: (id) => failed.push(id),
    });
    expect(failed).toEqual([broken]);
    expect(fired.map((f) => [f.ruleId, f.headline])).toEqual([[healthy, 'shifty on hn: resilient post']]);
    await expect(evaluateAlertRules(db, { publicUrl: PUBLIC_URL, now, ruleIds: [broken, healthy] })).rejects.toThrow();
  });

  it('moves a quiet mention rule on from the grouped reading alone, and still sends the post that arrives later', async () => {
    const calm = (await sql<{ id: number }>`SELECT id FROM entities WHERE slug = 'calm'`.execute(db)).rows[0]!.id;
    const rule = (await addAlertRule(db, { kind: 'mention', entity: 'calm', channel: CHANNEL, include: ['zzquiet'] })).rule.id;
    const cursorOf = async () =>
      (await sql<{ cursor: string | null }>`SELECT state->>'mentionCursor' AS cursor FROM alert_rules WHERE id = ${rule}`.execute(db))
        .rows[0]!.cursor;
    const before = (await sql<{ now: Date }>`SELECT now() AS now`.execute(db)).rows[0]!.now;
    expect(await evaluateAlertRules(db, { publicUrl: PUBLIC_URL, now, ruleIds: [rule] })).toEqual([]);
    const cursor = await cursorOf();
    expect(cursor).not.toBeNull();
    expect(Date.parse(cursor!)).toBeGreaterThanOrEqual(new Date(before).getTime());
    await insertTestMention(db, calm, { at: now.toISOString(), score: -0.4, label: 'negative', title: 'zzquiet arrived late' });
    const fired = await evaluateAlertRules(db, { publicUrl: PUBLIC_URL, now, ruleIds: [rule] });
    expect(fired.map((f) => f.headline)).toEqual(['calm on hn: zzquiet arrived late']);
    expect(await evaluateAlertRules(db, { publicUrl: PUBLIC_URL, now, ruleIds: [rule] })).toEqual([]);
  });

  it('alerts a regression once while it continues, with what was expected against what was seen and the likely layer', async () => {
    const calm = (await sql<{ id: number }>`SELECT id FROM entities WHERE slug = 'calm'`.execute(db)).rows[0]!.id;
    const rule = (await addAlertRule(db, { kind: 'regression', entity: 'calm', channel: CHANNEL })).rule.id;
    const start = new Date(today - 6 * DAY);
    const regression = (windowTo: number) =>
      upsertEvent(db, {
        entityId: calm,
        kind: 'regression',
        source: 'vibecheck',
        externalId: `regression:calm:${start.toISOString().slice(0, 10)}`,
        title: 'calm: sentiment fell after the release of 2.0 (-0.40 against an expected -0.05)',
        url: null,
        body: null,
        occurredAt: start,
        details: {
          regressionKind: 'release',
          expected: -0.05,
          observed: -0.4,
          confidence: 0.97,
          n: 120,
          windowFrom: start.toISOString(),
          windowTo: new Date(windowTo).toISOString(),
          releaseAt: start.toISOString(),
          attribution: { layer: 'model', evidence: [] },
          topPostIds: [],
        },
      });
    await regression(today);
    const fired = await evaluateAlertRules(db, { publicUrl: PUBLIC_URL, now, ruleIds: [rule] });
    expect(fired.map((f) => [f.status, f.headline])).toEqual([
      ['queued', 'calm: sentiment fell after the release of 2.0 (-0.40 against an expected -0.05)'],
    ]);
    const [row] = await alertRows(db, rule);
    expect(row!.message.figures).toEqual([
      { label: 'Mean sentiment', value: '-0.05 expected -> -0.40', detail: 'confidence 97%' },
      { label: 'Likely layer', value: 'model' },
    ]);
    expect(row!.message.summary).toContain(`after the release of ${start.toISOString().slice(0, 10)}`);
    // The next day the same regression goes on (same event, a later end): no second alert.
    await regression(today + DAY);
    expect(await evaluateAlertRules(db, { publicUrl: PUBLIC_URL, now: new Date(now.getTime() + DAY), ruleIds: [rule] })).toEqual([]);
    // A regression that ended before the rule existed is not news.
    const late = (await addAlertRule(db, { kind: 'regression', entity: 'calm', channel: CHANNEL })).rule.id;
    await sql`UPDATE alert_rules SET created_at = ${new Date(today + 5 * DAY).toISOString()}::timestamptz WHERE id = ${late}`.execute(db);
    expect(await evaluateAlertRules(db, { publicUrl: PUBLIC_URL, now: new Date(now.getTime() + 5 * DAY), ruleIds: [late] })).toEqual([]);
  });

  it('keeps the planted post ids reachable (sanity of the fixture)', () => {
    expect(plantedIds).toHaveLength(3);
  });
});
