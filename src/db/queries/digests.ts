import { sql } from 'kysely';
import type { EntityKind } from '../../core/entity.ts';
import type { Executor } from './entities.ts';

export type DigestCadence = 'daily' | 'weekly';

export interface DigestSubscriptionRecord {
  /** The subscription's id, which is also its delivery rule's id in alert_rules. */
  id: number;
  name: string;
  channel: string;
  secret: string;
  entities: string[];
  kinds: EntityKind[];
  cadence: DigestCadence;
  hourUtc: number;
  lastPeriod: string | null;
  createdAt: Date;
}

type Row = {
  id: number;
  name: string;
  channel: string;
  secret: string;
  entities: string[];
  kinds: EntityKind[];
  cadence: DigestCadence;
  hour_utc: number;
  last_period: string | null;
  created_at: Date;
};

const toRecord = (row: Row): DigestSubscriptionRecord => ({
  id: row.id,
  name: row.name,
  channel: row.channel,
  secret: row.secret,
  entities: row.entities,
  kinds: row.kinds,
  cadence: row.cadence,
  hourUtc: row.hour_utc,
  lastPeriod: row.last_period,
  createdAt: new Date(row.created_at),
});

const COLUMNS = sql`r.id, r.name, r.channel, r.secret, s.entities, s.kinds, s.cadence, s.hour_utc, s.last_period, r.created_at`;

export interface NewDigestSubscriptionRow {
  name: string;
  channel: string;
  secret: string;
  entities: string[];
  kinds: EntityKind[];
  cadence: DigestCadence;
  hourUtc: number;
  lastPeriod: string | null;
}

/** The delivery rule (kind 'digest', no entity) and the subscription, in one statement. */
export async function insertDigestSubscription(db: Executor, row: NewDigestSubscriptionRow): Promise<DigestSubscriptionRecord> {
  const rows = await sql<Row>`
    WITH r AS (
      INSERT INTO alert_rules (name, kind, entity_id, channel, secret, cooldown_minutes, max_per_day)
      VALUES (${row.name}, 'digest', NULL, ${row.channel}, ${row.secret}, 0, 10000)
      RETURNING *
    ), s AS (
      INSERT INTO digest_subscriptions (rule_id, entities, kinds, cadence, hour_utc, last_period)
      SELECT r.id, ${row.entities}::text[], ${row.kinds}::text[], ${row.cadence}, ${row.hourUtc}, ${row.lastPeriod} FROM r
      RETURNING *
    )
    SELECT ${COLUMNS} FROM r JOIN s ON s.rule_id = r.id`.execute(db);
  const inserted = rows.rows[0];
  if (inserted === undefined) throw new Error('digest subscription insert returned no row');
  return toRecord(inserted);
}

/** Live subscriptions, oldest first. */
export async function listDigestSubscriptions(db: Executor): Promise<DigestSubscriptionRecord[]> {
  const rows = await sql<Row>`
    SELECT ${COLUMNS} FROM digest_subscriptions s JOIN alert_rules r ON r.id = s.rule_id
    WHERE r.removed_at IS NULL AND r.enabled
    ORDER BY r.id`.execute(db);
  return rows.rows.map(toRecord);
}

export async function findDigestSubscription(db: Executor, id: number): Promise<DigestSubscriptionRecord | undefined> {
  const rows = await sql<Row>`
    SELECT ${COLUMNS} FROM digest_subscriptions s JOIN alert_rules r ON r.id = s.rule_id
    WHERE r.id = ${id} AND r.removed_at IS NULL`.execute(db);
  const row = rows.rows[0];
  return row === undefined ? undefined : toRecord(row);
}

/**
 * Locks a live subscription whose last period is not `period`, for queuing that period's digest;
 * undefined when it was already queued or another worker holds it (that one queues it).
 */
export async function lockDueDigestSubscription(db: Executor, id: number, period: string): Promise<DigestSubscriptionRecord | undefined> {
  const rows = await sql<Row>`
    SELECT ${COLUMNS} FROM digest_subscriptions s JOIN alert_rules r ON r.id = s.rule_id
    WHERE r.id = ${id} AND r.removed_at IS NULL AND r.enabled AND s.last_period IS DISTINCT FROM ${period}
    FOR UPDATE OF s SKIP LOCKED`.execute(db);
  const row = rows.rows[0];
  return row === undefined ? undefined : toRecord(row);
}

export async function markDigestPeriod(db: Executor, id: number, period: string): Promise<void> {
  await sql`UPDATE digest_subscriptions SET last_period = ${period} WHERE rule_id = ${id}`.execute(db);
}

/** Marks the subscription's rule removed (queued digests then die in the outbox with that cause). */
export async function removeDigestSubscription(db: Executor, id: number): Promise<boolean> {
  const result = await sql`
    UPDATE alert_rules SET removed_at = now()
    WHERE id = ${id} AND kind = 'digest' AND removed_at IS NULL RETURNING id`.execute(db);
  return result.rows.length > 0;
}

/** Per subscription: digests queued, delivered, dead, and the last one's time. */
export async function getDigestStats(
  db: Executor,
  ids: number[],
): Promise<Map<number, { sent: number; delivered: number; dead: number; lastSentAt: Date | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await sql<{ rule_id: number; sent: number; delivered: number; dead: number; last_at: Date | null }>`
    SELECT a.rule_id, count(*)::int AS sent,
      (count(*) FILTER (WHERE o.status = 'delivered'))::int AS delivered,
      (count(*) FILTER (WHERE o.status = 'dead'))::int AS dead,
      max(a.fired_at) AS last_at
    FROM alerts a LEFT JOIN alert_outbox o ON o.alert_id = a.id
    WHERE a.rule_id = ANY(${ids}::int[]) AND a.status = 'queued'
    GROUP BY a.rule_id`.execute(db);
  return new Map(
    rows.rows.map((r) => [
      r.rule_id,
      { sent: r.sent, delivered: r.delivered, dead: r.dead, lastSentAt: r.last_at ? new Date(r.last_at) : null },
    ]),
  );
}
