import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { insertTestEntity } from '../../../test/support/mentions.ts';
import { describeOnBothTargets } from '../../../test/support/targets.ts';
import { migrate } from '../migrate.ts';
import {
  claimOutbox,
  findAlertRule,
  getAlertRuleStats,
  insertAlert,
  insertAlertRule,
  listAlertRules,
  listDeliveries,
  listRuleAlerts,
  listUserAlertRules,
  lockAlertRule,
  removeAlertRule,
  settleDelivery,
  syncKindAlertRules,
  type NewAlertRuleRow,
} from './alerts.ts';

const T0 = new Date('2026-05-01T12:00:00Z');

function ruleRow(entityId: number | null): NewAlertRuleRow {
  return {
    name: 'test rule',
    kind: 'shift',
    entityId,
    entityKind: null,
    source: null,
    aspect: null,
    polarity: null,
    minEngagement: null,
    includeWords: [],
    excludeWords: [],
    metric: 'mean',
    direction: 'both',
    threshold: 0.2,
    windowHours: 168,
    minMentions: 20,
    channel: 'http://127.0.0.1:9/hook',
    secret: 's3cret-value',
    cooldownMinutes: 60,
    maxPerDay: 5,
    state: {},
  };
}

describeOnBothTargets('alert rules, alerts and the outbox', (get) => {
  let ruleId: number;
  beforeAll(async () => {
    await migrate(get().db);
    const entityId = await insertTestEntity(get().db, 'alpha-tool');
    ruleId = (await insertAlertRule(get().db, ruleRow(entityId))).id;
  });

  it('stores a rule with its entity and lists it until it is removed', async () => {
    const db = get().db;
    const rule = await findAlertRule(db, ruleId);
    expect(rule).toMatchObject({ kind: 'shift', entity: { slug: 'alpha-tool' }, threshold: 0.2, enabled: true, removedAt: null });
    const other = await insertAlertRule(db, { ...ruleRow(rule!.entityId), kind: 'mention' });
    expect(rule!.parentId).toBeNull();
    expect((await listAlertRules(db)).map((r) => r.id)).toEqual([ruleId, other.id]);
    expect(await removeAlertRule(db, other.id)).toBe(true);
    expect(await removeAlertRule(db, other.id)).toBe(false);
    expect((await listAlertRules(db)).map((r) => r.id)).toEqual([ruleId]);
    expect(await lockAlertRule(db, other.id)).toBeUndefined();
  });

  it('records an event once: the second alert for the same key is refused, and only a queued alert gets an outbox row', async () => {
    const db = get().db;
    const base = { ruleId, status: 'queued' as const, reason: null, message: { headline: 'h' }, firedAt: T0 };
    const first = await insertAlert(db, { ...base, eventKey: 'shift:a', idempotencyKey: 'k-a' });
    expect(first).not.toBeNull();
    expect(await insertAlert(db, { ...base, eventKey: 'shift:a', idempotencyKey: 'k-a2' })).toBeNull();
    const suppressed = await insertAlert(db, {
      ...base,
      eventKey: 'shift:b',
      idempotencyKey: 'k-b',
      status: 'suppressed',
      reason: 'cooldown',
    });
    const outbox = await sql<{ alert_id: number }>`SELECT alert_id FROM alert_outbox ORDER BY alert_id`.execute(db);
    expect(outbox.rows.map((r) => Number(r.alert_id))).toEqual([first]);
    expect(suppressed).not.toBeNull();
  });

  it('claims a due row for one sender only, lets only the lease holder settle it, and reclaims it when the lease runs out', async () => {
    const db = get().db;
    const claimedA = await claimOutbox(db, { sender: 'a', now: T0, leaseMs: 60_000, limit: 10 });
    expect(claimedA).toHaveLength(1);
    expect(claimedA[0]).toMatchObject({ attempt: 1, idempotencyKey: 'k-a', channel: 'http://127.0.0.1:9/hook', secret: 's3cret-value' });
    // Held: nobody else gets it while the lease runs.
    expect(await claimOutbox(db, { sender: 'b', now: new Date(T0.getTime() + 30_000), leaseMs: 60_000, limit: 10 })).toEqual([]);
    // Sender a hung past its lease: b takes the row over, attempt 2, same idempotency key.
    const claimedB = await claimOutbox(db, { sender: 'b', now: new Date(T0.getTime() + 61_000), leaseMs: 60_000, limit: 10 });
    expect(claimedB).toHaveLength(1);
    expect(claimedB[0]).toMatchObject({ attempt: 2, idempotencyKey: 'k-a' });
    const attempt = {
      ruleId,
      alertId: claimedA[0]!.alertId,
      attempt: 1,
      at: T0,
      durationMs: 5,
      statusCode: 200,
      outcome: 'delivered' as const,
      cause: null,
      nextAttemptAt: null,
    };
    expect(await settleDelivery(db, { ...attempt, sender: 'a' })).toBe(false);
    expect(await settleDelivery(db, { ...attempt, attempt: 2, sender: 'b' })).toBe(true);
    const deliveries = await listDeliveries(db, ruleId);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ attempt: 2, outcome: 'delivered', status: 'delivered', statusCode: 200, headline: 'h' });
    expect(await claimOutbox(db, { sender: 'c', now: new Date(T0.getTime() + 3_600_000), leaseMs: 60_000, limit: 10 })).toEqual([]);
  });

  it('gives a kind rule one entity rule per entity of its kind, follows entities that come, go or change kind, and reports as one rule', async () => {
    const db = get().db;
    const [gpt, claude] = [await insertTestEntity(db, 'kind-gpt', 'model'), await insertTestEntity(db, 'kind-claude', 'model')];
    await insertTestEntity(db, 'kind-editor', 'tool');
    const parent = await insertAlertRule(db, { ...ruleRow(null), name: 'Models: shift mean', entityKind: 'model' });
    const childrenOf = async () =>
      (await listAlertRules(db))
        .filter((r) => r.parentId === parent.id)
        .map((r) => ({ entity: r.entity.slug, name: r.name, secret: r.secret }));

    await syncKindAlertRules(db);
    await syncKindAlertRules(db);
    expect(await childrenOf()).toEqual([
      { entity: 'kind-gpt', name: 'Models: shift mean (kind-gpt)', secret: 's3cret-value' },
      { entity: 'kind-claude', name: 'Models: shift mean (kind-claude)', secret: 's3cret-value' },
    ]);
    // The kind rule itself is never judged: it watches no entity.
    expect((await listAlertRules(db)).some((r) => r.id === parent.id)).toBe(false);
    expect((await listUserAlertRules(db)).find((r) => r.id === parent.id)).toMatchObject({
      entityKind: 'model',
      entity: null,
      entityCount: 2,
    });
    expect((await listUserAlertRules(db)).some((r) => r.parentId !== null)).toBe(false);

    const gemini = await insertTestEntity(db, 'kind-gemini', 'model');
    await sql`UPDATE entities SET removed_at = now() WHERE id = ${claude}`.execute(db);
    await sql`UPDATE entities SET kind = 'tool' WHERE id = ${gpt}`.execute(db);
    await syncKindAlertRules(db);
    expect((await childrenOf()).map((c) => c.entity)).toEqual(['kind-gemini']);

    // Alerts of an entity rule are the kind rule's: its list, its counts.
    const child = (await listAlertRules(db)).find((r) => r.parentId === parent.id && r.entityId === gemini)!;
    const alertId = await insertAlert(db, {
      ruleId: child.id,
      eventKey: 'shift:kind',
      idempotencyKey: 'k-kind',
      status: 'queued',
      reason: null,
      message: { headline: 'kind alert' },
      firedAt: T0,
    });
    expect((await listRuleAlerts(db, parent.id)).map((a) => a.id)).toEqual([alertId]);
    expect((await getAlertRuleStats(db)).get(parent.id)).toMatchObject({ fired: 1, pending: 1 });
    expect((await getAlertRuleStats(db)).has(child.id)).toBe(false);

    // Removing an entity rule alone is not a thing; removing the kind rule retires its entity rules.
    expect(await removeAlertRule(db, child.id)).toBe(false);
    expect(await removeAlertRule(db, parent.id)).toBe(true);
    expect(await childrenOf()).toEqual([]);
    await syncKindAlertRules(db);
    expect(await childrenOf()).toEqual([]);
  });
});
