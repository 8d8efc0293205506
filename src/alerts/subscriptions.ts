import type { Kysely } from 'kysely';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { EntityKind, EntitySlug } from '../core/entity.ts';
import { formatScore } from '../core/explain.ts';
import { insertAlert } from '../db/queries/alerts.ts';
import {
  findDigestSubscription,
  getDigestStats,
  insertDigestSubscription,
  listDigestSubscriptions,
  lockDueDigestSubscription,
  markDigestPeriod,
  removeDigestSubscription,
  type DigestCadence,
  type DigestSubscriptionRecord,
} from '../db/queries/digests.ts';
import { listEntities, type Executor } from '../db/queries/entities.ts';
import type { DB } from '../db/schema.ts';
import { describeChannel, parseChannel } from './channels/index.ts';
import { formatPValue, toExcerpt } from './compose.ts';
import { idempotencyKeyOf } from './decide.ts';
import { buildDigest, type Digest } from './digest.ts';
import type { DeliverySettings } from './manage.ts';
import type { AlertDigestPeriod, AlertFigure, AlertMessage } from './message.ts';
import { deliverDueAlerts, type OutboxOptions } from './outbox.ts';
import { ChannelUrl, SigningSecret, generateSecret } from './rules.ts';

/**
 * Digest subscriptions: the digest of each past day or ISO week, for some entities or kinds of entity,
 * queued into the alert outbox once per period and sent by the same delivery code as alerts.
 */

export const DigestCadenceInput = z.enum(['daily', 'weekly']);

export const NewDigestSubscriptionInput = z
  .object({
    channel: ChannelUrl,
    cadence: DigestCadenceInput.default('daily').describe(
      'daily: the previous UTC day; weekly: the previous ISO week, Monday to Monday (default daily)',
    ),
    entities: z
      .array(EntitySlug)
      .max(200)
      .optional()
      .describe('entity slugs the digest covers (with kinds: either; both empty: every entity)'),
    kinds: z
      .array(EntityKind)
      .max(3)
      .optional()
      .describe('entity kinds the digest covers: every model, tool or vendor, those added later too'),
    hourUtc: z
      .number()
      .int()
      .min(0, 'an hour from 0 to 23')
      .max(23, 'an hour from 0 to 23')
      .optional()
      .describe('the UTC hour after the period ends at which its digest goes out (default 8)'),
    name: z.string().trim().min(1).max(200).optional().describe('a name for the subscription (default from its cadence and selection)'),
    secret: SigningSecret,
  })
  .strict();
export type NewDigestSubscriptionInput = z.input<typeof NewDigestSubscriptionInput>;

const DAY_MS = 86_400_000;
export const DEFAULT_DIGEST_HOUR = 8;

export interface DigestPeriod {
  cadence: DigestCadence;
  /** '2026-03-14' or '2026-W11': the event key's period, one digest each. */
  key: string;
  from: Date;
  to: Date;
}

const startOfUtcDay = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));

/** The ISO week label of the week starting on this Monday: the week belongs to the year of its Thursday. */
export function isoWeekKey(monday: Date): string {
  const thursday = new Date(monday.getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * The latest period whose digest is due at `now`: the previous UTC day (or ISO week, Monday to
 * Monday) once `hourUtc` of the day (or Monday) after it has come; before that hour, the period
 * before it.
 */
export function dueDigestPeriod(cadence: DigestCadence, hourUtc: number, now: Date): DigestPeriod {
  const today = startOfUtcDay(now);
  if (cadence === 'daily') {
    let to = today;
    if (now.getTime() < to.getTime() + hourUtc * 3_600_000) to = new Date(to.getTime() - DAY_MS);
    const from = new Date(to.getTime() - DAY_MS);
    return { cadence, key: from.toISOString().slice(0, 10), from, to };
  }
  const sinceMonday = (today.getUTCDay() + 6) % 7;
  let to = new Date(today.getTime() - sinceMonday * DAY_MS);
  if (now.getTime() < to.getTime() + hourUtc * 3_600_000) to = new Date(to.getTime() - 7 * DAY_MS);
  const from = new Date(to.getTime() - 7 * DAY_MS);
  return { cadence, key: isoWeekKey(from), from, to };
}

/** At most this many periods missed while nothing ran are sent late, oldest first, before the one due now. */
export const MAX_LATE_DIGESTS: Record<DigestCadence, number> = { daily: 7, weekly: 4 };

/**
 * The periods whose digest is due at `now` and not yet queued, oldest first: the one due now and the
 * ones after `lastPeriod` missed while nothing ran (at most MAX_LATE_DIGESTS of them). Keys sort as
 * their periods do ('2026-03-14', '2026-W11'). Without a last period, only the one due now.
 */
export function dueDigestPeriods(cadence: DigestCadence, hourUtc: number, now: Date, lastPeriod: string | null): DigestPeriod[] {
  const step = (cadence === 'daily' ? 1 : 7) * DAY_MS;
  const due: DigestPeriod[] = [];
  let period = dueDigestPeriod(cadence, hourUtc, now);
  while ((lastPeriod === null ? due.length < 1 : period.key > lastPeriod) && due.length <= MAX_LATE_DIGESTS[cadence]) {
    due.unshift(period);
    const to = period.from;
    const from = new Date(to.getTime() - step);
    period = { cadence, key: cadence === 'daily' ? from.toISOString().slice(0, 10) : isoWeekKey(from), from, to };
  }
  return due;
}

/** The entity slugs a subscription covers now; null for every entity. */
async function selectedSlugs(db: Executor, subscription: Pick<DigestSubscriptionRecord, 'entities' | 'kinds'>): Promise<string[] | null> {
  if (subscription.entities.length === 0 && subscription.kinds.length === 0) return null;
  const all = await listEntities(db);
  const wanted = new Set(subscription.entities);
  const kinds = new Set(subscription.kinds);
  // An entity removed since the subscription was made is left out rather than failing the digest.
  return all.filter((e) => wanted.has(e.slug) || kinds.has(e.kind)).map((e) => e.slug);
}

export function describeSelection(subscription: Pick<DigestSubscriptionRecord, 'entities' | 'kinds'>): { slug: string; name: string } {
  const parts = [...subscription.entities, ...subscription.kinds.map((k) => `kind:${k}`)];
  if (parts.length === 0) return { slug: 'all', name: 'every entity' };
  const names = [...subscription.entities, ...subscription.kinds.map((k) => `every ${k}`)];
  return { slug: parts.join(','), name: names.join(', ') };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The digest as one outbox message: movers, spikes and events as figures, the most discussed posts as posts. */
export function composeDigestMessage(
  subscription: Pick<DigestSubscriptionRecord, 'id' | 'name' | 'entities' | 'kinds'>,
  digest: Digest,
  period: AlertDigestPeriod,
  options: { id: string; publicUrl: string; firedAt: Date },
): AlertMessage {
  const score = (value: number | null) => (value === null ? 'n/a' : formatScore(value));
  const figures: AlertFigure[] = [];
  for (const m of digest.movers) {
    const interval =
      m.changeLow !== null && m.changeHigh !== null ? `95% interval of the change ${score(m.changeLow)} to ${score(m.changeHigh)}, ` : '';
    figures.push({
      label: `${m.entity.name}: mean sentiment`,
      value: `${score(m.previousScore)} -> ${score(m.score)} (change ${score(m.change)}${m.significant ? ', significant' : ', within noise'})`,
      detail: `${interval}${formatPValue(m.pValue)}, n = ${m.n} (${m.previousN} before). ${toExcerpt(m.headline, 300)}`,
    });
  }
  for (const s of digest.spikes) {
    figures.push({ label: `Spike, ${s.event.occurredAt.slice(0, 10)}`, value: toExcerpt(s.headline, 300) });
  }
  for (const e of digest.events) {
    figures.push({
      label: `${e.kind === 'release' ? 'Release' : 'Incident'}, ${e.occurredAt.slice(0, 10)}`,
      value: toExcerpt(e.title, 200),
      ...(e.entity ? { detail: e.entity } : {}),
    });
  }
  const selection = describeSelection(subscription);
  const label =
    period.period === 'manual' ? 'Digest' : period.cadence === 'daily' ? `Daily digest ${period.period}` : `Weekly digest ${period.period}`;
  const top = digest.movers.find((m) => m.significant);
  const headline = top
    ? `${label}: ${top.entity.name} ${score(top.previousScore)} -> ${score(top.score)}, ${plural(digest.spikes.length, 'spike')}, ${plural(digest.events.length, 'release or incident', 'releases and incidents')}`
    : `${label}: no significant movers, ${plural(digest.spikes.length, 'spike')}, ${plural(digest.events.length, 'release or incident', 'releases and incidents')}`;
  const summary = [
    `${selection.name} from ${period.from.slice(0, 16).replace('T', ' ')} to ${period.to.slice(0, 16).replace('T', ' ')} UTC, compared with the period before.`,
    `${plural(digest.movers.length, 'mover')} (${digest.movers.filter((m) => m.significant).length} significant), ${plural(digest.spikes.length, 'spike')}, ${plural(digest.events.length, 'release or incident', 'releases and incidents')}, ${plural(digest.posts.length, 'most discussed post')}.`,
  ].join(' ');
  const base = options.publicUrl.endsWith('/') ? options.publicUrl : `${options.publicUrl}/`;
  return {
    id: options.id,
    rule: { id: subscription.id, kind: 'digest', name: subscription.name },
    entity: selection,
    headline,
    summary,
    figures,
    posts: digest.posts.map((p) => ({
      title: p.title?.trim() ? toExcerpt(p.title, 200) : toExcerpt(p.excerpt, 80) || '(untitled)',
      url: p.url,
      source: p.source,
      createdAt: p.createdAt,
      excerpt: toExcerpt(p.excerpt),
    })),
    dashboardUrl: new URL(base).toString(),
    firedAt: options.firedAt.toISOString(),
    digest: period,
  };
}

async function queueDigest(
  db: Executor,
  subscription: DigestSubscriptionRecord,
  period: DigestPeriod,
  publicUrl: string,
  now: Date,
): Promise<number | null> {
  const slugs = await selectedSlugs(db, subscription);
  const digest = await buildDigest(db, { from: period.from, to: period.to, ...(slugs === null ? {} : { entities: slugs }) });
  const eventKey = `digest:${period.key}`;
  const id = idempotencyKeyOf(subscription.id, eventKey);
  const message = composeDigestMessage(
    subscription,
    // An empty selection (its entities all removed) is a digest of nothing, not of everything.
    slugs !== null && slugs.length === 0 ? { ...digest, movers: [], spikes: [], events: [], posts: [] } : digest,
    {
      cadence: period.cadence,
      period: period.key.startsWith('manual') ? 'manual' : period.key,
      from: period.from.toISOString(),
      to: period.to.toISOString(),
    },
    { id, publicUrl, firedAt: now },
  );
  return insertAlert(db, { ruleId: subscription.id, eventKey, status: 'queued', reason: null, idempotencyKey: id, message, firedAt: now });
}

export interface QueuedDigest {
  subscription: number;
  period: string;
  alertId: number;
}

/**
 * Queues the due digests of every subscription whose last period is older (the one due now, and those
 * missed while nothing ran: dueDigestPeriods): per subscription, one transaction locks it (SKIP LOCKED:
 * another worker on it queues them), writes each digest into the outbox and records the last period,
 * so a period is queued once with any number of workers.
 */
export async function queueDueDigests(
  db: Kysely<DB>,
  options: { publicUrl: string; now?: Date; onError?: (subscription: number, error: unknown) => void },
): Promise<QueuedDigest[]> {
  const now = options.now ?? new Date();
  const queued: QueuedDigest[] = [];
  for (const candidate of await listDigestSubscriptions(db)) {
    const periods = dueDigestPeriods(candidate.cadence, candidate.hourUtc, now, candidate.lastPeriod);
    const latest = periods.at(-1);
    if (latest === undefined) continue;
    try {
      const made = await db.transaction().execute(async (trx) => {
        const subscription = await lockDueDigestSubscription(trx, candidate.id, latest.key);
        if (subscription === undefined) return [];
        const ids: QueuedDigest[] = [];
        for (const period of periods) {
          const alertId = await queueDigest(trx, subscription, period, options.publicUrl, now);
          if (alertId !== null) ids.push({ subscription: candidate.id, period: period.key, alertId });
        }
        await markDigestPeriod(trx, subscription.id, latest.key);
        return ids;
      });
      queued.push(...made);
    } catch (error) {
      if (!options.onError) throw error;
      options.onError(candidate.id, error);
    }
  }
  return queued;
}

/** A subscription as the API and CLI show it: the channel masked, the secret never. */
export function presentDigestSubscription(
  subscription: DigestSubscriptionRecord,
  stats?: { sent: number; delivered: number; dead: number; lastSentAt: Date | null },
) {
  return {
    id: subscription.id,
    name: subscription.name,
    channel: describeChannel(subscription.channel),
    cadence: subscription.cadence,
    hourUtc: subscription.hourUtc,
    entities: subscription.entities,
    kinds: subscription.kinds,
    lastPeriod: subscription.lastPeriod,
    createdAt: subscription.createdAt.toISOString(),
    digests: {
      sent: stats?.sent ?? 0,
      delivered: stats?.delivered ?? 0,
      dead: stats?.dead ?? 0,
      lastSentAt: stats?.lastSentAt?.toISOString() ?? null,
    },
  };
}
export type DigestSubscriptionView = ReturnType<typeof presentDigestSubscription>;

export async function listDigestSubscriptionViews(db: Executor): Promise<DigestSubscriptionView[]> {
  const subscriptions = await listDigestSubscriptions(db);
  const stats = await getDigestStats(
    db,
    subscriptions.map((s) => s.id),
  );
  return subscriptions.map((s) => presentDigestSubscription(s, stats.get(s.id)));
}

/**
 * Stores a subscription. The channel is checked now (a bad URL is refused, not dead-lettered later),
 * every entity must exist, and the period due at creation counts as sent: the first digest is the
 * next one, not yesterday's at once (`digests send` sends one now).
 */
export async function addDigestSubscription(
  db: Kysely<DB>,
  raw: unknown,
  options: { now?: Date } = {},
): Promise<{ subscription: DigestSubscriptionView; secret: string | null }> {
  const parsed = NewDigestSubscriptionInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(`${issue.path.join('.') || 'subscription'}: ${issue.message}`);
  }
  const input = parsed.data;
  parseChannel(input.channel);
  const entities = [...new Set(input.entities ?? [])];
  const kinds = [...new Set(input.kinds ?? [])];
  if (entities.length > 0) {
    const known = new Set((await listEntities(db)).map((e) => e.slug));
    const missing = entities.filter((slug) => !known.has(slug));
    if (missing.length > 0) throw new NotFoundError(`no entity with slug ${missing.map((s) => `"${s}"`).join(', ')}`);
  }
  const hourUtc = input.hourUtc ?? DEFAULT_DIGEST_HOUR;
  const selection = describeSelection({ entities, kinds });
  const secret = input.secret ?? generateSecret();
  const record = await insertDigestSubscription(db, {
    name: input.name ?? `${input.cadence === 'daily' ? 'Daily' : 'Weekly'} digest: ${selection.name}`,
    channel: input.channel,
    secret,
    entities,
    kinds,
    cadence: input.cadence,
    hourUtc,
    lastPeriod: dueDigestPeriod(input.cadence, hourUtc, options.now ?? new Date()).key,
  });
  return { subscription: presentDigestSubscription(record), secret: input.secret === undefined ? secret : null };
}

export async function removeDigestSubscriptionById(db: Executor, id: number): Promise<void> {
  if (!(await removeDigestSubscription(db, id))) throw new NotFoundError(`no digest subscription with id ${id}`);
}

/**
 * `digests send ID`: the digest of the day (or week) up to now, queued under its own key (the
 * scheduled periods are untouched) and delivered at once through the outbox.
 */
export async function sendDigestNow(
  db: Kysely<DB>,
  id: number,
  settings: DeliverySettings & Omit<OutboxOptions, keyof DeliverySettings>,
  options: { now?: Date } = {},
): Promise<{ alertId: number; delivered: boolean; cause: string | null }> {
  const subscription = await findDigestSubscription(db, id);
  if (subscription === undefined) throw new NotFoundError(`no digest subscription with id ${id}`);
  const now = options.now ?? new Date();
  const length = subscription.cadence === 'daily' ? DAY_MS : 7 * DAY_MS;
  const period: DigestPeriod = {
    cadence: subscription.cadence,
    key: `manual:${now.toISOString()}`,
    from: new Date(now.getTime() - length),
    to: now,
  };
  const alertId = await db.transaction().execute((trx) => queueDigest(trx, subscription, period, settings.publicUrl, now));
  if (alertId === null) throw new ValidationError('a digest was already sent for this subscription at this instant; try again');
  await deliverDueAlerts(db, settings);
  const rows = await db.selectFrom('alert_outbox').select(['status', 'last_error']).where('alert_id', '=', alertId).execute();
  const row = rows[0];
  return {
    alertId,
    delivered: row?.status === 'delivered',
    cause: row?.status === 'delivered' ? null : (row?.last_error ?? `the digest is ${row?.status ?? 'unknown'}`),
  };
}
