import { sql } from 'kysely';
import type { EntityKind } from '../../core/entity.ts';
import type { SentimentLabel } from '../../core/stats.ts';
import type { Executor } from './entities.ts';
import { toLikePattern } from './posts.ts';

export type AlertRuleKind = 'shift' | 'spike' | 'aspect' | 'mention' | 'regression';
export type AlertDirection = 'up' | 'down' | 'both';
export type OutboxStatus = 'pending' | 'sending' | 'delivered' | 'dead';
export type DeliveryOutcome = 'delivered' | 'retry' | 'dead' | 'failed';

/** What evaluation keeps between runs: hysteresis per watched series, the mention scan position. */
export interface AlertRuleState {
  /** Per series ("shift", "aspect:limits"): false after firing until the value comes back near its baseline. */
  armed?: Record<string, { armed: boolean; direction?: 'up' | 'down' }>;
  /** ISO time: mentions of posts fetched before it (less an overlap) were already judged. */
  mentionCursor?: string;
}

export interface NewAlertRuleRow {
  name: string;
  kind: AlertRuleKind;
  /** The entity watched; null for a rule on a kind of entity. */
  entityId: number | null;
  /** A rule on every entity of this kind: evaluation judges one rule per entity, made from it. */
  entityKind: EntityKind | null;
  source: string | null;
  aspect: string | null;
  polarity: SentimentLabel | null;
  minEngagement: number | null;
  includeWords: string[];
  excludeWords: string[];
  metric: string | null;
  direction: AlertDirection;
  threshold: number | null;
  windowHours: number;
  minMentions: number;
  channel: string;
  secret: string;
  cooldownMinutes: number;
  maxPerDay: number;
  state: AlertRuleState;
}

export interface AlertRuleRecord extends NewAlertRuleRow {
  id: number;
  entity: { slug: string; name: string } | null;
  /** The kind rule this entity's rule was made from. */
  parentId: number | null;
  enabled: boolean;
  createdAt: Date;
  removedAt: Date | null;
}

/** A rule that watches one entity: what evaluation judges (a kind rule's entity rules included). */
export interface EntityAlertRule extends AlertRuleRecord {
  entityId: number;
  entity: { slug: string; name: string };
}

/** A rule as its maker sees it: one entity or a kind of entity, with how many entities a kind rule covers now. */
export interface UserAlertRule extends AlertRuleRecord {
  entityCount: number;
}

type RuleRow = {
  id: number;
  name: string;
  kind: AlertRuleKind;
  entity_id: number | null;
  entity_slug: string | null;
  entity_name: string | null;
  entity_kind: EntityKind | null;
  parent_id: number | null;
  source: string | null;
  aspect: string | null;
  polarity: SentimentLabel | null;
  min_engagement: number | null;
  include_words: string[];
  exclude_words: string[];
  metric: string | null;
  direction: AlertDirection;
  threshold: number | null;
  window_hours: number;
  min_mentions: number;
  channel: string;
  secret: string;
  cooldown_minutes: number;
  max_per_day: number;
  enabled: boolean;
  state: AlertRuleState | string;
  created_at: Date;
  removed_at: Date | null;
};

function toRule(row: RuleRow): AlertRuleRecord {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    entityId: row.entity_id,
    entityKind: row.entity_kind,
    entity: row.entity_slug === null || row.entity_name === null ? null : { slug: row.entity_slug, name: row.entity_name },
    parentId: row.parent_id,
    source: row.source,
    aspect: row.aspect,
    polarity: row.polarity,
    minEngagement: row.min_engagement,
    includeWords: row.include_words,
    excludeWords: row.exclude_words,
    metric: row.metric,
    direction: row.direction,
    threshold: row.threshold === null ? null : Number(row.threshold),
    windowHours: row.window_hours,
    minMentions: row.min_mentions,
    channel: row.channel,
    secret: row.secret,
    cooldownMinutes: row.cooldown_minutes,
    maxPerDay: row.max_per_day,
    enabled: row.enabled,
    state: typeof row.state === 'string' ? (JSON.parse(row.state) as AlertRuleState) : row.state,
    createdAt: new Date(row.created_at),
    removedAt: row.removed_at === null ? null : new Date(row.removed_at),
  };
}

const RULE_COLUMNS = sql`r.*, e.slug AS entity_slug, e.name AS entity_name`;

/** Rows read with an inner join on entities all have their entity. */
function toEntityRule(row: RuleRow): EntityAlertRule {
  const rule = toRule(row);
  if (rule.entityId === null || rule.entity === null) throw new Error(`alert rule ${rule.id} watches no entity`);
  return { ...rule, entityId: rule.entityId, entity: rule.entity };
}

export async function insertAlertRule(db: Executor, rule: NewAlertRuleRow): Promise<AlertRuleRecord> {
  const rows = await sql<RuleRow>`
    WITH r AS (
      INSERT INTO alert_rules (name, kind, entity_id, entity_kind, source, aspect, polarity, min_engagement, include_words, exclude_words,
        metric, direction, threshold, window_hours, min_mentions, channel, secret, cooldown_minutes, max_per_day, state)
      VALUES (${rule.name}, ${rule.kind}, ${rule.entityId}, ${rule.entityKind}, ${rule.source}, ${rule.aspect}, ${rule.polarity}, ${rule.minEngagement},
        ${rule.includeWords}::text[], ${rule.excludeWords}::text[], ${rule.metric}, ${rule.direction}, ${rule.threshold},
        ${rule.windowHours}, ${rule.minMentions}, ${rule.channel}, ${rule.secret}, ${rule.cooldownMinutes}, ${rule.maxPerDay},
        ${JSON.stringify(rule.state)}::jsonb)
      RETURNING *
    )
    SELECT ${RULE_COLUMNS} FROM r LEFT JOIN entities e ON e.id = r.entity_id`.execute(db);
  const row = rows.rows[0];
  if (row === undefined) throw new Error('alert rule insert returned no row');
  return toRule(row);
}

/** The rules evaluation judges (each watching one entity, a kind rule's entity rules included), oldest first. */
export async function listAlertRules(db: Executor, options: { enabledOnly?: boolean } = {}): Promise<EntityAlertRule[]> {
  const rows = await sql<RuleRow>`
    SELECT ${RULE_COLUMNS} FROM alert_rules r JOIN entities e ON e.id = r.entity_id
    WHERE r.removed_at IS NULL ${options.enabledOnly ? sql`AND r.enabled` : sql``}
    ORDER BY r.id`.execute(db);
  return rows.rows.map(toEntityRule);
}

/** The rules users made (on an entity or a kind of entity; not the entity rules made from a kind rule), oldest first. */
export async function listUserAlertRules(db: Executor): Promise<UserAlertRule[]> {
  const rows = await sql<RuleRow & { entity_count: number }>`
    SELECT ${RULE_COLUMNS},
      CASE WHEN r.entity_kind IS NULL THEN 1
        ELSE (SELECT count(*)::int FROM alert_rules c WHERE c.parent_id = r.id AND c.removed_at IS NULL) END AS entity_count
    FROM alert_rules r LEFT JOIN entities e ON e.id = r.entity_id
    WHERE r.removed_at IS NULL AND r.parent_id IS NULL AND r.kind <> 'digest'
    ORDER BY r.id`.execute(db);
  return rows.rows.map((row) => ({ ...toRule(row), entityCount: row.entity_count }));
}

/**
 * Gives every live kind rule (or only `parentId`) one live entity rule per live entity of its kind, a
 * copy of its definition, and retires the entity rules whose entity was removed or changed kind, or
 * whose kind rule was removed. Safe to run from several evaluators at once. Returns how many entity rules it made.
 */
export async function syncKindAlertRules(db: Executor, parentId?: number): Promise<number> {
  const only = parentId === undefined ? sql`` : sql`AND p.id = ${parentId}`;
  await sql`
    UPDATE alert_rules c SET removed_at = now()
    FROM alert_rules p
    WHERE c.parent_id = p.id AND c.removed_at IS NULL ${only}
      AND (p.removed_at IS NOT NULL
        OR NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = c.entity_id AND e.kind = p.entity_kind AND e.removed_at IS NULL))`.execute(db);
  const made = await sql`
    INSERT INTO alert_rules (name, kind, entity_id, parent_id, source, aspect, polarity, min_engagement, include_words,
      exclude_words, metric, direction, threshold, window_hours, min_mentions, channel, secret, cooldown_minutes, max_per_day, enabled)
    SELECT p.name || ' (' || e.name || ')', p.kind, e.id, p.id, p.source, p.aspect, p.polarity, p.min_engagement, p.include_words,
      p.exclude_words, p.metric, p.direction, p.threshold, p.window_hours, p.min_mentions, p.channel, p.secret,
      p.cooldown_minutes, p.max_per_day, p.enabled
    FROM alert_rules p JOIN entities e ON e.kind = p.entity_kind AND e.removed_at IS NULL
    WHERE p.entity_kind IS NOT NULL AND p.removed_at IS NULL ${only}
      AND NOT EXISTS (SELECT 1 FROM alert_rules c WHERE c.parent_id = p.id AND c.entity_id = e.id AND c.removed_at IS NULL)
    ORDER BY p.id, e.id
    ON CONFLICT (parent_id, entity_id) WHERE parent_id IS NOT NULL AND removed_at IS NULL DO NOTHING
    RETURNING id`.execute(db);
  return made.rows.length;
}

/** A rule by id, removed ones included (their alerts still drain or die in the outbox). */
export async function findAlertRule(db: Executor, id: number): Promise<AlertRuleRecord | undefined> {
  const rows = await sql<RuleRow>`
    SELECT ${RULE_COLUMNS} FROM alert_rules r LEFT JOIN entities e ON e.id = r.entity_id WHERE r.id = ${id}`.execute(db);
  const row = rows.rows[0];
  return row === undefined ? undefined : toRule(row);
}

/**
 * Locks a live rule for one evaluation; undefined when it is gone or another evaluator holds it
 * (that one will judge it, so this one skips rather than waits).
 */
export async function lockAlertRule(db: Executor, id: number): Promise<EntityAlertRule | undefined> {
  const rows = await sql<RuleRow>`
    SELECT ${RULE_COLUMNS} FROM alert_rules r JOIN entities e ON e.id = r.entity_id
    WHERE r.id = ${id} AND r.removed_at IS NULL AND r.enabled
    FOR UPDATE OF r SKIP LOCKED`.execute(db);
  const row = rows.rows[0];
  return row === undefined ? undefined : toEntityRule(row);
}

/**
 * Marks a rule a user made removed, with the entity rules of a kind rule; their history stays for the
 * deliveries already made. False when there was none.
 */
export async function removeAlertRule(db: Executor, id: number): Promise<boolean> {
  // A digest subscription's delivery rule is removed as a subscription (src/db/queries/digests.ts), not here.
  const result = await sql<{ id: number }>`
    UPDATE alert_rules SET removed_at = now()
    WHERE (id = ${id} AND parent_id IS NULL OR parent_id = ${id}) AND kind <> 'digest' AND removed_at IS NULL
    RETURNING id`.execute(db);
  return result.rows.some((row) => row.id === id);
}

/** The rule and, for a kind rule, the entity rules made from it: whose alerts and deliveries are the rule's. */
const ruleFamily = (ruleId: number) => sql`(SELECT id FROM alert_rules WHERE id = ${ruleId} OR parent_id = ${ruleId})`;

export async function saveAlertRuleState(db: Executor, id: number, state: AlertRuleState): Promise<void> {
  await sql`UPDATE alert_rules SET state = ${JSON.stringify(state)}::jsonb WHERE id = ${id}`.execute(db);
}

/** How many alerts a rule sent since `since`, and when it last sent one: the daily limit and the cooldown. */
export async function getRecentAlertCounts(db: Executor, ruleId: number, since: Date): Promise<{ count: number; lastAt: Date | null }> {
  const rows = await sql<{ count: number; last_at: Date | null }>`
    SELECT (count(*) FILTER (WHERE fired_at >= ${since.toISOString()}::timestamptz))::int AS count, max(fired_at) AS last_at
    FROM alerts WHERE rule_id = ${ruleId} AND status = 'queued'`.execute(db);
  const row = rows.rows[0];
  return { count: row?.count ?? 0, lastAt: row?.last_at ? new Date(row.last_at) : null };
}

/** Which of these event keys a rule has already judged (fired or suppressed). */
export async function findJudgedEventKeys(db: Executor, ruleId: number, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await sql<{ event_key: string }>`
    SELECT event_key FROM alerts WHERE rule_id = ${ruleId} AND event_key = ANY(${keys}::text[])`.execute(db);
  return new Set(rows.rows.map((r) => r.event_key));
}

export interface NewAlertRow {
  ruleId: number;
  eventKey: string;
  status: 'queued' | 'suppressed';
  reason: string | null;
  idempotencyKey: string;
  message: unknown;
  firedAt: Date;
}

/**
 * Records an alert and, when it is to be sent, its outbox row, in one statement (the caller's
 * transaction also holds the detection's state). Null when the event was already judged.
 */
export async function insertAlert(db: Executor, alert: NewAlertRow): Promise<number | null> {
  const rows = await sql<{ id: number }>`
    WITH a AS (
      INSERT INTO alerts (rule_id, event_key, status, reason, idempotency_key, message, fired_at)
      VALUES (${alert.ruleId}, ${alert.eventKey}, ${alert.status}, ${alert.reason}, ${alert.idempotencyKey},
              ${JSON.stringify(alert.message)}::jsonb, ${alert.firedAt.toISOString()}::timestamptz)
      ON CONFLICT (rule_id, event_key) DO NOTHING
      RETURNING id, status
    ), o AS (
      INSERT INTO alert_outbox (alert_id, next_attempt_at)
      SELECT id, ${alert.firedAt.toISOString()}::timestamptz FROM a WHERE status = 'queued'
    )
    SELECT id FROM a`.execute(db);
  const row = rows.rows[0];
  return row === undefined ? null : Number(row.id);
}

export interface ClaimedDelivery {
  alertId: number;
  ruleId: number;
  /** This claim's attempt number, from 1. */
  attempt: number;
  idempotencyKey: string;
  message: unknown;
  channel: string;
  secret: string;
  ruleRemoved: boolean;
}

/**
 * Claims due outbox rows for one sender: pending rows whose time has come and rows whose sender's
 * lease ran out (it crashed or hung). SKIP LOCKED lets several workers claim side by side without
 * ever taking the same row; the attempt is counted at the claim, so a row that kills its sender
 * still reaches its retry limit.
 */
export async function claimOutbox(
  db: Executor,
  query: { sender: string; now: Date; leaseMs: number; limit: number },
): Promise<ClaimedDelivery[]> {
  const now = query.now.toISOString();
  const rows = await sql<{
    alert_id: number;
    rule_id: number;
    attempts: number;
    idempotency_key: string;
    message: unknown;
    channel: string;
    secret: string;
    removed: boolean;
  }>`
    WITH due AS (
      SELECT alert_id FROM alert_outbox
      WHERE (status = 'pending' AND next_attempt_at <= ${now}::timestamptz)
         OR (status = 'sending' AND lease_until <= ${now}::timestamptz)
      ORDER BY next_attempt_at, alert_id
      LIMIT ${query.limit}
      FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE alert_outbox o SET status = 'sending', attempts = o.attempts + 1, leased_by = ${query.sender},
        lease_until = ${now}::timestamptz + ${query.leaseMs} * interval '1 millisecond', updated_at = ${now}::timestamptz
      FROM due WHERE o.alert_id = due.alert_id
      RETURNING o.alert_id, o.attempts
    )
    SELECT c.alert_id, a.rule_id, c.attempts, a.idempotency_key, a.message, r.channel, r.secret, r.removed_at IS NOT NULL AS removed
    FROM claimed c JOIN alerts a ON a.id = c.alert_id JOIN alert_rules r ON r.id = a.rule_id
    ORDER BY c.alert_id`.execute(db);
  return rows.rows.map((row) => ({
    alertId: Number(row.alert_id),
    ruleId: row.rule_id,
    attempt: row.attempts,
    idempotencyKey: row.idempotency_key,
    message: typeof row.message === 'string' ? JSON.parse(row.message) : row.message,
    channel: row.channel,
    secret: row.secret,
    ruleRemoved: row.removed,
  }));
}

export interface AttemptRecord {
  ruleId: number;
  alertId: number | null;
  attempt: number;
  at: Date;
  durationMs: number;
  statusCode: number | null;
  outcome: DeliveryOutcome;
  cause: string | null;
}

export async function insertDeliveryAttempt(db: Executor, attempt: AttemptRecord): Promise<void> {
  await sql`
    INSERT INTO alert_deliveries (rule_id, alert_id, attempt, attempted_at, duration_ms, status_code, outcome, cause)
    VALUES (${attempt.ruleId}, ${attempt.alertId}, ${attempt.attempt}, ${attempt.at.toISOString()}::timestamptz,
            ${Math.round(attempt.durationMs)}, ${attempt.statusCode}, ${attempt.outcome}, ${attempt.cause})`.execute(db);
}

/**
 * Records one attempt's end and moves the outbox row on: delivered, dead, or pending again at
 * `nextAttemptAt`. Only the sender holding the lease may settle the row; false when it lost it
 * (its lease ran out and another sender claimed the row), in which case nothing is written.
 */
export async function settleDelivery(
  db: Executor,
  settle: AttemptRecord & { alertId: number; sender: string; nextAttemptAt: Date | null },
): Promise<boolean> {
  const status: OutboxStatus = settle.outcome === 'delivered' ? 'delivered' : settle.outcome === 'retry' ? 'pending' : 'dead';
  const at = settle.at.toISOString();
  const updated = await sql<{ alert_id: number }>`
    UPDATE alert_outbox SET status = ${status}, lease_until = NULL, leased_by = NULL, updated_at = ${at}::timestamptz,
      last_error = ${settle.outcome === 'delivered' ? null : settle.cause},
      delivered_at = ${settle.outcome === 'delivered' ? at : null}::timestamptz,
      next_attempt_at = coalesce(${settle.nextAttemptAt?.toISOString() ?? null}::timestamptz, next_attempt_at)
    WHERE alert_id = ${settle.alertId} AND status = 'sending' AND leased_by = ${settle.sender}
    RETURNING alert_id`.execute(db);
  if (updated.rows.length === 0) return false;
  await insertDeliveryAttempt(db, settle);
  return true;
}

export interface DeliveryView {
  alertId: number | null;
  eventKey: string | null;
  headline: string | null;
  attempt: number;
  attemptedAt: Date;
  durationMs: number;
  statusCode: number | null;
  outcome: DeliveryOutcome;
  cause: string | null;
  /** The alert's outbox status now (null for a test send). */
  status: OutboxStatus | null;
}

/** A rule's latest delivery attempts, newest first. */
export async function listDeliveries(db: Executor, ruleId: number, limit = 50): Promise<DeliveryView[]> {
  const rows = await sql<{
    alert_id: number | null;
    event_key: string | null;
    headline: string | null;
    attempt: number;
    attempted_at: Date;
    duration_ms: number;
    status_code: number | null;
    outcome: DeliveryOutcome;
    cause: string | null;
    status: OutboxStatus | null;
  }>`
    SELECT d.alert_id, a.event_key, a.message->>'headline' AS headline, d.attempt, d.attempted_at, d.duration_ms,
      d.status_code, d.outcome, d.cause, o.status
    FROM alert_deliveries d
    LEFT JOIN alerts a ON a.id = d.alert_id
    LEFT JOIN alert_outbox o ON o.alert_id = d.alert_id
    WHERE d.rule_id IN ${ruleFamily(ruleId)}
    ORDER BY d.attempted_at DESC, d.id DESC
    LIMIT ${limit}`.execute(db);
  return rows.rows.map((row) => ({
    alertId: row.alert_id === null ? null : Number(row.alert_id),
    eventKey: row.event_key,
    headline: row.headline,
    attempt: row.attempt,
    attemptedAt: new Date(row.attempted_at),
    durationMs: row.duration_ms,
    statusCode: row.status_code,
    outcome: row.outcome,
    cause: row.cause,
    status: row.status,
  }));
}

export interface AlertView {
  id: number;
  ruleId: number;
  eventKey: string;
  status: 'queued' | 'suppressed';
  reason: string | null;
  idempotencyKey: string;
  message: unknown;
  firedAt: Date;
  delivery: { status: OutboxStatus; attempts: number; lastError: string | null; deliveredAt: Date | null } | null;
}

/** A rule's alerts, newest first; suppressed ones only when asked. */
export async function listRuleAlerts(
  db: Executor,
  ruleId: number,
  options: { limit?: number; includeSuppressed?: boolean } = {},
): Promise<AlertView[]> {
  const rows = await sql<{
    id: number;
    rule_id: number;
    event_key: string;
    status: 'queued' | 'suppressed';
    reason: string | null;
    idempotency_key: string;
    message: unknown;
    fired_at: Date;
    o_status: OutboxStatus | null;
    attempts: number | null;
    last_error: string | null;
    delivered_at: Date | null;
  }>`
    SELECT a.id, a.rule_id, a.event_key, a.status, a.reason, a.idempotency_key, a.message, a.fired_at,
      o.status AS o_status, o.attempts, o.last_error, o.delivered_at
    FROM alerts a LEFT JOIN alert_outbox o ON o.alert_id = a.id
    WHERE a.rule_id IN ${ruleFamily(ruleId)} ${options.includeSuppressed ? sql`` : sql`AND a.status = 'queued'`}
    ORDER BY a.fired_at DESC, a.id DESC
    LIMIT ${options.limit ?? 50}`.execute(db);
  return rows.rows.map((row) => ({
    id: Number(row.id),
    ruleId: row.rule_id,
    eventKey: row.event_key,
    status: row.status,
    reason: row.reason,
    idempotencyKey: row.idempotency_key,
    message: typeof row.message === 'string' ? JSON.parse(row.message) : row.message,
    firedAt: new Date(row.fired_at),
    delivery:
      row.o_status === null
        ? null
        : {
            status: row.o_status,
            attempts: row.attempts ?? 0,
            lastError: row.last_error,
            deliveredAt: row.delivered_at ? new Date(row.delivered_at) : null,
          },
  }));
}

/** Per rule (a kind rule's entity rules counted in it): alerts sent, delivered, dead and waiting, and the last one's time. */
export async function getAlertRuleStats(
  db: Executor,
): Promise<Map<number, { fired: number; delivered: number; dead: number; pending: number; lastFiredAt: Date | null }>> {
  const rows = await sql<{ rule_id: number; fired: number; delivered: number; dead: number; pending: number; last_fired_at: Date | null }>`
    SELECT coalesce(r.parent_id, a.rule_id) AS rule_id, count(*)::int AS fired,
      (count(*) FILTER (WHERE o.status = 'delivered'))::int AS delivered,
      (count(*) FILTER (WHERE o.status = 'dead'))::int AS dead,
      (count(*) FILTER (WHERE o.status IN ('pending', 'sending')))::int AS pending,
      max(a.fired_at) AS last_fired_at
    FROM alerts a JOIN alert_outbox o ON o.alert_id = a.id JOIN alert_rules r ON r.id = a.rule_id
    GROUP BY coalesce(r.parent_id, a.rule_id)`.execute(db);
  return new Map(
    rows.rows.map((r) => [
      r.rule_id,
      {
        fired: r.fired,
        delivered: r.delivered,
        dead: r.dead,
        pending: r.pending,
        lastFiredAt: r.last_fired_at ? new Date(r.last_fired_at) : null,
      },
    ]),
  );
}

/** Outbox rows of these alerts by status, for `alerts run` to report what its deliveries did. */
export async function getOutboxStatuses(db: Executor, alertIds: number[]): Promise<Map<number, OutboxStatus>> {
  if (alertIds.length === 0) return new Map();
  const rows = await sql<{ alert_id: number; status: OutboxStatus }>`
    SELECT alert_id, status FROM alert_outbox WHERE alert_id = ANY(${alertIds}::bigint[])`.execute(db);
  return new Map(rows.rows.map((r) => [Number(r.alert_id), r.status]));
}

export interface MentionCandidate {
  postId: number;
  source: string;
  url: string | null;
  title: string | null;
  body: string;
  createdAt: Date;
  fetchedAt: Date;
  label: SentimentLabel;
  score: number;
  engagement: number;
  aspects: string[];
}

export interface MentionCandidateQuery {
  entityId: number;
  /** Posts fetched at or after this time... */
  fetchedSince: Date;
  /** ...and written at or after this one (history imported today is not news). */
  createdSince: Date;
  source: string | null;
  polarity: SentimentLabel | null;
  aspect: string | null;
  minEngagement: number | null;
  /** Any of these words in title or body (case-insensitive, literal); empty: no condition. */
  includeWords: string[];
  /** None of these words. */
  excludeWords: string[];
  ruleId: number;
  limit: number;
}

/** An entity's mentions that pass a mention rule's filters and that the rule has not judged yet, oldest fetch first. */
export async function listMentionCandidates(db: Executor, query: MentionCandidateQuery): Promise<MentionCandidate[]> {
  const text = sql`(coalesce(p.title, '') || ' ' || p.body)`;
  const include = query.includeWords.map((w) => sql`${text} ILIKE ${toLikePattern(w)}`);
  const exclude = query.excludeWords.map((w) => sql`${text} ILIKE ${toLikePattern(w)}`);
  const rows = await sql<{
    post_id: number;
    source: string;
    url: string | null;
    title: string | null;
    body: string;
    created_at: Date;
    fetched_at: Date;
    label: SentimentLabel;
    score: number;
    engagement: number;
    aspects: string[] | null;
  }>`
    SELECT m.post_id, p.source, p.url, p.title, p.body, m.created_at, p.fetched_at, m.label, m.score, m.engagement,
      (SELECT array_agg(a.aspect ORDER BY a.aspect) FROM mention_aspects a WHERE a.post_id = m.post_id AND a.entity_id = m.entity_id) AS aspects
    FROM mentions m JOIN posts p ON p.id = m.post_id
    WHERE m.entity_id = ${query.entityId}
      AND p.fetched_at >= ${query.fetchedSince.toISOString()}::timestamptz
      AND m.created_at >= ${query.createdSince.toISOString()}::timestamptz
      AND p.duplicate_of IS NULL
      ${query.source === null ? sql`` : sql`AND m.source = ${query.source}`}
      ${query.polarity === null ? sql`` : sql`AND m.label = ${query.polarity}`}
      ${query.minEngagement === null ? sql`` : sql`AND m.engagement >= ${query.minEngagement}`}
      ${query.aspect === null ? sql`` : sql`AND EXISTS (SELECT 1 FROM mention_aspects a WHERE a.post_id = m.post_id AND a.entity_id = m.entity_id AND a.aspect = ${query.aspect})`}
      ${include.length === 0 ? sql`` : sql`AND (${sql.join(include, sql` OR `)})`}
      ${exclude.length === 0 ? sql`` : sql`AND NOT (${sql.join(exclude, sql` OR `)})`}
      AND NOT EXISTS (SELECT 1 FROM alerts al WHERE al.rule_id = ${query.ruleId} AND al.event_key = 'mention:' || m.post_id)
    ORDER BY p.fetched_at, m.post_id
    LIMIT ${query.limit}`.execute(db);
  return rows.rows.map((row) => ({
    postId: Number(row.post_id),
    source: row.source,
    url: row.url,
    title: row.title,
    body: row.body,
    createdAt: new Date(row.created_at),
    fetchedAt: new Date(row.fetched_at),
    label: row.label,
    score: Number(row.score),
    engagement: row.engagement,
    aspects: row.aspects ?? [],
  }));
}

export interface PostSummary {
  postId: number;
  source: string;
  url: string | null;
  title: string | null;
  body: string;
  createdAt: Date;
  label: SentimentLabel | null;
}

/** Posts by id with the entity's label on each, in the order given. */
export async function listPostSummaries(db: Executor, entityId: number, postIds: number[]): Promise<PostSummary[]> {
  if (postIds.length === 0) return [];
  const rows = await sql<{
    id: number;
    source: string;
    url: string | null;
    title: string | null;
    body: string;
    created_at: Date;
    label: SentimentLabel | null;
  }>`
    SELECT p.id, p.source, p.url, p.title, p.body, p.created_at,
      (SELECT m.label FROM mentions m WHERE m.post_id = p.id AND m.entity_id = ${entityId} LIMIT 1) AS label
    FROM posts p WHERE p.id = ANY(${postIds}::bigint[])`.execute(db);
  const byId = new Map(rows.rows.map((r) => [Number(r.id), r]));
  return postIds.flatMap((id) => {
    const row = byId.get(id);
    return row
      ? [
          {
            postId: id,
            source: row.source,
            url: row.url,
            title: row.title,
            body: row.body,
            createdAt: new Date(row.created_at),
            label: row.label,
          },
        ]
      : [];
  });
}

/** Spike events of an entity detected for days at or after `since`. */
/** Events of one kind (spike, regression) of these entities since `since`, oldest first, with the entity each belongs to. */
export async function listEventsOfKind(
  db: Executor,
  kind: 'spike' | 'regression',
  entityIds: number[],
  since: Date,
): Promise<Array<{ id: number; entityId: number; externalId: string; title: string; occurredAt: Date; details: Record<string, unknown> }>> {
  if (entityIds.length === 0) return [];
  const rows = await sql<{
    id: number;
    entity_id: number;
    external_id: string;
    title: string;
    occurred_at: Date;
    details: Record<string, unknown> | string;
  }>`
    SELECT id, entity_id, external_id, title, occurred_at, details FROM events
    WHERE entity_id = ANY(${entityIds}::int[]) AND kind = ${kind} AND occurred_at >= ${since.toISOString()}::timestamptz
    ORDER BY occurred_at, id`.execute(db);
  return rows.rows.map((row) => ({
    id: Number(row.id),
    entityId: Number(row.entity_id),
    externalId: row.external_id,
    title: row.title,
    occurredAt: new Date(row.occurred_at),
    details: typeof row.details === 'string' ? (JSON.parse(row.details) as Record<string, unknown>) : row.details,
  }));
}

/**
 * Per entity, when the latest post mentioning it (written since `createdSince`, not a duplicate) was
 * fetched, for posts fetched since `fetchedSince`: the entities a mention rule has nothing new for are
 * absent.
 */
export async function getLatestFetchedByEntity(
  db: Executor,
  query: { entityIds: number[]; fetchedSince: Date; createdSince: Date },
): Promise<Map<number, Date>> {
  if (query.entityIds.length === 0) return new Map();
  // From the posts fetched since (posts_fetched_at_idx): a few between two runs, whatever the history.
  const rows = await sql<{ entity_id: number; latest: Date }>`
    SELECT m.entity_id, max(p.fetched_at) AS latest
    FROM posts p JOIN mentions m ON m.post_id = p.id
    WHERE p.fetched_at >= ${query.fetchedSince.toISOString()}::timestamptz
      AND p.duplicate_of IS NULL
      AND m.entity_id = ANY(${query.entityIds}::int[])
      AND m.created_at >= ${query.createdSince.toISOString()}::timestamptz
    GROUP BY 1`.execute(db);
  return new Map(rows.rows.map((row) => [Number(row.entity_id), new Date(row.latest)]));
}

/** Moves the mention cursor of these rules to `at`, never backwards (another evaluator may be ahead). */
export async function advanceMentionCursors(db: Executor, ruleIds: number[], at: Date): Promise<void> {
  if (ruleIds.length === 0) return;
  await sql`
    UPDATE alert_rules SET state = jsonb_set(state, '{mentionCursor}', to_jsonb(${at.toISOString()}::text))
    WHERE id = ANY(${ruleIds}::int[])
      AND (state->>'mentionCursor' IS NULL OR (state->>'mentionCursor')::timestamptz < ${at.toISOString()}::timestamptz)`.execute(db);
}

/** The database's clock at the start of the current transaction: the clock that stamps posts.fetched_at. */
export async function getDatabaseNow(db: Executor): Promise<Date> {
  const rows = await sql<{ now: Date }>`SELECT now() AS now`.execute(db);
  return new Date(rows.rows[0]?.now ?? Date.now());
}

/** The most engaged posts of an entity in [from, to) that name an aspect, optionally with one polarity on it. */
export async function listTopAspectPostIds(
  db: Executor,
  query: { entityId: number; aspect: string; from: Date; to: Date; polarity: SentimentLabel | null; source: string | null; limit: number },
): Promise<number[]> {
  const rows = await sql<{ post_id: number }>`
    SELECT a.post_id FROM mention_aspects a
    JOIN mentions m ON m.post_id = a.post_id AND m.entity_id = a.entity_id
    WHERE a.entity_id = ${query.entityId} AND a.aspect = ${query.aspect}
      AND a.created_at >= ${query.from.toISOString()}::timestamptz AND a.created_at < ${query.to.toISOString()}::timestamptz
      ${query.polarity === null ? sql`` : sql`AND a.polarity = ${query.polarity}`}
      ${query.source === null ? sql`` : sql`AND a.source = ${query.source}`}
    ORDER BY m.engagement DESC, a.created_at DESC, a.post_id DESC
    LIMIT ${query.limit}`.execute(db);
  return rows.rows.map((r) => Number(r.post_id));
}

/**
 * On the embedded database one process owns the data: rows left 'sending' were being sent by a
 * process that died (SIGKILL, a crash). They are due again at once, with the same idempotency key;
 * on a server, their lease running out does the same.
 */
export async function releaseInterruptedDeliveries(db: Executor): Promise<number> {
  const rows = await sql<{ alert_id: number }>`
    UPDATE alert_outbox SET status = 'pending', lease_until = NULL, leased_by = NULL, next_attempt_at = now(), updated_at = now()
    WHERE status = 'sending' RETURNING alert_id`.execute(db);
  return rows.rows.length;
}
