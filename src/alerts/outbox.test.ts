import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAlertReceiver, type AlertReceiver } from '../../test/support/alert-receiver.ts';
import { insertTestEntity } from '../../test/support/mentions.ts';
import { createTarget } from '../../test/support/targets.ts';
import type { Database } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { insertAlert, listDeliveries, removeAlertRule } from '../db/queries/alerts.ts';
import type { DB } from '../db/schema.ts';
import { idempotencyKeyOf } from './decide.ts';
import { addAlertRule } from './manage.ts';
import type { AlertMessage } from './message.ts';
import { deliverDueAlerts, retryDelayMs, type OutboxOptions } from './outbox.ts';

const SECRET = 'receiver-secret-0123456789';
const FAST: OutboxOptions = { publicUrl: 'http://dash.test', baseDelayMs: 100, maxDelayMs: 5_000, maxAttempts: 5, timeoutMs: 2_000 };

let counter = 0;

/** A queued alert of the rule, as evaluation writes one. */
async function queueAlert(db: Kysely<DB>, ruleId: number, headline = 'Alpha: sentiment fell'): Promise<{ alertId: number; key: string }> {
  const eventKey = `test:${++counter}`;
  const key = idempotencyKeyOf(ruleId, eventKey);
  const message: AlertMessage = {
    id: key,
    rule: { id: ruleId, kind: 'shift', name: 'alpha shift' },
    entity: { slug: 'alpha', name: 'Alpha' },
    headline,
    summary: 'why',
    figures: [{ label: 'Mean sentiment', value: '+0.10 -> -0.20', detail: 'p < 0.001' }],
    posts: [{ title: '<b>post</b>', url: 'https://example.test/1', source: 'hn', createdAt: new Date().toISOString(), excerpt: 'text' }],
    dashboardUrl: 'http://dash.test/entity/alpha',
    firedAt: new Date().toISOString(),
  };
  const alertId = await insertAlert(db, {
    ruleId,
    eventKey,
    status: 'queued',
    reason: null,
    idempotencyKey: key,
    message,
    firedAt: new Date(),
  });
  return { alertId: alertId!, key };
}

async function outboxRow(db: Kysely<DB>, alertId: number) {
  const rows = await sql<{ status: string; attempts: number; last_error: string | null }>`
    SELECT status, attempts, last_error FROM alert_outbox WHERE alert_id = ${alertId}`.execute(db);
  return rows.rows[0];
}

/** Runs the sender (as the periodic job does) until the alert is settled for good or the time is up. */
async function deliverUntilSettled(db: Kysely<DB>, alertId: number, options: OutboxOptions, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    await deliverDueAlerts(db, options);
    const row = await outboxRow(db, alertId);
    if (row?.status === 'delivered' || row?.status === 'dead') return;
    await sleep(25);
  }
  throw new Error(`alert ${alertId} not settled in ${timeoutMs} ms`);
}

describe('retryDelayMs', () => {
  it('doubles from the base, caps at the maximum, and waits at least what Retry-After asked', () => {
    const limits = { baseDelayMs: 1_000, maxDelayMs: 60_000 };
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, undefined, limits))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(retryDelayMs(20, undefined, limits)).toBe(60_000);
    expect(retryDelayMs(1, 30_000, limits)).toBe(30_000);
    expect(retryDelayMs(4, 10, limits)).toBe(8_000);
    expect(retryDelayMs(1, 10 * 3_600_000, limits)).toBe(60_000);
  });
});

describe('delivering the outbox to a real HTTP receiver', () => {
  let target: Awaited<ReturnType<typeof createTarget>>;
  let database: Database;
  let db: Kysely<DB>;
  let receiver: AlertReceiver;
  let ruleId: number;

  beforeAll(async () => {
    target = await createTarget('embedded');
    database = await target.open();
    db = database.db;
    await migrate(db);
    await insertTestEntity(db, 'alpha');
    receiver = await startAlertReceiver(SECRET);
    ruleId = (await addAlertRule(db, { kind: 'shift', entity: 'alpha', channel: receiver.url, secret: SECRET })).rule.id;
  });

  afterEach(() => {
    receiver.received.length = 0;
    receiver.script = [];
    receiver.fallback = { status: 200 };
  });

  afterAll(async () => {
    await receiver?.close();
    await database?.close();
    await target?.cleanup();
  });

  it('retries a 500 and a 429 (waiting what Retry-After says), then delivers, with one idempotency key and valid signatures', async () => {
    receiver.script = [{ status: 500 }, { status: 429, headers: { 'Retry-After': '1' } }, { status: 200 }];
    const { alertId, key } = await queueAlert(db, ruleId);
    await deliverUntilSettled(db, alertId, FAST);
    expect(await outboxRow(db, alertId)).toMatchObject({ status: 'delivered', attempts: 3, last_error: null });
    expect(receiver.received.map((r) => r.status)).toEqual([500, 429, 200]);
    expect(receiver.received.map((r) => r.headers['x-vibecheck-delivery'])).toEqual([key, key, key]);
    expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
    expect(JSON.parse(receiver.received[2]!.body)).toMatchObject({ id: key, headline: 'Alpha: sentiment fell', test: false });
    // Backoff after the 500 is 100 ms; after the 429 it is the second Retry-After asked.
    expect(receiver.received[2]!.at - receiver.received[1]!.at).toBeGreaterThanOrEqual(950);
    const attempts = (await listDeliveries(db, ruleId)).filter((d) => d.alertId === alertId).reverse();
    expect(attempts.map((a) => [a.attempt, a.outcome, a.statusCode])).toEqual([
      [1, 'retry', 500],
      [2, 'retry', 429],
      [3, 'delivered', 200],
    ]);
    expect(attempts[0]!.cause).toMatch(/HTTP 500/);
  });

  it('dead-letters an alert after the retry limit with the last cause', async () => {
    receiver.fallback = { status: 503 };
    const { alertId } = await queueAlert(db, ruleId);
    await deliverUntilSettled(db, alertId, { ...FAST, maxAttempts: 3 });
    const row = await outboxRow(db, alertId);
    expect(row).toMatchObject({ status: 'dead', attempts: 3 });
    expect(row!.last_error).toMatch(/^gave up after 3 attempts: HTTP 503/);
    expect(receiver.received).toHaveLength(3);
    const attempts = (await listDeliveries(db, ruleId)).filter((d) => d.alertId === alertId);
    expect(attempts.map((a) => a.outcome)).toEqual(['dead', 'retry', 'retry']);
    expect(attempts[0]!.status).toBe('dead');
  });

  it('gives up at once on an answer that would not change (400), and retries a receiver that does not answer in time', async () => {
    receiver.script = [{ status: 400 }];
    const refused = await queueAlert(db, ruleId);
    await deliverUntilSettled(db, refused.alertId, FAST);
    expect(await outboxRow(db, refused.alertId)).toMatchObject({ status: 'dead', attempts: 1 });

    receiver.script = [{ status: 200, delayMs: 3_000 }];
    const slow = await queueAlert(db, ruleId);
    await deliverUntilSettled(db, slow.alertId, { ...FAST, timeoutMs: 300 });
    expect(await outboxRow(db, slow.alertId)).toMatchObject({ status: 'delivered', attempts: 2 });
    const first = (await listDeliveries(db, ruleId)).filter((d) => d.alertId === slow.alertId).at(-1);
    expect(first).toMatchObject({ outcome: 'retry', statusCode: null });
    expect(first!.cause).toMatch(/no answer within 0.3 s/);
  });

  it('dead-letters what is left of a removed rule without sending it', async () => {
    const other = (await addAlertRule(db, { kind: 'spike', entity: 'alpha', channel: receiver.url, secret: SECRET })).rule.id;
    const { alertId } = await queueAlert(db, other);
    await removeAlertRule(db, other);
    await deliverUntilSettled(db, alertId, FAST);
    expect(await outboxRow(db, alertId)).toMatchObject({
      status: 'dead',
      last_error: 'the rule was removed before this alert was delivered',
    });
    expect(receiver.received).toEqual([]);
  });
});

describe('two senders on one PostgreSQL server', () => {
  let target: Awaited<ReturnType<typeof createTarget>>;
  let first: Database;
  let second: Database;
  let receiver: AlertReceiver;

  beforeAll(async () => {
    target = await createTarget('server');
    first = await target.open();
    second = await target.open();
    await migrate(first.db);
    await insertTestEntity(first.db, 'alpha');
    receiver = await startAlertReceiver(SECRET);
  });

  afterAll(async () => {
    await receiver?.close();
    await first?.close();
    await second?.close();
    await target?.cleanup();
  });

  it('deliver each alert exactly once between them', async () => {
    const ruleId = (await addAlertRule(first.db, { kind: 'mention', entity: 'alpha', channel: receiver.url, secret: SECRET })).rule.id;
    const keys: string[] = [];
    for (let i = 0; i < 40; i++) keys.push((await queueAlert(first.db, ruleId, `alert ${i}`)).key);
    receiver.fallback = { status: 200, delayMs: 15 };
    const [a, b] = await Promise.all([
      deliverDueAlerts(first.db, { ...FAST, sender: 'worker-a', batchSize: 4 }),
      deliverDueAlerts(second.db, { ...FAST, sender: 'worker-b', batchSize: 4 }),
    ]);
    expect(a.delivered + b.delivered).toBe(40);
    // Both took part: the claim hands each row to one of them.
    expect(a.delivered).toBeGreaterThan(0);
    expect(b.delivered).toBeGreaterThan(0);
    const sent = receiver.received.map((r) => String(r.headers['x-vibecheck-delivery']));
    expect(sent).toHaveLength(40);
    expect(new Set(sent)).toEqual(new Set(keys));
  });
});
