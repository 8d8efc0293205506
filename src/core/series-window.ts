import { ValidationError } from './errors.ts';
import { bucketStart, countBuckets, enumerateBuckets, normalizeTimeZone, type Bucket } from './time-buckets.ts';

export const DEFAULT_WINDOW_DAYS = 30;
/**
 * More points than any chart can show, counted over every series of one request (buckets x entities);
 * refusing them keeps one request from scanning years by the hour or building megabytes of JSON.
 */
export const MAX_SERIES_POINTS = 5_000;
/** Nothing VibeCheck stores predates this; an earlier `from` is a typo, not a question. */
export const EARLIEST_DATE = new Date('2000-01-01T00:00:00Z');
const MAX_FUTURE_MS = 366 * 24 * 3_600_000;
const DAY_MS = 86_400_000;

export interface SeriesWindowInput {
  from?: Date | undefined;
  to?: Date | undefined;
  bucket?: Bucket | undefined;
  tz?: string | undefined;
}

export interface SeriesWindow {
  /** The requested range, defaults applied. */
  from: Date;
  to: Date;
  bucket: Bucket;
  tz: string;
  /** Start of every bucket overlapping [from, to): the first begins at or before `from`. */
  starts: Date[];
  /** Data is read up to here: `to`, so the last bucket may be partial. */
  end: Date;
}

/** The previous window of the same length, ending where this one starts. */
export function previousRange(from: Date, to: Date): { from: Date; to: Date } {
  const length = to.getTime() - from.getTime();
  return { from: new Date(from.getTime() - length), to: from };
}

/** [from, to) with the defaults applied (to = now, from = 30 days earlier), refused when reversed or absurd. */
export function planRange(input: { from?: Date | undefined; to?: Date | undefined }, now = new Date()): { from: Date; to: Date } {
  const to = input.to ?? now;
  const from = input.from ?? new Date(to.getTime() - DEFAULT_WINDOW_DAYS * DAY_MS);
  if (from.getTime() >= to.getTime()) throw new ValidationError('from: must be before to');
  if (from.getTime() < EARLIEST_DATE.getTime()) throw new ValidationError(`from: must not be before ${EARLIEST_DATE.toISOString()}`);
  if (to.getTime() > now.getTime() + MAX_FUTURE_MS) throw new ValidationError('to: must not be more than a year in the future');
  return { from, to };
}

/**
 * Applies the defaults (to = now, from = 30 days earlier, bucket = day, tz = UTC) and refuses what
 * cannot be answered exactly or cheaply, naming the parameter: from after to, ranges outside
 * 2000..now + 1 year, more than MAX_SERIES_POINTS points over `series` series. Any IANA zone is
 * answered: boundaries that split UTC hours (Asia/Kolkata) are summed from the mentions, not the rollups.
 */
export function planSeriesWindow(input: SeriesWindowInput, now = new Date(), series = 1): SeriesWindow {
  const { from, to } = planRange(input, now);
  const bucket = input.bucket ?? 'day';
  const tz = input.tz === undefined ? 'UTC' : normalizeTimeZone(input.tz);
  const first = bucketStart(from, bucket, tz);
  const points = countBuckets(first, to, bucket, tz);
  if (points * series > MAX_SERIES_POINTS) {
    const count =
      series === 1 ? `${points} ${bucket} buckets` : `${series} series x ${points} ${bucket} buckets = ${points * series} points`;
    const fewer = series === 1 ? '' : ' or fewer entities';
    throw new ValidationError(
      `bucket: ${count} from ${from.toISOString()} to ${to.toISOString()}; at most ${MAX_SERIES_POINTS} a request, choose a larger bucket, a shorter range${fewer}`,
    );
  }
  return { from, to, bucket, tz, starts: enumerateBuckets(first, to, bucket, tz), end: to };
}
