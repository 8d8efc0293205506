import { sql, type Kysely } from 'kysely';
import { getAspectWindowSums } from '../db/queries/aspects.ts';
import {
  findJudgedEventKeys,
  getDatabaseNow,
  getRecentAlertCounts,
  insertAlert,
  listAlertRules,
  listMentionCandidates,
  listPostSummaries,
  listSpikeEvents,
  listTopAspectPostIds,
  lockAlertRule,
  saveAlertRuleState,
  type AlertRuleRecord,
  type AlertRuleState,
} from '../db/queries/alerts.ts';
import type { Executor } from '../db/queries/entities.ts';
import { explainEntityWindow, explainEvent, type Explanation } from '../db/queries/explain.ts';
import { listTopPostIds } from '../db/queries/posts.ts';
import type { DB } from '../db/schema.ts';
import { getBucketSums } from '../db/queries/series.ts';
import { changeFigure, dashboardLink, describeWindow, explanationPosts, formatScore, formatShare, summarizeExplanation, toAlertPost, toExcerpt } from './compose.ts';
import { compareMean, compareNet, compareShare, idempotencyKeyOf, judgeLimits, judgeMove, REARM_FRACTION, type ArmState } from './decide.ts';
import type { AlertMessage, AlertPost } from './message.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const TOP_POSTS = 5;
/** Mention scans re-read this much before the cursor: a transaction that committed late is still seen. */
const MENTION_OVERLAP_MS = 10 * 60_000;
/** A mention rule reports posts written this recently: history imported today is not news. */
const MENTION_MAX_AGE_MS = 2 * DAY_MS;
/** Mentions judged per rule and run; the rest wait for the next run. */
const MENTION_BATCH = 200;
/** Spikes of days older than this are not alerted (the detector judges complete days, a few hours late). */
const SPIKE_MAX_AGE_MS = 3 * DAY_MS;

export interface EvaluateOptions {
  /** The dashboard's address (PUBLIC_URL), for links in messages. */
  publicUrl: string;
  now?: Date;
  /** Only these rules; every enabled rule when left out. */
  ruleIds?: number[];
  /**
   * A rule whose evaluation failed (its transaction rolled back, nothing of it written); the other
   * rules are still judged. Without it, the first failure is thrown once every rule has had its turn.
   */
  onRuleError?: (ruleId: number, error: unknown) => void;
}

export interface FiredAlert {
  alertId: number;
  ruleId: number;
  kind: AlertRuleRecord['kind'];
  entity: string;
  eventKey: string;
  status: 'queued' | 'suppressed';
  reason: string | null;
  headline: string;
}

/** What a detector found: an event, with the message it would send, and why it is held back if it is. */
interface Candidate {
  eventKey: string;
  suppress?: string;
  message: () => Promise<MessageBody>;
}

type MessageBody = Pick<AlertMessage, 'headline' | 'summary' | 'figures' | 'posts'> & { dashboardQuery?: Record<string, string | null> };

interface Detection {
  candidates: Candidate[];
  state: AlertRuleState;
}

interface Context {
  now: Date;
  publicUrl: string;
}

/**
 * Judges every enabled rule once. Each rule is judged in its own transaction holding its row lock
 * (a second evaluator skips it): the alerts it fires, their outbox rows and the rule's new state
 * (hysteresis, mention cursor) commit together or not at all.
 */
export async function evaluateAlertRules(db: Kysely<DB>, options: EvaluateOptions): Promise<FiredAlert[]> {
  const context: Context = { now: options.now ?? new Date(), publicUrl: options.publicUrl };
  const rules = (await listAlertRules(db, { enabledOnly: true })).filter((r) => !options.ruleIds || options.ruleIds.includes(r.id));
  const fired: FiredAlert[] = [];
  const failures: unknown[] = [];
  for (const { id } of rules) {
    try {
      fired.push(...(await db.transaction().execute((trx) => evaluateRule(trx, id, context))));
    } catch (error) {
      if (options.onRuleError) options.onRuleError(id, error);
      else failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
  return fired;
}

async function evaluateRule(trx: Executor, id: number, context: Context): Promise<FiredAlert[]> {
  const rule = await lockAlertRule(trx, id);
  if (!rule) return [];
  const detection = await DETECTORS[rule.kind](trx, rule, context);
  // Most runs find nothing: then the only write is the state, and only when it changed.
  if (JSON.stringify(detection.state) !== JSON.stringify(rule.state)) await saveAlertRuleState(trx, rule.id, detection.state);
  if (detection.candidates.length === 0) return [];
  const judged = await findJudgedEventKeys(trx, rule.id, detection.candidates.map((c) => c.eventKey));
  const recent = await getRecentAlertCounts(trx, rule.id, new Date(context.now.getTime() - DAY_MS));
  let sentToday = recent.count;
  let lastAt = recent.lastAt;
  const fired: FiredAlert[] = [];
  for (const candidate of detection.candidates) {
    if (judged.has(candidate.eventKey)) continue;
    const reason =
      candidate.suppress ??
      judgeLimits({ now: context.now, lastAt, sentToday, cooldownMinutes: rule.cooldownMinutes, maxPerDay: rule.maxPerDay });
    const body = await candidate.message();
    const idempotencyKey = idempotencyKeyOf(rule.id, candidate.eventKey);
    const { dashboardQuery, ...parts } = body;
    const message: AlertMessage = {
      id: idempotencyKey,
      rule: { id: rule.id, kind: rule.kind, name: rule.name },
      entity: { slug: rule.entity.slug, name: rule.entity.name },
      ...parts,
      dashboardUrl: dashboardLink(context.publicUrl, rule.entity.slug, dashboardQuery),
      firedAt: context.now.toISOString(),
    };
    const status = reason === null ? 'queued' : 'suppressed';
    const alertId = await insertAlert(trx, { ruleId: rule.id, eventKey: candidate.eventKey, status, reason, idempotencyKey, message, firedAt: context.now });
    if (alertId === null) continue;
    if (status === 'queued') {
      sentToday += 1;
      lastAt = context.now;
    }
    fired.push({ alertId, ruleId: rule.id, kind: rule.kind, entity: rule.entity.slug, eventKey: candidate.eventKey, status, reason, headline: message.headline });
  }
  return fired;
}

type Detector = (db: Executor, rule: AlertRuleRecord, context: Context) => Promise<Detection>;

const DETECTORS: Record<AlertRuleRecord['kind'], Detector> = {
  shift: detectShift,
  aspect: detectAspectMoves,
  spike: detectSpikeAlerts,
  mention: detectMentions,
};

/** The rule's window ending at the last whole hour before now, and the window of the same length before it. */
function windowsOf(rule: AlertRuleRecord, now: Date): { previousFrom: Date; from: Date; to: Date } {
  const to = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
  const from = new Date(to.getTime() - rule.windowHours * HOUR_MS);
  return { previousFrom: new Date(from.getTime() - rule.windowHours * HOUR_MS), from, to };
}

function withArm(state: AlertRuleState, series: string, arm: ArmState): AlertRuleState {
  return { ...state, armed: { ...state.armed, [series]: arm } };
}

async function loadPosts(db: Executor, entityId: number, ids: number[]): Promise<AlertPost[]> {
  return (await listPostSummaries(db, entityId, ids)).map(toAlertPost);
}

const rose = (direction: 'up' | 'down') => (direction === 'up' ? 'rose' : 'fell');

/**
 * The explanation behind a message, or null when it cannot be computed: an alert goes out with its
 * own figures rather than not at all. Its reads run in a savepoint so a failure leaves the rule's
 * transaction usable.
 */
async function tryExplain(db: Executor, explain: (db: Executor) => Promise<Explanation>): Promise<Explanation | null> {
  if (!db.isTransaction) return explain(db).catch(() => null);
  await sql`SAVEPOINT alert_explain`.execute(db);
  try {
    const explanation = await explain(db);
    await sql`RELEASE SAVEPOINT alert_explain`.execute(db);
    return explanation;
  } catch {
    await sql`ROLLBACK TO SAVEPOINT alert_explain`.execute(db);
    return null;
  }
}

async function detectShift(db: Executor, rule: AlertRuleRecord, context: Context): Promise<Detection> {
  const { previousFrom, from, to } = windowsOf(rule, context.now);
  const sums = (await getBucketSums(db, { entityIds: [rule.entityId], starts: [previousFrom, from], end: to, source: rule.source ?? undefined })).get(rule.entityId);
  const [previous, current] = sums ?? [];
  if (!previous || !current || previous.n < rule.minMentions || current.n < rule.minMentions) return { candidates: [], state: rule.state };
  const net = rule.metric === 'net';
  const change = net ? compareNet(current, previous) : compareMean(current, previous);
  const series = `shift:${net ? 'net' : 'mean'}`;
  const { fire, next } = judgeMove(change, rule.state.armed?.[series], { threshold: rule.threshold ?? 0.15, direction: rule.direction, rearmFraction: REARM_FRACTION });
  const state = withArm(rule.state, series, next);
  if (fire === null) return { candidates: [], state };
  const what = net ? 'net sentiment' : 'mean sentiment';
  const window = describeWindow(rule.windowHours);
  const share = (part: number, n: number) => formatShare(n === 0 ? null : part / n);
  return {
    state,
    candidates: [
      {
        eventKey: `${series}:${fire}:${to.toISOString()}`,
        message: async () => {
          const explanation = await tryExplain(db, (d) => explainEntityWindow(d, { entityId: rule.entityId, from, to, previousFrom, source: rule.source ?? undefined, measure: net ? 'negativeShare' : 'score' }));
          const counts =
            `Over the last ${window}, ${current.n} mentions were ${share(current.negative, current.n)} negative and ${share(current.positive, current.n)} positive, ` +
            `against ${share(previous.negative, previous.n)} and ${share(previous.positive, previous.n)} of ${previous.n} in the ${window} before.`;
          return {
            headline: `${rule.entity.name}: ${what} ${rose(fire)} from ${formatScore(change.previous)} to ${formatScore(change.current)} over the last ${window}${rule.source ? ` on ${rule.source}` : ''}`,
            summary: explanation ? `${summarizeExplanation(explanation)} ${counts}` : counts,
            figures: [
              changeFigure(net ? 'Net sentiment' : 'Mean sentiment', change, formatScore, `n = ${current.n} against ${previous.n}`),
              { label: 'Mentions', value: `${previous.n} -> ${current.n}` },
            ],
            posts: explanation?.posts.length
              ? explanationPosts(explanation)
              : await loadPosts(db, rule.entityId, await listTopPostIds(db, rule.entityId, from, to, fire === 'down' ? 'negative' : 'positive', TOP_POSTS)),
            dashboardQuery: { source: rule.source },
          };
        },
      },
    ],
  };
}

async function detectAspectMoves(db: Executor, rule: AlertRuleRecord, context: Context): Promise<Detection> {
  const { previousFrom, from, to } = windowsOf(rule, context.now);
  const source = rule.source ?? undefined;
  const aspects = ((await getAspectWindowSums(db, { entityIds: [rule.entityId], from, to, previousFrom, source })).get(rule.entityId) ?? []).filter(
    (a) => rule.aspect === null || a.aspect === rule.aspect,
  );
  const byPolarity = rule.metric === 'polarity';
  const totals = byPolarity ? undefined : (await getBucketSums(db, { entityIds: [rule.entityId], starts: [previousFrom, from], end: to, source })).get(rule.entityId);
  let state = rule.state;
  const candidates: Candidate[] = [];
  const window = describeWindow(rule.windowHours);
  for (const entry of aspects) {
    const series = `aspect:${entry.aspect}:${byPolarity ? 'polarity' : 'share'}`;
    let change;
    if (byPolarity) {
      if (entry.current.n < rule.minMentions || entry.previous.n < rule.minMentions) continue;
      change = compareMean(entry.current, entry.previous);
    } else {
      const [previousTotal, currentTotal] = totals ?? [];
      if (!previousTotal || !currentTotal || previousTotal.n < rule.minMentions || currentTotal.n < rule.minMentions) continue;
      change = compareShare({ hits: entry.current.n, n: currentTotal.n }, { hits: entry.previous.n, n: previousTotal.n });
    }
    const { fire, next } = judgeMove(change, state.armed?.[series], { threshold: rule.threshold ?? 0.1, direction: rule.direction, rearmFraction: REARM_FRACTION });
    state = withArm(state, series, next);
    if (fire === null) continue;
    const format = byPolarity ? formatScore : formatShare;
    const label = byPolarity ? `Sentiment on ${entry.aspect}` : `Share of mentions about ${entry.aspect}`;
    const polarity = byPolarity ? (fire === 'down' ? 'negative' : 'positive') : null;
    candidates.push({
      eventKey: `${series}:${fire}:${to.toISOString()}`,
      message: async () => ({
        headline: byPolarity
          ? `${rule.entity.name}: sentiment on ${entry.aspect} ${rose(fire)} from ${formatScore(change.previous)} to ${formatScore(change.current)} over the last ${window}`
          : `${rule.entity.name}: ${entry.aspect} ${fire === 'up' ? 'came up in more' : 'came up in fewer'} mentions, ${formatShare(change.previous)} -> ${formatShare(change.current)} over the last ${window}`,
        summary:
          `${entry.current.n} mentions named ${entry.aspect} in the last ${window} (${entry.current.negative} negative, ${entry.current.positive} positive), ` +
          `against ${entry.previous.n} (${entry.previous.negative} negative, ${entry.previous.positive} positive) in the ${window} before.`,
        figures: [changeFigure(label, change, format, `n = ${entry.current.n} against ${entry.previous.n}`)],
        posts: await loadPosts(
          db,
          rule.entityId,
          await listTopAspectPostIds(db, { entityId: rule.entityId, aspect: entry.aspect, from, to, polarity, source: rule.source, limit: TOP_POSTS }),
        ),
        dashboardQuery: { aspect: entry.aspect, source: rule.source },
      }),
    });
  }
  return { candidates, state };
}

const dayOf = (date: Date) => date.toISOString().slice(0, 10);

async function detectSpikeAlerts(db: Executor, rule: AlertRuleRecord, context: Context): Promise<Detection> {
  const today = Math.floor(context.now.getTime() / DAY_MS) * DAY_MS;
  // The day before the rule existed still counts: its spike is only judged once that day is over.
  const ruleDay = Math.floor(rule.createdAt.getTime() / DAY_MS) * DAY_MS - DAY_MS;
  const since = new Date(Math.max(ruleDay, today - SPIKE_MAX_AGE_MS));
  const events = await listSpikeEvents(db, rule.entityId, since);
  const keyOf = (kind: string, direction: string, day: Date) => `spike:${kind}:${direction}:${dayOf(day)}`;
  const spikes = events
    .map((event) => ({ event, kind: String(event.details.spikeKind ?? 'volume'), direction: event.details.direction === 'down' ? ('down' as const) : ('up' as const) }))
    .filter((s) => (rule.metric === null || s.kind === rule.metric) && (rule.direction === 'both' || rule.direction === s.direction));
  // A spike that lasts several days is one alert: a day continuing yesterday's spike of the same kind is held back.
  const previousKeys = spikes.map((s) => keyOf(s.kind, s.direction, new Date(s.event.occurredAt.getTime() - DAY_MS)));
  const judgedBefore = await findJudgedEventKeys(db, rule.id, previousKeys);
  const thisRun = new Set(spikes.map((s) => keyOf(s.kind, s.direction, s.event.occurredAt)));
  const candidates = spikes.map((s, i): Candidate => {
    const previousKey = previousKeys[i] ?? '';
    const continues = judgedBefore.has(previousKey) || thisRun.has(previousKey);
    const details = s.event.details;
    const value = Number(details.value);
    const baseline = Number(details.baseline);
    const volume = s.kind === 'volume';
    const shown = (v: number) => (volume ? String(Math.round(v * 100) / 100) : formatShare(v));
    const topPostIds = Array.isArray(details.topPostIds) ? details.topPostIds.map(Number).filter(Number.isFinite) : [];
    return {
      eventKey: keyOf(s.kind, s.direction, s.event.occurredAt),
      ...(continues ? { suppress: `continues the spike of ${previousKey.slice(-10)}` } : {}),
      message: async () => {
        const explanation = await tryExplain(db, (d) => explainEvent(d, s.event.id, { now: context.now }));
        const flagged = `The detector flagged ${dayOf(s.event.occurredAt)} as a ${volume ? 'volume' : 'negativity'} spike ${s.direction === 'up' ? 'up' : 'down'}: ${shown(value)} against a usual ${shown(baseline)} over the 28 days before.`;
        return {
          headline: `${s.event.title} on ${dayOf(s.event.occurredAt)}`,
          summary: explanation ? `${summarizeExplanation(explanation)} ${flagged}` : flagged,
          figures: [
            { label: volume ? 'Mentions that day' : 'Negative share that day', value: `${shown(baseline)} -> ${shown(value)}`, detail: `robust z-score ${Number(details.zScore).toFixed(1)} against the trailing 28-day median` },
          ],
          posts: explanation?.posts.length ? explanationPosts(explanation) : await loadPosts(db, rule.entityId, topPostIds.slice(0, TOP_POSTS)),
        };
      },
    };
  });
  return { candidates, state: rule.state };
}

async function detectMentions(db: Executor, rule: AlertRuleRecord, context: Context): Promise<Detection> {
  // The cursor is on the database's clock, the one that stamps fetched_at. A new rule starts at its
  // creation; later scans re-read an overlap before the cursor for transactions that committed late.
  const scanStart = await getDatabaseNow(db);
  const overlapped = rule.state.mentionCursor ? new Date(rule.state.mentionCursor).getTime() - MENTION_OVERLAP_MS : 0;
  const fetchedSince = new Date(Math.max(overlapped, rule.createdAt.getTime()));
  const found = await listMentionCandidates(db, {
    entityId: rule.entityId,
    fetchedSince,
    createdSince: new Date(context.now.getTime() - MENTION_MAX_AGE_MS),
    source: rule.source,
    polarity: rule.polarity,
    aspect: rule.aspect,
    minEngagement: rule.minEngagement,
    includeWords: rule.includeWords,
    excludeWords: rule.excludeWords,
    ruleId: rule.id,
    limit: MENTION_BATCH,
  });
  const last = found.at(-1);
  const next = found.length === MENTION_BATCH && last ? last.fetchedAt : scanStart;
  const candidates = found.map(
    (post): Candidate => ({
      eventKey: `mention:${post.postId}`,
      message: async () => {
        const alertPost = toAlertPost({ ...post, label: post.label });
        return {
          headline: `${rule.entity.name} on ${post.source}: ${alertPost.title}`,
          summary: toExcerpt(post.body, 500),
          figures: [
            { label: `Opinion of ${rule.entity.name}`, value: `${post.label} (${formatScore(post.score)})` },
            ...(post.aspects.length ? [{ label: 'Aspects', value: post.aspects.join(', ') }] : []),
            ...(post.engagement > 0 ? [{ label: 'Engagement', value: String(post.engagement) }] : []),
          ],
          posts: [alertPost],
        };
      },
    }),
  );
  return { candidates, state: { ...rule.state, mentionCursor: next.toISOString() } };
}
