import { sql, type Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAlertReceiver, type AlertReceiver } from '../../test/support/alert-receiver.ts';
import { insertTestEntity, insertTestMention } from '../../test/support/mentions.ts';
import { noiseHistory, plantedComplaints } from '../../test/support/shift-history.ts';
import { createTarget } from '../../test/support/targets.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { upsertEvent } from '../db/queries/events.ts';
import { rebuildRollups } from '../db/queries/ingest.ts';
import { findDigestSubscription } from '../db/queries/digests.ts';
import type { DB } from '../db/schema.ts';
import { detectAndStoreSpikes } from '../pipeline/spikes.ts';
import { buildDiscordPayload } from './channels/discord.ts';
import { renderAlertHtml } from './channels/html.ts';
import { buildSlackPayload } from './channels/slack.ts';
import { WebhookBody } from './channels/webhook.ts';
import { deliverDueAlerts, type OutboxOptions } from './outbox.ts';
import { runAlerts } from './run.ts';
import {
  addDigestSubscription,
  composeDigestMessage,
  dueDigestPeriod,
  dueDigestPeriods,
  isoWeekKey,
  queueDueDigests,
  removeDigestSubscriptionById,
  sendDigestNow,
} from './subscriptions.ts';

const DAY = 86_400_000;
const iso = (d: Date) => d.toISOString();
const SECRET = 'digest-receiver-secret-0123';
const FAST: OutboxOptions = { publicUrl: 'http://dash.test/vc', baseDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 3, timeoutMs: 5_000 };

describe('dueDigestPeriod', () => {
  it('is the previous UTC day from the hour on, and the day before until then', () => {
    expect(dueDigestPeriod('daily', 8, new Date('2026-03-15T07:59:59Z'))).toMatchObject({ key: '2026-03-13' });
    const due = dueDigestPeriod('daily', 8, new Date('2026-03-15T08:00:00Z'));
    expect([due.key, iso(due.from), iso(due.to)]).toEqual(['2026-03-14', '2026-03-14T00:00:00.000Z', '2026-03-15T00:00:00.000Z']);
    expect(dueDigestPeriod('daily', 0, new Date('2026-03-15T00:00:00Z')).key).toBe('2026-03-14');
    expect(dueDigestPeriod('daily', 0, new Date('2026-03-14T23:59:59Z')).key).toBe('2026-03-13');
    expect(dueDigestPeriod('daily', 23, new Date('2027-01-01T23:00:00Z')).key).toBe('2026-12-31');
  });

  it('is the previous ISO week (Monday to Monday) from the hour of Monday on', () => {
    // 2026-03-16 is a Monday; the week before it is 2026-W11.
    const due = dueDigestPeriod('weekly', 8, new Date('2026-03-16T08:00:00Z'));
    expect([due.key, iso(due.from), iso(due.to)]).toEqual(['2026-W11', '2026-03-09T00:00:00.000Z', '2026-03-16T00:00:00.000Z']);
    expect(dueDigestPeriod('weekly', 8, new Date('2026-03-16T07:59:59Z')).key).toBe('2026-W10');
    expect(dueDigestPeriod('weekly', 8, new Date('2026-03-15T23:59:59Z')).key).toBe('2026-W10');
    expect(dueDigestPeriod('weekly', 8, new Date('2026-03-22T23:00:00Z')).key).toBe('2026-W11');
    expect(dueDigestPeriod('weekly', 0, new Date('2026-03-23T00:00:00Z')).key).toBe('2026-W12');
  });

  it('sends the periods missed while nothing ran late, oldest first, up to a limit, each once', () => {
    const keys = (periods: Array<{ key: string }>) => periods.map((p) => p.key);
    const at = new Date('2026-03-15T09:00:00Z');
    expect(keys(dueDigestPeriods('daily', 8, at, '2026-03-14'))).toEqual([]);
    expect(keys(dueDigestPeriods('daily', 8, at, '2026-03-13'))).toEqual(['2026-03-14']);
    expect(keys(dueDigestPeriods('daily', 8, at, '2026-03-11'))).toEqual(['2026-03-12', '2026-03-13', '2026-03-14']);
    // A month away: the newest seven missed days and the day due now; older ones are not sent.
    const long = dueDigestPeriods('daily', 8, at, '2026-02-10');
    expect(keys(long)).toEqual([
      '2026-03-07',
      '2026-03-08',
      '2026-03-09',
      '2026-03-10',
      '2026-03-11',
      '2026-03-12',
      '2026-03-13',
      '2026-03-14',
    ]);
    expect(long[0]).toMatchObject({ from: new Date('2026-03-07T00:00:00Z'), to: new Date('2026-03-08T00:00:00Z') });
    expect(keys(dueDigestPeriods('daily', 8, at, null))).toEqual(['2026-03-14']);
    // Weeks across a year's end, Monday to Monday.
    const weeks = dueDigestPeriods('weekly', 8, new Date('2027-01-11T08:00:00Z'), '2026-W51');
    expect(keys(weeks)).toEqual(['2026-W52', '2026-W53', '2027-W01']);
    expect(weeks[1]).toMatchObject({ from: new Date('2026-12-28T00:00:00Z'), to: new Date('2027-01-04T00:00:00Z') });
    expect(keys(dueDigestPeriods('weekly', 8, new Date('2027-01-11T08:00:00Z'), '2026-W30'))).toHaveLength(5);
  });

  it('labels ISO weeks by the year of their Thursday', () => {
    expect(isoWeekKey(new Date('2026-12-28T00:00:00Z'))).toBe('2026-W53');
    expect(isoWeekKey(new Date('2024-12-30T00:00:00Z'))).toBe('2025-W01');
    expect(isoWeekKey(new Date('2021-01-04T00:00:00Z'))).toBe('2021-W01');
    expect(isoWeekKey(new Date('2020-12-28T00:00:00Z'))).toBe('2020-W53');
    // Sunday 2027-01-03 still belongs to 2026-W53, whose digest is due on Monday 2027-01-04.
    expect(dueDigestPeriod('weekly', 6, new Date('2027-01-04T06:00:00Z')).key).toBe('2026-W53');
  });
});

// 2026-03-16 is a Monday: the planted complaints (Thursday 2026-03-12) fall in ISO week 2026-W11.
const MONDAY = new Date('2026-03-16T00:00:00Z');
const PLANTED_DAY = new Date('2026-03-12T00:00:00Z');
const hoursAfter = (day: Date, hours: number) => new Date(day.getTime() + hours * 3_600_000);

describe('digest subscriptions through the outbox [embedded]', () => {
  let target: Awaited<ReturnType<typeof createTarget>>;
  let database: Database;
  let db: Kysely<DB>;
  let receiver: AlertReceiver;

  beforeAll(async () => {
    target = await createTarget('embedded');
    database = await target.open();
    db = database.db;
    await migrate(db);
    const cursor = await insertTestEntity(db, 'cursor', 'tool');
    const control = await insertTestEntity(db, 'control', 'model');
    await sql`UPDATE entities SET name = 'Cursor' WHERE id = ${cursor}`.execute(db);
    for (const seed of noiseHistory(7, 35, MONDAY)) await insertTestMention(db, cursor, seed);
    for (const seed of noiseHistory(11, 35, MONDAY)) await insertTestMention(db, control, seed);
    for (const seed of plantedComplaints(PLANTED_DAY)) await insertTestMention(db, cursor, seed);
    await rebuildRollups(db, new Date(MONDAY.getTime() - 60 * DAY), MONDAY);
    await detectAndStoreSpikes(db, { now: MONDAY, days: 7 });
    await upsertEvent(db, {
      entityId: cursor,
      kind: 'release',
      source: 'manual',
      externalId: 'Cursor 2.1',
      title: 'Cursor 2.1',
      url: 'https://example.test/changelog',
      body: null,
      occurredAt: new Date('2026-03-11T10:00:00Z'),
      details: {},
    });
    receiver = await startAlertReceiver(SECRET);
  });

  afterEach(() => {
    receiver.received.length = 0;
  });

  afterAll(async () => {
    await receiver?.close();
    await database?.close();
    await target?.cleanup();
  });

  it('sends a weekly digest once per period, signed, with the planted mover, the spike and the release', async () => {
    const { subscription, secret } = await addDigestSubscription(
      db,
      { channel: receiver.url, cadence: 'weekly', entities: ['cursor'], secret: SECRET },
      { now: hoursAfter(MONDAY, -7 * 24 + 9) },
    );
    expect(secret).toBeNull();
    // Made on Monday of W11 after 08:00: W10 counts as sent, W11 is the first digest.
    expect(subscription).toMatchObject({ cadence: 'weekly', hourUtc: 8, lastPeriod: '2026-W10', entities: ['cursor'] });
    expect(await queueDueDigests(db, { publicUrl: FAST.publicUrl, now: hoursAfter(MONDAY, 7.99) })).toEqual([]);

    const queued = await queueDueDigests(db, { publicUrl: FAST.publicUrl, now: hoursAfter(MONDAY, 8) });
    expect(queued).toEqual([{ subscription: subscription.id, period: '2026-W11', alertId: expect.any(Number) }]);
    await deliverDueAlerts(db, FAST);
    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    expect(delivery!.signatureValid).toBe(true);
    const body = WebhookBody.parse(JSON.parse(delivery!.body));
    expect(delivery!.headers['x-vibecheck-delivery']).toBe(body.id);
    expect(body.rule).toEqual({ id: subscription.id, kind: 'digest', name: 'Weekly digest: cursor' });
    expect(body.entity).toEqual({ slug: 'cursor', name: 'cursor' });
    expect(body.digest).toEqual({
      cadence: 'weekly',
      period: '2026-W11',
      from: '2026-03-09T00:00:00.000Z',
      to: '2026-03-16T00:00:00.000Z',
    });
    expect(body.headline).toMatch(/^Weekly digest 2026-W11: Cursor [+-]\d\.\d\d -> [+-]?\d\.\d\d, \d+ spikes?, 1 release or incident$/);
    const mover = body.figures.find((f) => f.label === 'Cursor: mean sentiment');
    expect(mover?.value).toMatch(/change -\d\.\d\d, significant\)$/);
    expect(mover?.detail).toMatch(/95% interval of the change -\d\.\d\d to -\d\.\d\d, p [<=] [\d.]+, n = \d+/);
    const spike = body.figures.find((f) => f.label.startsWith('Spike, 2026-03-12'));
    expect(spike?.value).toMatch(/Cursor/);
    expect(body.figures).toContainEqual({ label: 'Release, 2026-03-11', value: 'Cursor 2.1', detail: 'cursor' });
    expect(body.posts.length).toBeGreaterThan(0);
    expect(body.posts[0]!.title).toMatch(/^Hit the rate limits again/);
    expect(body.dashboardUrl).toBe('http://dash.test/vc/');

    // Later runs of the same period, and a restart's fresh run, queue and send nothing more.
    expect(await queueDueDigests(db, { publicUrl: FAST.publicUrl, now: hoursAfter(MONDAY, 9) })).toEqual([]);
    expect(await queueDueDigests(db, { publicUrl: FAST.publicUrl, now: hoursAfter(MONDAY, 6 * 24) })).toEqual([]);
    await deliverDueAlerts(db, FAST);
    expect(receiver.received).toHaveLength(1);
    expect((await findDigestSubscription(db, subscription.id))?.lastPeriod).toBe('2026-W11');
    // The next Monday brings the next week.
    const next = await queueDueDigests(db, { publicUrl: FAST.publicUrl, now: hoursAfter(MONDAY, 7 * 24 + 8) });
    expect(next.map((q) => q.period)).toEqual(['2026-W12']);
    await removeDigestSubscriptionById(db, subscription.id);
    await deliverDueAlerts(db, FAST);
    // Removed before the W12 digest went out: it dies in the outbox instead of being sent.
    expect(receiver.received).toHaveLength(1);
    const dead = await sql<{
      status: string;
      last_error: string;
    }>`SELECT status, last_error FROM alert_outbox WHERE alert_id = ${next[0]!.alertId}`.execute(db);
    expect(dead.rows[0]).toMatchObject({ status: 'dead', last_error: expect.stringMatching(/removed/) });
    await expect(removeDigestSubscriptionById(db, subscription.id)).rejects.toThrow(NotFoundError);
  });

  it('sends a daily digest of a kind of entity from the periodic alerts run, and `send` at once without touching the schedule', async () => {
    const { subscription, secret } = await addDigestSubscription(
      db,
      { channel: receiver.url, cadence: 'daily', kinds: ['tool'], hourUtc: 0, secret: SECRET },
      { now: new Date('2026-03-11T12:00:00Z') },
    );
    expect(secret).toBeNull();
    expect(subscription.lastPeriod).toBe('2026-03-10');
    // Nothing ran when 03-11's digest fell due (03-12 00:00): it goes out late, before 03-12's.
    const run = await runAlerts(db, FAST, { now: new Date('2026-03-13T00:00:00Z') });
    expect(run.digests.map((d) => d.period)).toEqual(['2026-03-11', '2026-03-12']);
    expect(receiver.received).toHaveLength(2);
    const bodies = receiver.received.map((r) => WebhookBody.parse(JSON.parse(r.body)));
    expect(bodies.map((b) => b.digest?.period).sort()).toEqual(['2026-03-11', '2026-03-12']);
    const body = bodies.find((b) => b.digest?.period === '2026-03-12')!;
    expect(body.entity).toEqual({ slug: 'kind:tool', name: 'every tool' });
    expect(body.digest).toMatchObject({ cadence: 'daily', period: '2026-03-12' });
    // Only tools: the model "control" is in none of the figures.
    expect(body.figures.some((f) => f.label.startsWith('control'))).toBe(false);
    expect((await runAlerts(db, FAST, { now: new Date('2026-03-13T23:00:00Z') })).digests).toEqual([]);
    expect(receiver.received).toHaveLength(2);

    const sent = await sendDigestNow(db, subscription.id, FAST, { now: new Date('2026-03-13T12:00:00Z') });
    expect(sent).toMatchObject({ delivered: true, cause: null });
    expect(receiver.received).toHaveLength(3);
    const manual = WebhookBody.parse(JSON.parse(receiver.received[2]!.body));
    expect(manual.digest).toEqual({ cadence: 'daily', period: 'manual', from: '2026-03-12T12:00:00.000Z', to: '2026-03-13T12:00:00.000Z' });
    expect(manual.id).not.toBe(body.id);
    expect((await findDigestSubscription(db, subscription.id))?.lastPeriod).toBe('2026-03-12');
    await removeDigestSubscriptionById(db, subscription.id);
  });

  it('refuses bad subscriptions with an error naming the field', async () => {
    await expect(addDigestSubscription(db, { channel: receiver.url, entities: ['nope'] })).rejects.toThrow(/no entity with slug "nope"/);
    await expect(addDigestSubscription(db, { channel: receiver.url, cadence: 'monthly' })).rejects.toThrow(ValidationError);
    await expect(addDigestSubscription(db, { channel: receiver.url, cadence: 'monthly' })).rejects.toThrow(/^cadence: /);
    await expect(addDigestSubscription(db, { channel: 'ftp://x', cadence: 'daily' })).rejects.toThrow(/^channel: /);
    await expect(addDigestSubscription(db, { channel: receiver.url, hourUtc: 24 })).rejects.toThrow(/^hourUtc: an hour from 0 to 23/);
    await expect(addDigestSubscription(db, { channel: receiver.url, kinds: ['person'] })).rejects.toThrow(/^kinds\.0: /);
    await expect(sendDigestNow(db, 9999, FAST)).rejects.toThrow(NotFoundError);
  });
});

describe('two workers queueing digests on the server', () => {
  let target: Awaited<ReturnType<typeof createTarget>>;
  let first: Database;
  let second: Database;

  beforeAll(async () => {
    target = await createTarget('server');
    first = await target.open();
    second = await target.open();
    await migrate(first.db);
    const id = await insertTestEntity(first.db, 'alpha');
    for (const seed of noiseHistory(3, 10, MONDAY)) await insertTestMention(first.db, id, seed);
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
    await target?.cleanup();
  });

  it('queue each due period once between them', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      const cadence = i % 2 === 0 ? 'daily' : 'weekly';
      ids.push(
        (
          await addDigestSubscription(
            first.db,
            { channel: 'http://127.0.0.1:9/hook', cadence, entities: ['alpha'] },
            { now: new Date('2026-03-15T12:00:00Z') },
          )
        ).subscription.id,
      );
    }
    for (const now of [hoursAfter(MONDAY, 8), hoursAfter(MONDAY, 9), hoursAfter(MONDAY, 24 + 8)]) {
      const runs = await Promise.all([
        queueDueDigests(first.db, { publicUrl: 'http://dash.test', now }),
        queueDueDigests(second.db, { publicUrl: 'http://dash.test', now }),
        queueDueDigests(first.db, { publicUrl: 'http://dash.test', now }),
      ]);
      void runs;
    }
    const rows = await sql<{ rule_id: number; event_key: string; n: number }>`
      SELECT rule_id, event_key, count(*)::int AS n FROM alerts WHERE rule_id = ANY(${ids}::int[]) GROUP BY rule_id, event_key ORDER BY rule_id, event_key`.execute(
      first.db,
    );
    // Daily: 2026-03-15 at Monday 08:00, 2026-03-16 on Tuesday; weekly: 2026-W11 only.
    const expected = ids.flatMap((id, i) =>
      i % 2 === 0
        ? [
            [id, 'digest:2026-03-15', 1],
            [id, 'digest:2026-03-16', 1],
          ]
        : [[id, 'digest:2026-W11', 1]],
    );
    expect(rows.rows.map((r) => [r.rule_id, r.event_key, r.n])).toEqual(expected);
    const outbox = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM alert_outbox o JOIN alerts a ON a.id = o.alert_id WHERE a.rule_id = ANY(${ids}::int[])`.execute(
      first.db,
    );
    expect(outbox.rows[0]!.n).toBe(expected.length);
  });
});

describe('composeDigestMessage', () => {
  const hostile = '<img src=x onerror=alert(1)> @everyone <!here>';
  const digest = {
    from: '2026-03-09T00:00:00.000Z',
    to: '2026-03-16T00:00:00.000Z',
    previousFrom: '2026-03-02T00:00:00.000Z',
    entities: ['evil'],
    movers: [
      {
        entity: { slug: 'evil', name: hostile, kind: 'tool' as const },
        n: 40,
        previousN: 30,
        score: -0.3,
        scoreLow: -0.4,
        scoreHigh: -0.2,
        previousScore: 0.1,
        change: -0.4,
        changeLow: -0.55,
        changeHigh: -0.25,
        pValue: 0.0004,
        significant: true,
        volumeRatio: 40 / 30,
        headline: `${hostile} fell`,
      },
    ],
    spikes: [],
    events: [
      {
        id: 1,
        kind: 'incident' as const,
        title: hostile,
        url: 'javascript:alert(1)',
        occurredAt: '2026-03-10T00:00:00.000Z',
        entity: null,
        source: 'manual',
      },
    ],
    posts: [
      {
        postId: 1,
        entities: ['evil'],
        source: 'hn',
        url: 'javascript:alert(1)',
        title: hostile,
        excerpt: hostile,
        createdAt: '2026-03-10T00:00:00.000Z',
        comments: 9,
        engagement: 3,
      },
    ],
  };
  const message = composeDigestMessage(
    { id: 5, name: 'weekly', entities: ['evil'], kinds: [] },
    digest as Parameters<typeof composeDigestMessage>[1],
    {
      cadence: 'weekly',
      period: '2026-W11',
      from: digest.from,
      to: digest.to,
    },
    { id: 'key-1', publicUrl: 'https://vibes.example', firedAt: new Date('2026-03-16T08:00:00Z') },
  );

  it('carries the mover with its change and confidence, and the incident', () => {
    expect(message.figures[0]).toEqual({
      label: `${hostile}: mean sentiment`,
      value: '+0.10 -> -0.30 (change -0.40, significant)',
      detail: expect.stringMatching(/^95% interval of the change -0\.55 to -0\.25, p < 0\.001, n = 40 \(30 before\)\. /),
    });
    expect(message.figures[1]).toMatchObject({ label: 'Incident, 2026-03-10' });
    expect(message.headline).toMatch(/^Weekly digest 2026-W11: /);
  });

  it('leaves no live markup or mention in the Slack, Discord and e-mail renderings', () => {
    const payload = buildSlackPayload(message);
    // The header block is plain_text, shown literally; everything else is mrkdwn and must be escaped.
    const slack = JSON.stringify([payload.text, payload.blocks.filter((block) => block.type !== 'header')]);
    expect(JSON.stringify(payload.blocks.find((block) => block.type === 'header'))).toContain('"type":"plain_text"');
    const discordPayload = buildDiscordPayload(message);
    // Embeds never ping (allowed_mentions is empty); field values, where markdown renders, are escaped.
    expect(discordPayload.allowed_mentions).toEqual({ parse: [] });
    const discord = JSON.stringify(
      discordPayload.embeds.flatMap((embed) => [embed.description ?? '', ...embed.fields.map((field) => field.value)]),
    );
    const html = renderAlertHtml(message);
    expect(slack).not.toContain('<img');
    expect(slack).not.toContain('<!here>');
    expect(slack).not.toMatch(/(?<!\u200b)@everyone/);
    expect(discord).not.toMatch(/(?<![\u200b\\])@everyone/);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('javascript:');
  });
});
