import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { messageOf } from '../core/errors.ts';
import { claimOutbox, settleDelivery, type ClaimedDelivery, type DeliveryOutcome as AttemptOutcome } from '../db/queries/alerts.ts';
import type { DB } from '../db/schema.ts';
import { deliver, parseChannel, type DeliveryOutcome } from './channels/index.ts';
import type { DeliverySettings } from './manage.ts';
import type { AlertMessage } from './message.ts';

export interface OutboxOptions extends DeliverySettings {
  /** Who claims rows (a lease holder's name); a random one per call when left out. */
  sender?: string;
  /** How long a claimed row is this sender's; past it another sender takes it over. */
  leaseMs?: number;
  /** Attempts before an alert is dead-lettered. */
  maxAttempts?: number;
  /** The first retry's delay; each further retry doubles it, up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Rows claimed at once. */
  batchSize?: number;
  signal?: AbortSignal;
  now?: () => Date;
}

interface OutboxLimits {
  leaseMs: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  batchSize: number;
}

export const DEFAULT_OUTBOX: Readonly<OutboxLimits> = Object.freeze({
  leaseMs: 60_000,
  maxAttempts: 8,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  batchSize: 20,
});

export interface OutboxRunResult {
  delivered: number;
  retried: number;
  dead: number;
  /** Attempts whose row another sender took over meanwhile (this one's lease ran out). */
  lostLease: number;
  /** Per alert: attempts made in this run that delivered and that failed. */
  byAlert: Map<number, { delivered: number; failed: number }>;
}

/** Exponential backoff from the attempt number (1-based), stretched to what a Retry-After asked. */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  options: { baseDelayMs: number; maxDelayMs: number },
): number {
  const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return retryAfterMs === undefined ? backoff : Math.min(options.maxDelayMs, Math.max(backoff, retryAfterMs));
}

/** The stored message: written by evaluation from the AlertMessage type, so it is read back as one. */
const asMessage = (stored: unknown): AlertMessage => stored as AlertMessage;

/**
 * Sends every due alert of the outbox: claims a batch under a lease (SKIP LOCKED, so any number of
 * senders share the work without taking the same row), attempts each through its rule's channel
 * with the alert's fixed idempotency key, and records the attempt. Retryable failures wait with
 * exponential backoff (Retry-After honoured); past maxAttempts, or on a failure that would
 * fail again, the alert is dead with its cause.
 */
export async function deliverDueAlerts(db: Kysely<DB>, options: OutboxOptions): Promise<OutboxRunResult> {
  const settings: OutboxLimits = {
    leaseMs: options.leaseMs ?? DEFAULT_OUTBOX.leaseMs,
    maxAttempts: options.maxAttempts ?? DEFAULT_OUTBOX.maxAttempts,
    baseDelayMs: options.baseDelayMs ?? DEFAULT_OUTBOX.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_OUTBOX.maxDelayMs,
    batchSize: options.batchSize ?? DEFAULT_OUTBOX.batchSize,
  };
  const sender = options.sender ?? `sender-${randomUUID()}`;
  const now = options.now ?? (() => new Date());
  const result: OutboxRunResult = { delivered: 0, retried: 0, dead: 0, lostLease: 0, byAlert: new Map() };
  while (!options.signal?.aborted) {
    const claimed = await claimOutbox(db, { sender, now: now(), leaseMs: settings.leaseMs, limit: settings.batchSize });
    if (claimed.length === 0) break;
    for (const row of claimed) {
      if (options.signal?.aborted) break;
      await attempt(db, row, sender, settings, now, result, options);
    }
  }
  return result;
}

async function attempt(
  db: Kysely<DB>,
  row: ClaimedDelivery,
  sender: string,
  settings: OutboxLimits,
  now: () => Date,
  result: OutboxRunResult,
  options: OutboxOptions,
): Promise<void> {
  const at = now();
  const started = performance.now();
  let outcome: DeliveryOutcome;
  if (row.ruleRemoved) {
    outcome = { ok: false, retryable: false, cause: 'the rule was removed before this alert was delivered' };
  } else {
    try {
      outcome = await deliver(parseChannel(row.channel), asMessage(row.message), {
        secret: row.secret,
        smtp: options.smtp,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      outcome = { ok: false, retryable: false, cause: messageOf(error) };
    }
  }
  const durationMs = performance.now() - started;
  let kind: AttemptOutcome;
  let cause: string | null = null;
  let nextAttemptAt: Date | null = null;
  if (outcome.ok) {
    kind = 'delivered';
  } else if (outcome.retryable && row.attempt < settings.maxAttempts) {
    kind = 'retry';
    cause = outcome.cause;
    nextAttemptAt = new Date(now().getTime() + retryDelayMs(row.attempt, outcome.retryAfterMs, settings));
  } else {
    kind = 'dead';
    cause = outcome.retryable ? `gave up after ${row.attempt} attempts: ${outcome.cause}` : outcome.cause;
  }
  const settled = await settleDelivery(db, {
    ruleId: row.ruleId,
    alertId: row.alertId,
    attempt: row.attempt,
    at,
    durationMs,
    statusCode: outcome.ok ? outcome.status : (outcome.status ?? null),
    outcome: kind,
    cause,
    sender,
    nextAttemptAt,
  });
  if (!settled) {
    result.lostLease += 1;
    return;
  }
  const counts = result.byAlert.get(row.alertId) ?? { delivered: 0, failed: 0 };
  if (kind === 'delivered') counts.delivered += 1;
  else counts.failed += 1;
  result.byAlert.set(row.alertId, counts);
  if (kind === 'delivered') result.delivered += 1;
  else if (kind === 'retry') result.retried += 1;
  else result.dead += 1;
}
