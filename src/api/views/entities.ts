import type { z } from '@hono/zod-openapi';
import { planRange, previousRange } from '../../core/series-window.ts';
import { addSums, compareWindows, computeShareOfVoice, EMPTY_SUMS, summarize, type RollupSums } from '../../core/stats.ts';
import { areUtcHourStarts, bucketStart, enumerateBuckets, type Bucket } from '../../core/time-buckets.ts';
import { getAspectWindowSums } from '../../db/queries/aspects.ts';
import type { EntityRecord, Executor } from '../../db/queries/entities.ts';
import { getBucketSums, getBucketSumsFromMentions } from '../../db/queries/series.ts';
import type { Entity, EntitySummary } from '../schemas.ts';

const DAY_MS = 24 * 3600 * 1000;
/** Without a window, the summary compares the last SUMMARY_DAYS UTC days (today included) with the ones before. */
const SUMMARY_DAYS = 7;
const SPARKLINE_DAYS = 30;

const sumDays = (days: RollupSums[]): RollupSums => days.reduce<RollupSums>((total, day) => addSums(total, day), { ...EMPTY_SUMS });
const MOVING_ASPECTS = 3;

/** The period a summary is over: [from, to), or the default last 7 days when neither is given; `source` narrows it to one source. */
export interface SummaryWindow {
  from?: Date | undefined;
  to?: Date | undefined;
  source?: string | undefined;
}

interface WindowSums {
  current: RollupSums;
  previous: RollupSums;
}

interface PlannedSummary {
  from: Date;
  to: Date;
  label: string;
  sums: Map<number, WindowSums>;
  sparkStarts: Date[];
  sparklines: Map<number, RollupSums[]>;
}

/** The sparkline's bucket for a window: daily up to about a quarter, then weekly, then monthly, so it stays under ~100 points. */
const sparklineBucket = (days: number): Bucket => (days <= 92 ? 'day' : days <= 731 ? 'week' : 'month');

/** "7d" for whole days, else the length in hours. */
const windowLabel = (from: Date, to: Date): string => {
  const ms = to.getTime() - from.getTime();
  return ms % DAY_MS === 0 ? `${ms / DAY_MS}d` : `${Math.round(ms / 3_600_000)}h`;
};

/** The last 7 UTC days against the 7 before, both read from the 30 daily buckets of the sparkline (one query). */
async function planDefaultSummary(db: Executor, ids: number[], now: Date, source: string | undefined): Promise<PlannedSummary> {
  const sparkStarts = enumerateBuckets(bucketStart(new Date(now.getTime() - (SPARKLINE_DAYS - 1) * DAY_MS), 'day'), now, 'day');
  const sparklines = await getBucketSums(db, { entityIds: ids, starts: sparkStarts, end: now, source });
  const sums = new Map(
    [...sparklines].map(([id, days]) => [
      id,
      { current: sumDays(days.slice(-SUMMARY_DAYS)), previous: sumDays(days.slice(-2 * SUMMARY_DAYS, -SUMMARY_DAYS)) },
    ]),
  );
  // Said to end with today (nothing is stored later than now): an answer that named `now` would change
  // every millisecond, and its ETag with it.
  const to = new Date(sparkStarts.at(-1)!.getTime() + DAY_MS);
  return { from: sparkStarts.at(-SUMMARY_DAYS)!, to, label: `${SUMMARY_DAYS}d`, sums, sparkStarts, sparklines };
}

/**
 * Exactly [from, to) against the window of the same length before it. Whole-hour boundaries (every
 * window the dashboard asks for) are read from the rollups; any other instant from the mentions
 * themselves, so no rollup hour widens the window. `ids` are summed (share of voice counts them
 * all); only `shownIds` get a sparkline.
 */
async function planWindowSummary(
  db: Executor,
  ids: number[],
  shownIds: number[],
  { from, to }: { from: Date; to: Date },
  source: string | undefined,
): Promise<PlannedSummary> {
  const previous = previousRange(from, to);
  const days = (to.getTime() - from.getTime()) / DAY_MS;
  const bucket = sparklineBucket(days);
  const sparkStarts = enumerateBuckets(bucketStart(from, bucket), to, bucket);
  const exact = areUtcHourStarts([previous.from, from, to]);
  const twoWindows = { entityIds: ids, starts: [previous.from, from], end: to, source };
  const [windows, sparklines] = await Promise.all([
    exact ? getBucketSums(db, twoWindows) : getBucketSumsFromMentions(db, twoWindows),
    getBucketSums(db, { entityIds: shownIds, starts: sparkStarts, end: to, source }),
  ]);
  const sums = new Map(
    [...windows].map(([id, [before, current]]) => [id, { current: current ?? { ...EMPTY_SUMS }, previous: before ?? { ...EMPTY_SUMS } }]),
  );
  return { from, to, label: windowLabel(from, to), sums, sparkStarts, sparklines };
}

/**
 * Entities with their summary over a period against the one of the same length before it (by
 * default the last 7 UTC days), in three queries whatever their number. `peers` are the entities
 * share of voice is counted among (same kind). `sparklines: false` leaves them empty (and, over a
 * window, skips their query: most of the work of a long one).
 */
export async function presentEntities(
  db: Executor,
  entities: EntityRecord[],
  options: { now?: Date; peers?: EntityRecord[]; window?: SummaryWindow; sparklines?: boolean } = {},
): Promise<Array<z.infer<typeof Entity>>> {
  const now = options.now ?? new Date();
  const window = options.window ?? {};
  const everyone = [...new Map([...(options.peers ?? entities), ...entities].map((e) => [e.id, e])).values()];
  const ids = entities.map((e) => e.id);
  const allIds = everyone.map((e) => e.id);
  const sparklines = options.sparklines ?? true;
  const windowed = window.from !== undefined || window.to !== undefined;
  const range = windowed
    ? planRange(window, now)
    : { from: bucketStart(new Date(now.getTime() - (SUMMARY_DAYS - 1) * DAY_MS), 'day'), to: now };
  const [plan, aspects] = await Promise.all([
    windowed
      ? planWindowSummary(db, allIds, sparklines ? ids : [], range, window.source)
      : planDefaultSummary(db, allIds, now, window.source),
    getAspectWindowSums(db, {
      entityIds: ids,
      from: range.from,
      to: range.to,
      previousFrom: previousRange(range.from, range.to).from,
      source: window.source,
    }),
  ]);
  const shareByKind = new Map(
    (['model', 'tool', 'vendor'] as const).map((kind) => [
      kind,
      computeShareOfVoice(
        Object.fromEntries(everyone.filter((e) => e.kind === kind).map((e) => [e.slug, plan.sums.get(e.id)?.current.n ?? 0])),
      ),
    ]),
  );
  return entities.map((entity) => {
    const sums = plan.sums.get(entity.id) ?? { current: EMPTY_SUMS, previous: EMPTY_SUMS };
    const point = summarize(sums.current);
    const comparison = compareWindows(sums.current, sums.previous);
    const moving = (aspects.get(entity.id) ?? [])
      .map((entry) => ({ entry, comparison: compareWindows(entry.current, entry.previous) }))
      .filter(({ comparison: c }) => c.change !== null)
      .sort(
        (a, b) => Math.abs(b.comparison.change ?? 0) - Math.abs(a.comparison.change ?? 0) || a.entry.aspect.localeCompare(b.entry.aspect),
      )
      .slice(0, MOVING_ASPECTS);
    const summary: z.infer<typeof EntitySummary> = {
      window: plan.label,
      from: plan.from.toISOString(),
      to: plan.to.toISOString(),
      source: window.source ?? null,
      n: sums.current.n,
      positive: sums.current.positive,
      neutral: sums.current.neutral,
      negative: sums.current.negative,
      previousN: sums.previous.n,
      score: point.score,
      scoreLow: point.scoreLow,
      scoreHigh: point.scoreHigh,
      previousScore: comparison.previousScore,
      change: comparison.change,
      significant: comparison.significant,
      netSentiment: point.netSentiment,
      weightedScore: point.weightedScore,
      changeLow: comparison.changeLow,
      changeHigh: comparison.changeHigh,
      pValue: comparison.pValue,
      shareOfVoice: shareByKind.get(entity.kind)?.[entity.slug] ?? null,
      aspectsMoving: moving.map(({ entry, comparison: c }) => ({
        aspect: entry.aspect,
        n: entry.current.n,
        score: c.currentScore,
        previousScore: c.previousScore,
        change: c.change,
      })),
      sparkline: (sparklines ? (plan.sparklines.get(entity.id) ?? []) : []).map((bucket, i) => ({
        bucketStart: (plan.sparkStarts[i] ?? now).toISOString(),
        n: bucket.n,
        score: bucket.n === 0 ? null : bucket.scoreSum / bucket.n,
      })),
    };
    return {
      slug: entity.slug,
      name: entity.name,
      kind: entity.kind,
      parent: entity.parent,
      aliases: entity.aliases,
      context: entity.disambiguation.context,
      homepage: entity.homepage,
      origin: entity.origin,
      summary,
    };
  });
}
