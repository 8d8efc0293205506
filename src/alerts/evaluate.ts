import { sql, type Kysely } from 'kysely';
import { aspectWords } from '../core/aspect-words.ts';
import { getAspectWindowSums, type AspectWindowSums } from '../db/queries/aspects.ts';
import {
  advanceMentionCursors,
  findJudgedEventKeys,
  getDatabaseNow,
  getLatestFetchedByEntity,
  getRecentAlertCounts,
  insertAlert,
  listAlertRules,
  listMentionCandidates,
  listPostSummaries,
  listEventsOfKind,
  listTopAspectPostIds,
  lockAlertRule,
  saveAlertRuleState,
  syncKindAlertRules,
  type EntityAlertRule,
  type AlertRuleState,
} from '../db/queries/alerts.ts';
import type { Executor } from '../db/queries/entities.ts';
import { explainEntityWindow, explainEvent, type Explanation } from '../db/queries/explain.ts';
import { listTopPostIds } from '../db/queries/posts.ts';
import type { DB } from '../db/schema.ts';
import type { RollupSums } from '../core/stats.ts';
import { getBucketSums } from '../db/queries/series.ts';
import {
  changeFigure,
  dashboardLink,
  describeWindow,
  explanationPosts,
  formatScore,
  formatShare,
  summarizeExplanation,
  toAlertPost,
  toExcerpt,
} from './compose.ts';
import {
  compareMean,
  compareNet,
  compareShare,
  idempotencyKeyOf,
  judgeLimits,
  judgeMove,
  REARM_FRACTION,
  type ArmState,
} from './decide.ts';
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
/** How long before it is found a regression may have started (the detector judges the last 14 days). */
const REGRESSION_LOOKBACK_MS = 28 * DAY_MS;

export interface EvaluateOptions {
  /** The dashboard's address (PUBLIC_URL), for links in messages. */
  publicUrl: string;
  now?: Date;
  /** Only these rules (a kind rule: its entity rules); every enabled rule when left out. */
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
  kind: EntityAlertRule['kind'];
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
 * Judges every enabled rule once. First every rule is screened with a few grouped reads (one per kind,
 * window and source): a rule that could neither fire nor change its state is done there. Each other
 * rule is judged in its own transaction holding its row lock (a second evaluator skips it), reading
 * again: the alerts it fires, their outbox rows and the rule's new state (hysteresis, mention cursor)
 * commit together or not at all.
 */
export async function evaluateAlertRules(db: Kysely<DB>, options: EvaluateOptions): Promise<FiredAlert[]> {
  const context: Context = { now: options.now ?? new Date(), publicUrl: options.publicUrl };
  // A kind rule watches the entities of its kind as they are now: one entity rule each, made or retired here.
  await syncKindAlertRules(db);
  const only = options.ruleIds ? new Set(options.ruleIds) : null;
  const rules = (await listAlertRules(db, { enabledOnly: true })).filter(
    (r) => !only || only.has(r.id) || (r.parentId !== null && only.has(r.parentId)),
  );
  const act = await screenRules(db, rules, context);
  const fired: FiredAlert[] = [];
  const failures: unknown[] = [];
  for (const { id } of rules.filter((r) => act.has(r.id))) {
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

/**
 * The rules that may act this run, from each kind's grouped reading; the mention rules with nothing new
 * have their cursor moved on in one statement (all a judgement of theirs would have written).
 */
async function screenRules(db: Kysely<DB>, rules: EntityAlertRule[], context: Context): Promise<Set<number>> {
  const act = new Set<number>();
  const scanStart = await getDatabaseNow(db);
  const quietMentionRules: number[] = [];
  for (const kind of Object.keys(DETECTORS) as Array<EntityAlertRule['kind']>) {
    const ofKind = rules.filter((r) => r.kind === kind);
    if (ofKind.length === 0) continue;
    const detector = DETECTORS[kind];
    // A reading that fails (a rule's state the query cannot use) sends the rules to be judged one by
    // one, where only the faulty one fails.
    const readings = await detector.read(db, ofKind, context).catch(() => null);
    for (const rule of ofKind) {
      const may = readings === null || (await mayAct(detector, db, rule, readings.get(rule.id), context).catch(() => true));
      if (may) act.add(rule.id);
      else if (kind === 'mention') quietMentionRules.push(rule.id);
    }
  }
  await advanceMentionCursors(db, quietMentionRules, scanStart);
  return act;
}

async function evaluateRule(trx: Executor, id: number, context: Context): Promise<FiredAlert[]> {
  const rule = await lockAlertRule(trx, id);
  if (!rule) return [];
  const detector = DETECTORS[rule.kind];
  const detection = await detector.detect(trx, rule, (await detector.read(trx, [rule], context)).get(rule.id), context);
  // Most runs find nothing: then the only write is the state, and only when it changed.
  if (stateChanged(detection, rule)) await saveAlertRuleState(trx, rule.id, detection.state);
  if (detection.candidates.length === 0) return [];
  const judged = await findJudgedEventKeys(
    trx,
    rule.id,
    detection.candidates.map((c) => c.eventKey),
  );
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
    const alertId = await insertAlert(trx, {
      ruleId: rule.id,
      eventKey: candidate.eventKey,
      status,
      reason,
      idempotencyKey,
      message,
      firedAt: context.now,
    });
    if (alertId === null) continue;
    if (status === 'queued') {
      sentToday += 1;
      lastAt = context.now;
    }
    fired.push({
      alertId,
      ruleId: rule.id,
      kind: rule.kind,
      entity: rule.entity.slug,
      eventKey: candidate.eventKey,
      status,
      reason,
      headline: message.headline,
    });
  }
  return fired;
}

/**
 * One kind of rule: `read` takes what many rules of the kind need in grouped queries, keyed by rule;
 * `detect` judges one rule from its reading (querying more only for the messages it may send);
 * `mayAct` says from the reading alone whether `detect` could fire or change the rule's state, for
 * kinds whose `detect` queries more (left out, `detect` itself is asked).
 */
interface Detector<R> {
  read(db: Executor, rules: EntityAlertRule[], context: Context): Promise<Map<number, R>>;
  detect(db: Executor, rule: EntityAlertRule, reading: R | undefined, context: Context): Promise<Detection>;
  mayAct?(rule: EntityAlertRule, reading: R | undefined): boolean;
}

const stateChanged = (detection: Detection, rule: EntityAlertRule): boolean =>
  JSON.stringify(detection.state) !== JSON.stringify(rule.state);

/** Whether a rule could fire or change its state this run, judged from its kind's grouped reading. */
async function mayAct<R>(
  detector: Detector<R>,
  db: Executor,
  rule: EntityAlertRule,
  reading: R | undefined,
  context: Context,
): Promise<boolean> {
  if (detector.mayAct) return detector.mayAct(rule, reading);
  const detection = await detector.detect(db, rule, reading, context);
  return detection.candidates.length > 0 || stateChanged(detection, rule);
}

/** Rules grouped by a key (their window and source), each group read with one call over its entities. */
async function readGrouped<R>(
  rules: EntityAlertRule[],
  key: (rule: EntityAlertRule) => string,
  readGroup: (group: EntityAlertRule[]) => Promise<Map<number, R>>,
): Promise<Map<number, R>> {
  const groups = new Map<string, EntityAlertRule[]>();
  for (const rule of rules) groups.set(key(rule), [...(groups.get(key(rule)) ?? []), rule]);
  const readings = new Map<number, R>();
  for (const group of groups.values()) for (const [id, reading] of await readGroup(group)) readings.set(id, reading);
  return readings;
}

const windowAndSource = (rule: EntityAlertRule) => `${rule.windowHours}:${rule.source ?? ''}`;
const entityIdsOf = (rules: EntityAlertRule[]) => [...new Set(rules.map((r) => r.entityId))];

/** Each rule's [previous window, current window] sums, one query per window length and source. */
function readWindowSums(db: Executor, rules: EntityAlertRule[], context: Context): Promise<Map<number, RollupSums[]>> {
  return readGrouped(rules, windowAndSource, async (group) => {
    const { previousFrom, from, to } = windowsOf(group[0]!, context.now);
    const sums = await getBucketSums(db, {
      entityIds: entityIdsOf(group),
      starts: [previousFrom, from],
      end: to,
      source: group[0]!.source ?? undefined,
    });
    return new Map(group.map((rule) => [rule.id, sums.get(rule.entityId) ?? []]));
  });
}

const shiftDetector: Detector<RollupSums[]> = {
  read: readWindowSums,
  detect: detectShift,
};

interface AspectReading {
  aspects: AspectWindowSums[];
  /** All mentions in [previous, current] window, for the share metric. */
  totals: RollupSums[];
}

const aspectDetector: Detector<AspectReading> = {
  read: (db, rules, context) =>
    readGrouped(rules, windowAndSource, async (group) => {
      const { previousFrom, from, to } = windowsOf(group[0]!, context.now);
      const source = group[0]!.source ?? undefined;
      const aspects = await getAspectWindowSums(db, { entityIds: entityIdsOf(group), from, to, previousFrom, source });
      const shareRules = group.filter((r) => r.metric !== 'polarity');
      const totals = shareRules.length > 0 ? await readWindowSums(db, shareRules, context) : new Map<number, RollupSums[]>();
      return new Map(group.map((rule) => [rule.id, { aspects: aspects.get(rule.entityId) ?? [], totals: totals.get(rule.id) ?? [] }]));
    }),
  detect: detectAspectMoves,
};

type DetectorEvent = Awaited<ReturnType<typeof listEventsOfKind>>[number];

/** A rule's entity's events of one kind since `sinceOf(rule)`, for every rule in one query. */
function readEvents(
  kind: 'spike' | 'regression',
  sinceOf: (rule: EntityAlertRule, now: Date) => Date,
  occurredFrom: (since: Date) => Date = (since) => since,
) {
  return async (db: Executor, rules: EntityAlertRule[], context: Context): Promise<Map<number, DetectorEvent[]>> => {
    const earliest = new Date(Math.min(...rules.map((r) => sinceOf(r, context.now).getTime())));
    const events = await listEventsOfKind(db, kind, entityIdsOf(rules), occurredFrom(earliest));
    return new Map(
      rules.map((rule) => [rule.id, events.filter((e) => e.entityId === rule.entityId && eventEnd(e) >= sinceOf(rule, context.now))]),
    );
  };
}

/** When an event's judged stretch ends: a regression's window end, a spike's day. */
const eventEnd = (event: DetectorEvent): Date =>
  typeof event.details.windowTo === 'string' ? new Date(event.details.windowTo) : event.occurredAt;

const spikeDetector: Detector<DetectorEvent[]> = {
  read: readEvents('spike', spikeSince),
  detect: detectSpikeAlerts,
  // Judging a spike reads which were alerted before; any spike of the rule's kind is worth that look.
  mayAct: (rule, reading) => spikesOf(rule, reading ?? []).length > 0,
};

const regressionDetector: Detector<DetectorEvent[]> = {
  // A regression starts up to REGRESSION_LOOKBACK_MS before it is found; it counts while its window reaches the rule's days.
  read: readEvents('regression', spikeSince, (since) => new Date(since.getTime() - REGRESSION_LOOKBACK_MS)),
  detect: detectRegressionAlerts,
  mayAct: (_rule, reading) => (reading ?? []).length > 0,
};

const mentionDetector: Detector<Date | null> = {
  // When the newest post naming each rule's entity was fetched, if after the rule's cursor.
  read: async (db, rules, context) => {
    const createdSince = new Date(context.now.getTime() - MENTION_MAX_AGE_MS);
    const starts = rules.map((r) => mentionScanStart(r).getTime()).filter(Number.isFinite);
    if (starts.length === 0) return new Map();
    const fetchedSince = new Date(Math.min(...starts));
    const latest = await getLatestFetchedByEntity(db, { entityIds: entityIdsOf(rules), fetchedSince, createdSince });
    return new Map(rules.map((rule) => [rule.id, latest.get(rule.entityId) ?? null]));
  },
  detect: (db, rule, _reading, context) => detectMentions(db, rule, context),
  // A cursor that does not read as a time is judged alone (and fails there, alone).
  mayAct: (rule, reading) => {
    const start = mentionScanStart(rule).getTime();
    return Number.isNaN(start) || (reading != null && reading.getTime() >= start);
  },
};

const DETECTORS: Record<EntityAlertRule['kind'], Detector<unknown>> = {
  shift: shiftDetector,
  aspect: aspectDetector,
  spike: spikeDetector,
  mention: mentionDetector,
  regression: regressionDetector,
};

/** The rule's window ending at the last whole hour before now, and the window of the same length before it. */
function windowsOf(rule: EntityAlertRule, now: Date): { previousFrom: Date; from: Date; to: Date } {
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

async function detectShift(db: Executor, rule: EntityAlertRule, sums: RollupSums[] | undefined, context: Context): Promise<Detection> {
  const { previousFrom, from, to } = windowsOf(rule, context.now);
  const [previous, current] = sums ?? [];
  if (!previous || !current || previous.n < rule.minMentions || current.n < rule.minMentions) return { candidates: [], state: rule.state };
  const net = rule.metric === 'net';
  const change = net ? compareNet(current, previous) : compareMean(current, previous);
  const series = `shift:${net ? 'net' : 'mean'}`;
  const { fire, next } = judgeMove(change, rule.state.armed?.[series], {
    threshold: rule.threshold ?? 0.15,
    direction: rule.direction,
    rearmFraction: REARM_FRACTION,
  });
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
          const explanation = await tryExplain(db, (d) =>
            explainEntityWindow(d, {
              entityId: rule.entityId,
              from,
              to,
              previousFrom,
              source: rule.source ?? undefined,
              measure: net ? 'negativeShare' : 'score',
            }),
          );
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
              : await loadPosts(
                  db,
                  rule.entityId,
                  await listTopPostIds(db, rule.entityId, from, to, fire === 'down' ? 'negative' : 'positive', TOP_POSTS),
                ),
            dashboardQuery: { source: rule.source },
          };
        },
      },
    ],
  };
}

async function detectAspectMoves(
  db: Executor,
  rule: EntityAlertRule,
  reading: AspectReading | undefined,
  context: Context,
): Promise<Detection> {
  const { from, to } = windowsOf(rule, context.now);
  const aspects = (reading?.aspects ?? []).filter((a) => rule.aspect === null || a.aspect === rule.aspect);
  const byPolarity = rule.metric === 'polarity';
  const totals = reading?.totals;
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
    const { fire, next } = judgeMove(change, state.armed?.[series], {
      threshold: rule.threshold ?? 0.1,
      direction: rule.direction,
      rearmFraction: REARM_FRACTION,
    });
    state = withArm(state, series, next);
    if (fire === null) continue;
    const format = byPolarity ? formatScore : formatShare;
    const aspect = aspectWords(entry.aspect);
    const label = byPolarity ? `Sentiment on ${aspect}` : `Share of mentions about ${aspect}`;
    const polarity = byPolarity ? (fire === 'down' ? 'negative' : 'positive') : null;
    candidates.push({
      eventKey: `${series}:${fire}:${to.toISOString()}`,
      message: async () => ({
        headline: byPolarity
          ? `${rule.entity.name}: sentiment on ${aspect} ${rose(fire)} from ${formatScore(change.previous)} to ${formatScore(change.current)} over the last ${window}`
          : `${rule.entity.name}: ${aspect} ${fire === 'up' ? 'came up in more' : 'came up in fewer'} mentions, ${formatShare(change.previous)} -> ${formatShare(change.current)} over the last ${window}`,
        summary:
          `${entry.current.n} mentions named ${aspect} in the last ${window} (${entry.current.negative} negative, ${entry.current.positive} positive), ` +
          `against ${entry.previous.n} (${entry.previous.negative} negative, ${entry.previous.positive} positive) in the ${window} before.`,
        figures: [changeFigure(label, change, format, `n = ${entry.current.n} against ${entry.previous.n}`)],
        posts: await loadPosts(
          db,
          rule.entityId,
          await listTopAspectPostIds(db, {
            entityId: rule.entityId,
            aspect: entry.aspect,
            from,
            to,
            polarity,
            source: rule.source,
            limit: TOP_POSTS,
          }),
        ),
        dashboardQuery: { aspect: entry.aspect, source: rule.source },
      }),
    });
  }
  return { candidates, state };
}

const dayOf = (date: Date) => date.toISOString().slice(0, 10);

/** The first day a spike rule looks at: the day before it existed (judged once over), at most SPIKE_MAX_AGE_MS back. */
function spikeSince(rule: EntityAlertRule, now: Date): Date {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const ruleDay = Math.floor(rule.createdAt.getTime() / DAY_MS) * DAY_MS - DAY_MS;
  return new Date(Math.max(ruleDay, today - SPIKE_MAX_AGE_MS));
}

/** The spikes of a rule's kind and direction among its entity's spike events. */
function spikesOf(rule: EntityAlertRule, events: DetectorEvent[]) {
  return events
    .map((event) => ({
      event,
      kind: String(event.details.spikeKind ?? 'volume'),
      direction: event.details.direction === 'down' ? ('down' as const) : ('up' as const),
    }))
    .filter((s) => (rule.metric === null || s.kind === rule.metric) && (rule.direction === 'both' || rule.direction === s.direction));
}

async function detectSpikeAlerts(
  db: Executor,
  rule: EntityAlertRule,
  events: DetectorEvent[] | undefined,
  context: Context,
): Promise<Detection> {
  const keyOf = (kind: string, direction: string, day: Date) => `spike:${kind}:${direction}:${dayOf(day)}`;
  const spikes = spikesOf(rule, events ?? []);
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
            {
              label: volume ? 'Mentions that day' : 'Negative share that day',
              value: `${shown(baseline)} -> ${shown(value)}`,
              detail: `robust z-score ${Number(details.zScore).toFixed(1)} against the trailing 28-day median`,
            },
          ],
          posts: explanation?.posts.length
            ? explanationPosts(explanation)
            : await loadPosts(db, rule.entityId, topPostIds.slice(0, TOP_POSTS)),
        };
      },
    };
  });
  return { candidates, state: rule.state };
}

/**
 * One alert per regression: its event keeps its id while it continues, so the key does too. The
 * message gives what was expected against what was seen, and the likely layer when one stands out.
 */
async function detectRegressionAlerts(
  db: Executor,
  rule: EntityAlertRule,
  events: DetectorEvent[] | undefined,
  context: Context,
): Promise<Detection> {
  const candidates = (events ?? []).map((event): Candidate => {
    const details = event.details;
    const releaseAt = typeof details.releaseAt === 'string' ? dayOf(new Date(details.releaseAt)) : null;
    const layer = (details.attribution as { layer?: unknown } | undefined)?.layer;
    const topPostIds = Array.isArray(details.topPostIds) ? details.topPostIds.map(Number).filter(Number.isFinite) : [];
    return {
      eventKey: `regression:${event.externalId}`,
      message: async () => {
        const explanation = await tryExplain(db, (d) => explainEvent(d, event.id, { now: context.now }));
        const judged =
          `Mean sentiment ${formatScore(Number(details.observed))} against an expected ${formatScore(Number(details.expected))}` +
          ` (${Number(details.n)} mentions from ${dayOf(event.occurredAt)}${releaseAt ? `, after the release of ${releaseAt}` : ''}).`;
        return {
          headline: event.title,
          summary: explanation ? `${summarizeExplanation(explanation)} ${judged}` : judged,
          figures: [
            {
              label: 'Mean sentiment',
              value: `${formatScore(Number(details.expected))} expected -> ${formatScore(Number(details.observed))}`,
              detail: `confidence ${formatShare(Number(details.confidence))}`,
            },
            ...(typeof layer === 'string' && layer !== 'unclear' ? [{ label: 'Likely layer', value: layer }] : []),
          ],
          posts: explanation?.posts.length
            ? explanationPosts(explanation)
            : await loadPosts(db, rule.entityId, topPostIds.slice(0, TOP_POSTS)),
        };
      },
    };
  });
  return { candidates, state: rule.state };
}

/** Where a mention rule's scan starts: its cursor less the overlap, never before the rule existed. */
function mentionScanStart(rule: EntityAlertRule): Date {
  const overlapped = rule.state.mentionCursor ? new Date(rule.state.mentionCursor).getTime() - MENTION_OVERLAP_MS : 0;
  return new Date(Math.max(overlapped, rule.createdAt.getTime()));
}

async function detectMentions(db: Executor, rule: EntityAlertRule, context: Context): Promise<Detection> {
  // The cursor is on the database's clock, the one that stamps fetched_at. A new rule starts at its
  // creation; later scans re-read an overlap before the cursor for transactions that committed late.
  const scanStart = await getDatabaseNow(db);
  const fetchedSince = mentionScanStart(rule);
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
  const candidates = found.map((post): Candidate => ({
    eventKey: `mention:${post.postId}`,
    message: async () => {
      const alertPost = toAlertPost({ ...post, label: post.label });
      return {
        headline: `${rule.entity.name} on ${post.source}: ${alertPost.title}`,
        summary: toExcerpt(post.body, 500),
        figures: [
          { label: `Opinion of ${rule.entity.name}`, value: `${post.label} (${formatScore(post.score)})` },
          ...(post.aspects.length ? [{ label: 'Aspects', value: post.aspects.map(aspectWords).join(', ') }] : []),
          ...(post.engagement > 0 ? [{ label: 'Engagement', value: String(post.engagement) }] : []),
        ],
        posts: [alertPost],
      };
    },
  }));
  return { candidates, state: { ...rule.state, mentionCursor: next.toISOString() } };
}
