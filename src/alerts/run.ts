import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { evaluateAlertRules, type FiredAlert } from './evaluate.ts';
import type { DeliverySettings } from './manage.ts';
import { deliverDueAlerts, type OutboxOptions } from './outbox.ts';
import { queueDueDigests, type QueuedDigest } from './subscriptions.ts';

export interface AlertRunResult {
  /** Alerts queued for sending in this run, with what their delivery attempts in this run came to. */
  fired: Array<FiredAlert & { delivered: number; failed: number }>;
  /** Events seen but held back (cooldown, daily limit, a spike continuing one already sent). */
  suppressed: FiredAlert[];
  /** Digests of subscriptions whose period came due, queued in this run. */
  digests: QueuedDigest[];
  delivery: { delivered: number; retried: number; dead: number };
}

/**
 * What the schedule does every few minutes and `vibecheck alerts run` does once: judge every rule,
 * queue the digests whose period came due, then send what is due (this run's alerts and digests,
 * and earlier retries that came due).
 */
export async function runAlerts(
  db: Kysely<DB>,
  settings: DeliverySettings & Omit<OutboxOptions, keyof DeliverySettings>,
  options: {
    now?: Date;
    onRuleError?: (ruleId: number, error: unknown) => void;
    onDigestError?: (subscription: number, error: unknown) => void;
  } = {},
): Promise<AlertRunResult> {
  const judged = await evaluateAlertRules(db, {
    publicUrl: settings.publicUrl,
    ...(options.now ? { now: options.now } : {}),
    ...(options.onRuleError ? { onRuleError: options.onRuleError } : {}),
  });
  const digests = await queueDueDigests(db, {
    publicUrl: settings.publicUrl,
    ...(options.now ? { now: options.now } : {}),
    onError: options.onDigestError ?? ((subscription, error) => options.onRuleError?.(subscription, error)),
  });
  const sent = await deliverDueAlerts(db, settings);
  const queued = judged.filter((alert) => alert.status === 'queued');
  return {
    fired: queued.map((alert) => ({ ...alert, ...(sent.byAlert.get(alert.alertId) ?? { delivered: 0, failed: 0 }) })),
    suppressed: judged.filter((alert) => alert.status === 'suppressed'),
    digests,
    delivery: { delivered: sent.delivered, retried: sent.retried, dead: sent.dead },
  };
}
