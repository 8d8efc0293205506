import type { EntityEvent, SeriesPoint } from '../api/types.ts';
import { dateFormat } from '../lib/format.ts';

/** Below this many mentions a bucket's mean is drawn damped (thin, dashed, grey): one or two posts swing it. */
export const LOW_SAMPLE_N = 10;
/** Scores within this distance of 0 are neither positive nor negative (the same cut as scoreTone). */
export const NEUTRAL_BAND = 0.05;
/** Event markers closer than this (CSS pixels) are merged into one marker listing them all. */
export const MARKER_MIN_GAP = 22;

export type BucketSize = 'hour' | 'day' | 'week' | 'month';

/** Why a bucket's numbers cover less than the whole bucket. */
export type Incompleteness = 'starts-before-window' | 'ends-after-window' | 'in-progress';

/** One bucket as the charts, tooltips and tables show it. */
export interface BucketView {
  index: number;
  start: Date;
  /** Exclusive end of the whole bucket (not clipped to the window). */
  end: Date;
  n: number;
  positive: number;
  neutral: number;
  negative: number;
  score: number | null;
  scoreLow: number | null;
  scoreHigh: number | null;
  lowSample: boolean;
  incomplete: Incompleteness | null;
}

/** Whether a bucket's mean rests on too few mentions to read on its own (an empty bucket has no mean at all). */
export const isLowSample = (n: number): boolean => n > 0 && n < LOW_SAMPLE_N;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Where the bucket starting at `start` ends: the next bucket's start when the series has one (exact in
 * any zone), else one bucket later by the UTC calendar (the dashboard asks for UTC buckets).
 */
export function bucketEnd(start: Date, bucket: BucketSize, nextStart?: Date): Date {
  if (nextStart) return nextStart;
  const ms = start.getTime();
  if (bucket === 'hour') return new Date(ms + HOUR_MS);
  if (bucket === 'day') return new Date(ms + DAY_MS);
  if (bucket === 'week') return new Date(ms + 7 * DAY_MS);
  return new Date(
    Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, start.getUTCDate(), start.getUTCHours(), start.getUTCMinutes()),
  );
}

/**
 * Whether the window cuts through a bucket: the first bucket may start before `from` (a week or month
 * bucket begins on its own calendar boundary), the last may end after `to`, and the bucket holding
 * `now` is still filling.
 */
export function findIncompleteness(start: Date, end: Date, window: { from: Date; to: Date }, now: Date): Incompleteness | null {
  if (start.getTime() < window.from.getTime()) return 'starts-before-window';
  if (start.getTime() <= now.getTime() && now.getTime() < end.getTime() && now.getTime() < window.to.getTime()) return 'in-progress';
  if (end.getTime() > window.to.getTime()) return 'ends-after-window';
  return null;
}

export const INCOMPLETE_TEXT: Record<Incompleteness, string> = {
  'starts-before-window': 'partial: the window starts inside this bucket',
  'ends-after-window': 'partial: the window ends inside this bucket',
  'in-progress': 'partial: this bucket is still in progress',
};

/** The series as buckets with their full ranges, sample-size flag and completeness. */
export function describeBuckets(
  series: readonly (
    Pick<SeriesPoint, 'bucketStart' | 'n' | 'positive' | 'neutral' | 'negative' | 'score' | 'scoreLow' | 'scoreHigh'> | null | undefined
  )[],
  window: { from: string; to: string; bucket: BucketSize },
  now: Date = new Date(),
): BucketView[] {
  const from = new Date(window.from);
  const to = new Date(window.to);
  const starts = series.map((p) => (p ? new Date(p.bucketStart) : null));
  const views: BucketView[] = [];
  series.forEach((p, index) => {
    const start = starts[index];
    if (!p || !start) return;
    const end = bucketEnd(start, window.bucket, starts[index + 1] ?? undefined);
    views.push({
      index,
      start,
      end,
      n: p.n,
      positive: p.positive,
      neutral: p.neutral,
      negative: p.negative,
      score: p.score,
      scoreLow: p.scoreLow,
      scoreHigh: p.scoreHigh,
      lowSample: isLowSample(p.n),
      incomplete: findIncompleteness(start, end, { from, to }, now),
    });
  });
  return views;
}

const floorTo = (value: number, step: number) => Math.floor(value / step + 1e-9) * step;
const ceilTo = (value: number, step: number) => Math.ceil(value / step - 1e-9) * step;

/**
 * A score axis fitted to the data rather than fixed at -1..+1: always holding 0 with the neutral band
 * around it, padded by a tenth of the span, on 0.05 steps, never past -1 or +1. `values` are what must
 * be visible (means, and the intervals of buckets with enough mentions); a low-sample interval is
 * clipped to the axis instead of stretching it.
 */
export function scoreAxisRange(values: Iterable<number | null | undefined>): [number, number] {
  let min = -2 * NEUTRAL_BAND;
  let max = 2 * NEUTRAL_BAND;
  for (const value of values) {
    if (value === null || value === undefined || !Number.isFinite(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const padding = (max - min) * 0.1;
  const low = Math.max(-1, floorTo(min - padding, 0.05));
  const high = Math.min(1, ceilTo(max + padding, 0.05));
  return [Number(low.toFixed(2)), Number(high.toFixed(2))];
}

/**
 * What the score axis must show: the means and intervals of well-sampled buckets. A low-sample mean
 * (one post can put it at -1) does not stretch the axis; it is drawn at the edge with an arrow
 * (see offScale). When no bucket is well sampled, every mean counts, so the line is never all arrows.
 * Without drawn intervals (several lines on one chart), only the means count.
 */
export function axisValues(buckets: readonly BucketView[], withIntervals = true): number[] {
  const values: number[] = [];
  for (const b of buckets) {
    if (b.lowSample || b.score === null) continue;
    values.push(b.score);
    if (withIntervals && b.scoreLow !== null && b.scoreHigh !== null) values.push(b.scoreLow, b.scoreHigh);
  }
  if (values.length > 0) return values;
  return buckets.flatMap((b) => (b.score === null ? [] : [b.score]));
}

/** Whether a mean lies beyond the axis, and on which side: drawn clamped to the edge with an arrow. */
export function offScale(value: number | null, [low, high]: readonly [number, number]): 'above' | 'below' | null {
  if (value === null) return null;
  return value > high ? 'above' : value < low ? 'below' : null;
}

/** `value` held inside [low, high]; null stays null. */
export const clampTo = (value: number | null, [low, high]: readonly [number, number]): number | null =>
  value === null ? null : Math.min(high, Math.max(low, value));

/**
 * The mean split into two drawable lines: `solid` keeps the means of buckets with enough mentions (so
 * a segment is solid only between two such buckets), `damped` keeps the low-sample means and the
 * segments that touch one. `dampedPoints` are the indices whose dot is drawn greyed.
 */
export function splitDamped(buckets: readonly { n: number; score: number | null }[]): {
  solid: Array<number | null>;
  damped: Array<number | null>;
  solidPoints: number[];
  dampedPoints: number[];
} {
  const low = buckets.map((b) => b.score !== null && isLowSample(b.n));
  const solid = buckets.map((b, i) => (b.score !== null && !low[i] ? b.score : null));
  const damped = buckets.map((b, i) => (b.score !== null && (low[i] || low[i - 1] === true || low[i + 1] === true) ? b.score : null));
  const solidPoints: number[] = [];
  const dampedPoints: number[] = [];
  buckets.forEach((b, i) => {
    if (b.score === null) return;
    (low[i] ? dampedPoints : solidPoints).push(i);
  });
  return { solid, damped, solidPoints, dampedPoints };
}

/** One marker on a chart: one event, or several merged because they sit too close to tell apart. */
export interface MarkerGroup {
  /** CSS pixels from the plot's left edge (the first event's position). */
  x: number;
  events: EntityEvent[];
}

/**
 * Events placed on the x axis without overlap: sorted by position, an event closer than `minGap` to
 * the group's first event joins that group, so consecutive markers are at least `minGap` apart.
 * Events outside [0, width] are left out.
 */
export function layoutMarkers(
  events: readonly EntityEvent[],
  xOf: (event: EntityEvent) => number,
  width: number,
  minGap = MARKER_MIN_GAP,
): MarkerGroup[] {
  const placed = events
    .map((event) => ({ event, x: xOf(event) }))
    .filter((p) => Number.isFinite(p.x) && p.x >= 0 && p.x <= width)
    .sort((a, b) => a.x - b.x || a.event.id - b.event.id);
  const groups: MarkerGroup[] = [];
  for (const { event, x } of placed) {
    const last = groups[groups.length - 1];
    if (last && x - last.x < minGap) last.events.push(event);
    else groups.push({ x, events: [event] });
  }
  return groups;
}

/** The event kinds of a group, most telling first: a regression, spike or incident outranks a release or note. */
export function leadingKind(group: MarkerGroup): EntityEvent['kind'] {
  const order: EntityEvent['kind'][] = ['regression', 'spike', 'incident', 'release', 'note'];
  for (const kind of order) if (group.events.some((e) => e.kind === kind)) return kind;
  return group.events[0]?.kind ?? 'note';
}

/** Top post ids a spike event stores in its details (pipeline/spikes.ts), if any. */
export function readTopPostIds(event: EntityEvent): number[] {
  const ids = event.details.topPostIds;
  return Array.isArray(ids) ? ids.filter((id): id is number => typeof id === 'number' && Number.isInteger(id)) : [];
}

/**
 * "Mar 3, 2026" for a day bucket, "Mar 3 – Mar 9, 2026" for longer ones, with hours for hour buckets,
 * read in the zone the buckets were cut in (a Tokyo day starts at 15:00 UTC the day before).
 */
export function formatBucketRange(start: Date, end: Date, bucket: BucketSize, tz = 'UTC'): string {
  const last = new Date(end.getTime() - 1);
  const day = (d: Date, year: boolean) =>
    dateFormat({ month: 'short', day: 'numeric', ...(year ? { year: 'numeric' } : {}), timeZone: tz }).format(d);
  if (bucket === 'hour') {
    const time = (d: Date) => dateFormat({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: tz }).format(d);
    return `${day(start, true)} ${time(start)}–${time(end)} ${tz}`;
  }
  if (bucket === 'day') return day(start, true);
  return `${day(start, false)} – ${day(last, true)}`;
}
