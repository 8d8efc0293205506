import { dateFormat } from './format.ts';

export const RANGES = ['7d', '30d', '90d', '1y', 'custom'] as const;
export type RangeKey = (typeof RANGES)[number];
export const BUCKETS = ['hour', 'day', 'week', 'month'] as const;
export type BucketKey = (typeof BUCKETS)[number];

const RANGE_DAYS: Record<Exclude<RangeKey, 'custom'>, number> = { '7d': 7, '30d': 30, '90d': 90, '1y': 365 };
const DAY_MS = 86_400_000;

export interface TimeWindow {
  range: RangeKey;
  /** ISO dates (YYYY-MM-DD) in `tz`, `to` exclusive. */
  from: string;
  to: string;
  bucket: BucketKey;
  days: number;
  /** The IANA zone whose days the window and its buckets follow. */
  tz: string;
  /** What the API is asked for: the dates as they are in UTC, else the zone's midnights as instants, with `tz` for bucket edges. */
  api: { from: string; to: string; tz: string | undefined };
}

/** "+01:00" for Europe/Berlin in winter: the zone's offset at `instant`, from Intl (no zone data shipped). */
export function zoneOffset(tz: string, instant: Date): string {
  const name =
    dateFormat({ timeZone: tz, timeZoneName: 'longOffset' })
      .formatToParts(instant)
      .find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = name.match(/^GMT([+-]\d{2}):?(\d{2})?$/);
  return match ? `${match[1]}:${match[2] ?? '00'}` : '+00:00';
}

const offsetMs = (offset: string): number =>
  (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000;

/** Midnight starting `day` in `tz`, as an ISO instant with the zone's offset then (a DST change moves it). */
export function zoneMidnight(day: string, tz: string): string {
  const wall = Date.parse(`${day}T00:00:00Z`);
  let offset = zoneOffset(tz, new Date(wall));
  offset = zoneOffset(tz, new Date(wall - offsetMs(offset)));
  return `${day}T00:00:00${offset}`;
}

/** Today's date in `tz`. */
function zoneToday(tz: string, now: Date): string {
  const parts = dateFormat({ timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** A zone this browser knows, by its IANA name. */
export function isTimeZone(value: string | null): value is string {
  if (!value || !/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const isoDay = (date: Date): string => date.toISOString().slice(0, 10);
const isIsoDay = (value: string | null): value is string =>
  value !== null && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value));

/** Hour buckets only up to a month (the chart would be unreadable, and the API caps points). */
export function isBucketAllowed(bucket: BucketKey, days: number): boolean {
  if (bucket === 'hour') return days <= 31;
  if (bucket === 'month') return days >= 60;
  return true;
}

export function defaultBucket(days: number): BucketKey {
  return days <= 2 ? 'hour' : days <= 45 ? 'day' : 'week';
}

/**
 * The window a page shows, read from its query parameters: a preset range ending with today
 * (whole days, so the same link shows the same buckets all day), or a custom from/to; days are
 * UTC days unless `tz` names another zone.
 */
export function readTimeWindow(query: URLSearchParams, now: Date = new Date()): TimeWindow {
  const tzParam = query.get('tz');
  const tz = tzParam && tzParam !== 'UTC' && isTimeZone(tzParam) ? tzParam : 'UTC';
  const rangeParam = query.get('range');
  const fromParam = query.get('from');
  const toParam = query.get('to');
  let range: RangeKey = (RANGES as readonly string[]).includes(rangeParam ?? '') ? (rangeParam as RangeKey) : '30d';
  let from: string;
  let to: string;
  if (range === 'custom' && isIsoDay(fromParam) && isIsoDay(toParam) && fromParam < toParam) {
    from = fromParam;
    to = toParam;
  } else {
    if (range === 'custom') range = '30d';
    const end = new Date(Date.parse(zoneToday(tz, now)) + DAY_MS);
    to = isoDay(end);
    from = isoDay(new Date(end.getTime() - RANGE_DAYS[range] * DAY_MS));
  }
  const days = Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
  const bucketParam = query.get('bucket');
  const wanted = (BUCKETS as readonly string[]).includes(bucketParam ?? '') ? (bucketParam as BucketKey) : defaultBucket(days);
  const bucket = isBucketAllowed(wanted, days) ? wanted : defaultBucket(days);
  const api = tz === 'UTC' ? { from, to, tz: undefined } : { from: zoneMidnight(from, tz), to: zoneMidnight(to, tz), tz };
  return { range, from, to, bucket, days, tz, api };
}

/** The query keys that make up a period: carried from page to page so every page shows the same one. */
export const PERIOD_KEYS = ['range', 'from', 'to', 'bucket', 'tz'] as const;

/** The period parameters of `query` (only those present), to carry into a link to another page. */
export function readPeriodParams(query: URLSearchParams): Record<string, string> {
  const period: Record<string, string> = {};
  for (const key of PERIOD_KEYS) {
    const value = query.get(key);
    if (value) period[key] = value;
  }
  return period;
}

/** The last day a window includes: the day before its exclusive `to` (what a "To" field shows). */
export function lastDayOf(to: string): string {
  return isoDay(new Date(Date.parse(to) - DAY_MS));
}

/** The exclusive end for an inclusive last day: the day after it. */
export function endAfter(day: string): string {
  return isoDay(new Date(Date.parse(day) + DAY_MS));
}

const PERIOD_NAMES: Record<Exclude<RangeKey, 'custom'>, string> = {
  '7d': 'the last 7 days',
  '30d': 'the last 30 days',
  '90d': 'the last 90 days',
  '1y': 'the last year',
};

/** The window in words: "the last 30 days", or "Jan 1 – Jan 14, 2026" (both days included) for a custom one. */
export function describeWindow(w: TimeWindow): string {
  if (w.range !== 'custom') return PERIOD_NAMES[w.range];
  const day = (iso: string, year: boolean) =>
    dateFormat({ month: 'short', day: 'numeric', timeZone: 'UTC', ...(year ? { year: 'numeric' } : {}) }).format(new Date(iso));
  const last = lastDayOf(w.to);
  return `${day(w.from, w.from.slice(0, 4) !== last.slice(0, 4))} – ${day(last, true)}`;
}

/**
 * The period to offer when a view is empty but mentions are stored (imported history, say): the
 * year up to and including the newest stored day, or from the oldest stored day when that is
 * nearer. Days are YYYY-MM-DD; null when nothing is stored.
 */
export function storedPeriod(days: ReadonlyArray<{ first: string | null; last: string | null }>): { from: string; to: string } | null {
  const firsts = days.map((d) => d.first).filter((d): d is string => d !== null);
  const lasts = days.map((d) => d.last).filter((d): d is string => d !== null);
  if (firsts.length === 0 || lasts.length === 0) return null;
  const to = endAfter(lasts.reduce((a, b) => (a > b ? a : b)));
  const yearBefore = isoDay(new Date(Date.parse(to) - RANGE_DAYS['1y'] * DAY_MS));
  const oldest = firsts.reduce((a, b) => (a < b ? a : b));
  return { from: oldest > yearBefore ? oldest : yearBefore, to };
}

/** `query` with its period replaced by the custom days from..to (the zone kept, the bucket left to fit). */
export function withCustomPeriod(query: URLSearchParams, period: { from: string; to: string }): URLSearchParams {
  const next = new URLSearchParams(query);
  next.delete('bucket');
  next.set('range', 'custom');
  next.set('from', period.from);
  next.set('to', period.to);
  return next;
}
