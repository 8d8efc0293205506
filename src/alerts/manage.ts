import type { Kysely } from 'kysely';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import {
  findAlertRule,
  getAlertRuleStats,
  insertAlertRule,
  insertDeliveryAttempt,
  listUserAlertRules,
  removeAlertRule,
  syncKindAlertRules,
  type AlertRuleRecord,
} from '../db/queries/alerts.ts';
import { findEntity } from '../db/queries/entities.ts';
import type { DB } from '../db/schema.ts';
import { deliver, describeChannel, parseChannel, type DeliveryOutcome } from './channels/index.ts';
import { dashboardLink } from './compose.ts';
import type { AlertMessage } from './message.ts';
import { KIND_PLURAL, NewAlertRuleInput, resolveRule } from './rules.ts';

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
  rule: AlertRuleRecord & { entityCount: number },
  stats?: { fired: number; delivered: number; dead: number; pending: number; lastFiredAt: Date | null },
) {
  return {
    id: rule.id,
    name: rule.name,
    kind: rule.kind,
    entity: rule.entity?.slug ?? null,
    entityKind: rule.entityKind,
    /** How many entities the rule watches now: 1, or a kind rule's entities of its kind. */
    entities: rule.entityCount,
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
  const [rules, stats] = await Promise.all([listUserAlertRules(db), getAlertRuleStats(db)]);
  return rules.map((rule) => presentAlertRule(rule, stats.get(rule.id)));
}

/**
 * Adds a rule from API or CLI input (already parsed by NewAlertRuleInput). The secret is returned
 * so the caller can show it once when it was generated; it is never shown again.
 */
export async function addAlertRule(
  db: Kysely<DB>,
  input: NewAlertRuleInput,
): Promise<{ rule: AlertRuleRecord & { entityCount: number }; secret: string; secretGenerated: boolean }> {
  const parsed = NewAlertRuleInput.parse(input);
  parseChannel(parsed.channel);
  if (parsed.entityKind !== undefined) {
    const { secretGenerated, ...row } = resolveRule(parsed, KIND_PLURAL[parsed.entityKind]);
    // The kind rule and its entity rules commit together: a rule half made would watch fewer entities than it says.
    const rule = await db.transaction().execute(async (trx) => {
      const made = await insertAlertRule(trx, { ...row, entityId: null, state: {} });
      return { ...made, entityCount: await syncKindAlertRules(trx, made.id) };
    });
    return { rule, secret: row.secret, secretGenerated };
  }
  const slug = parsed.entity ?? '';
  const entity = await findEntity(db, slug);
  if (!entity) throw new NotFoundError(`no entity with slug "${slug}"`);
  const { secretGenerated, ...row } = resolveRule(parsed, entity.name);
  const rule = await insertAlertRule(db, { ...row, entityId: entity.id, state: {} });
  return { rule: { ...rule, entityCount: 1 }, secret: row.secret, secretGenerated };
}

export async function removeAlertRuleById(db: Kysely<DB>, id: number): Promise<void> {
  const rule = await findAlertRule(db, id);
  if (rule?.parentId != null && rule.removedAt === null) {
    throw new ValidationError(
      `alert rule ${id} is kind rule ${rule.parentId}'s rule for ${rule.entity?.name ?? 'one entity'}: remove rule ${rule.parentId}`,
    );
  }
  if (!(await removeAlertRule(db, id))) throw new NotFoundError(`no alert rule ${id}`);
}

/** Where a rule's messages point in the dashboard: its entity's page, or the overview for a kind rule. */
export function ruleDashboardLink(publicUrl: string, rule: AlertRuleRecord): string {
  return rule.entity ? dashboardLink(publicUrl, rule.entity.slug) : new URL(publicUrl).toString();
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
    entity: rule.entity ?? { slug: '', name: rule.entityKind ? KIND_PLURAL[rule.entityKind] : '' },
    headline: `Test of "${rule.name}": this is what an alert of this rule looks like`,
    summary: 'A sample sent by `vibecheck alerts test` (or POST /api/v1/alerts/{id}/test); no event fired it.',
    figures: [{ label: 'Mean sentiment', value: '+0.10 -> -0.12', detail: 'sample figures, not measured' }],
    posts: [],
    dashboardUrl: ruleDashboardLink(publicUrl, rule),
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
