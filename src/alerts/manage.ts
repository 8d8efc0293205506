import type { Kysely } from 'kysely';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import {
  findAlertRule,
  getAlertRuleStats,
  insertAlertRule,
  insertDeliveryAttempt,
  listAlertRules,
  removeAlertRule,
  type AlertRuleRecord,
} from '../db/queries/alerts.ts';
import { findEntity } from '../db/queries/entities.ts';
import type { DB } from '../db/schema.ts';
import { deliver, describeChannel, parseChannel, type DeliveryOutcome } from './channels/index.ts';
import { dashboardLink } from './compose.ts';
import type { AlertMessage } from './message.ts';
import { NewAlertRuleInput, resolveRule } from './rules.ts';

/** Where deliveries go out and how: SMTP for e-mail, the dashboard's address for links. */
export interface DeliverySettings {
  publicUrl: string;
  smtp?: { url: string; from: string } | undefined;
  /** Per attempt; the channel's default (10 s) when left out. */
  timeoutMs?: number;
}

/**
 * A rule as the API and CLI show it: the channel only in its masked form, the secret never
 * (it is shown once, when generated).
 */
export function presentAlertRule(
  rule: AlertRuleRecord,
  stats?: { fired: number; delivered: number; dead: number; pending: number; lastFiredAt: Date | null },
) {
  return {
    id: rule.id,
    name: rule.name,
    kind: rule.kind,
    entity: rule.entity.slug,
    channel: describeChannel(rule.channel),
    filters: {
      source: rule.source,
      aspect: rule.aspect,
      polarity: rule.polarity,
      minEngagement: rule.minEngagement,
      include: rule.includeWords,
      exclude: rule.excludeWords,
    },
    metric: rule.metric,
    direction: rule.direction,
    threshold: rule.threshold,
    windowHours: rule.windowHours,
    minMentions: rule.minMentions,
    cooldownMinutes: rule.cooldownMinutes,
    maxPerDay: rule.maxPerDay,
    enabled: rule.enabled,
    createdAt: rule.createdAt.toISOString(),
    alerts: {
      fired: stats?.fired ?? 0,
      delivered: stats?.delivered ?? 0,
      dead: stats?.dead ?? 0,
      pending: stats?.pending ?? 0,
      lastFiredAt: stats?.lastFiredAt?.toISOString() ?? null,
    },
  };
}
export type AlertRuleView = ReturnType<typeof presentAlertRule>;

export async function listAlertRuleViews(db: Kysely<DB>): Promise<AlertRuleView[]> {
  const [rules, stats] = await Promise.all([listAlertRules(db), getAlertRuleStats(db)]);
  return rules.map((rule) => presentAlertRule(rule, stats.get(rule.id)));
}

/**
 * Adds a rule from API or CLI input (already parsed by NewAlertRuleInput). The secret is returned
 * so the caller can show it once when it was generated; it is never shown again.
 */
export async function addAlertRule(
  db: Kysely<DB>,
  input: NewAlertRuleInput,
): Promise<{ rule: AlertRuleRecord; secret: string; secretGenerated: boolean }> {
  const parsed = NewAlertRuleInput.parse(input);
  parseChannel(parsed.channel);
  const entity = await findEntity(db, parsed.entity);
  if (!entity) throw new NotFoundError(`no entity with slug "${parsed.entity}"`);
  const resolved = resolveRule(parsed, entity.name);
  const { secretGenerated, ...row } = resolved;
  const rule = await insertAlertRule(db, { ...row, entityId: entity.id, state: {} });
  return { rule, secret: resolved.secret, secretGenerated };
}

export async function removeAlertRuleById(db: Kysely<DB>, id: number): Promise<void> {
  if (!(await removeAlertRule(db, id))) throw new NotFoundError(`no alert rule ${id}`);
}

/** A live rule, or NotFoundError. */
export async function requireAlertRule(db: Kysely<DB>, id: number): Promise<AlertRuleRecord> {
  const rule = await findAlertRule(db, id);
  if (!rule || rule.removedAt !== null) throw new NotFoundError(`no alert rule ${id}`);
  return rule;
}

/** A sample of what the rule sends, marked as a test, with a key of its own. */
export function buildTestMessage(rule: AlertRuleRecord, publicUrl: string, now: Date): AlertMessage {
  return {
    id: `test-${rule.id}-${now.getTime()}`,
    rule: { id: rule.id, kind: rule.kind, name: rule.name },
    entity: { slug: rule.entity.slug, name: rule.entity.name },
    headline: `Test of "${rule.name}": this is what an alert of this rule looks like`,
    summary: 'A sample sent by `vibecheck alerts test` (or POST /api/v1/alerts/{id}/test); no event fired it.',
    figures: [{ label: 'Mean sentiment', value: '+0.10 -> -0.12', detail: 'sample figures, not measured' }],
    posts: [],
    dashboardUrl: dashboardLink(publicUrl, rule.entity.slug),
    firedAt: now.toISOString(),
    test: true,
  };
}

/** Sends a sample through the rule's channel now, outside the outbox, and records the attempt. */
export async function sendTestAlert(
  db: Kysely<DB>,
  id: number,
  settings: DeliverySettings,
): Promise<DeliveryOutcome & { durationMs: number }> {
  const rule = await requireAlertRule(db, id);
  const now = new Date();
  const started = performance.now();
  let outcome: DeliveryOutcome;
  try {
    outcome = await deliver(parseChannel(rule.channel), buildTestMessage(rule, settings.publicUrl, now), {
      secret: rule.secret,
      smtp: settings.smtp,
      ...(settings.timeoutMs ? { timeoutMs: settings.timeoutMs } : {}),
    });
  } catch (error) {
    if (error instanceof ValidationError) outcome = { ok: false, retryable: false, cause: error.message };
    else throw error;
  }
  const durationMs = performance.now() - started;
  await insertDeliveryAttempt(db, {
    ruleId: rule.id,
    alertId: null,
    attempt: 1,
    at: now,
    durationMs,
    statusCode: outcome.ok ? outcome.status : (outcome.status ?? null),
    outcome: outcome.ok ? 'delivered' : 'failed',
    cause: outcome.ok ? 'test' : `test: ${outcome.cause}`,
  });
  return { ...outcome, durationMs };
}
