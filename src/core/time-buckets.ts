import { z } from 'zod';

export const Bucket = z.enum(['hour', 'day', 'week', 'month']);
export type Bucket = z.infer<typeof Bucket>;

const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** True for names Intl knows (IANA zones and their aliases); bare offsets like "+05:00" are refused. */
export function isValidTimeZone(tz: string): boolean {
  if (!IANA_NAME.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const TimeZone = z.string().refine(isValidTimeZone, {
  message: 'must be an IANA time-zone name such as UTC or Europe/Berlin',
});
export type TimeZone = z.infer<typeof TimeZone>;

/**
 * A valid name in its proper case ("europe/berlin" -> "Europe/Berlin"). A name ICU takes as an alias
 * keeps the caller's spelling: ICU resolves Asia/Kolkata, IANA's own name, to the older Asia/Calcutta.
 */
export function normalizeTimeZone(tz: string): string {
  const resolved = getFormatter(tz).resolvedOptions().timeZone;
  return resolved.toLowerCase() === tz.toLowerCase() ? resolved : tz;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A calendar date with a 1-based month; out-of-range days and months roll over like Date.UTC. */
interface CivilDate {
  year: number;
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function getFormatter(tz: string): Intl.DateTimeFormat {
  let formatter = formatters.get(tz);
  if (formatter === undefined) {
    if (!isValidTimeZone(tz)) throw new RangeError(`unknown time zone: ${tz}`);
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, formatter);
  }
  return formatter;
}

function modulo(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

/** Milliseconds since the epoch of a wall-clock reading taken as if it were UTC. */
function toWallMs(date: CivilDate, hour = 0, minute = 0, second = 0): number {
  const result = new Date(Date.UTC(2000, 0, 1, hour, minute, second));
  result.setUTCFullYear(date.year, date.month - 1, date.day);
  return result.getTime();
}

function toCivilDate(wallMs: number): CivilDate {
  const date = new Date(wallMs);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

const FORMATTED = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+):(\d+)$/;

/** Local wall-clock reading of an instant; parsing format() is three times faster than formatToParts(). */
function readWallMs(ms: number, formatter: Intl.DateTimeFormat): number {
  const match = FORMATTED.exec(formatter.format(ms));
  if (match !== null) {
    const [, month, day, year, hour, minute, second] = match.map(Number);
    return toWallMs({ year: year ?? NaN, month: month ?? NaN, day: day ?? NaN }, hour, minute, second);
  }
  const parts = formatter.formatToParts(ms);
  const read = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((part) => part.type === type)?.value);
  return toWallMs({ year: read('year'), month: read('month'), day: read('day') }, read('hour'), read('minute'), read('second'));
}

/** Local time minus UTC, in milliseconds, at the given instant. */
function getOffsetMs(ms: number, tz: string): number {
  if (tz === 'UTC') return 0;
  return readWallMs(ms, getFormatter(tz)) - (ms - modulo(ms, 1000));
}

function readLocalDate(ms: number, tz: string): CivilDate {
  return toCivilDate(ms + getOffsetMs(ms, tz));
}

interface ResolvedMidnight {
  ms: number;
  offsetMs: number;
}

/**
 * The first instant of a local calendar day. `hintOffsetMs` is the offset at an instant of the day
 * before; it is kept when it still reads back as midnight, so a run of days costs one Intl call each.
 */
function resolveLocalMidnight(date: CivilDate, tz: string, hintOffsetMs?: number): ResolvedMidnight {
  const wall = toWallMs(date);
  if (hintOffsetMs !== undefined) {
    const guess = wall - hintOffsetMs;
    if (getOffsetMs(guess, tz) === hintOffsetMs) return { ms: guess, offsetMs: hintOffsetMs };
  }
  const offsetBefore = getOffsetMs(wall - DAY_MS, tz);
  const offsetAfter = getOffsetMs(wall + DAY_MS, tz);
  const candidates = [wall - offsetBefore, wall - offsetAfter].sort((a, b) => a - b);
  for (const candidate of candidates) {
    const offsetMs = getOffsetMs(candidate, tz);
    if (candidate + offsetMs === wall) return { ms: candidate, offsetMs };
  }
  // Midnight was skipped by a forward shift: the day begins at the shift, found by bisection.
  let low = candidates[0] ?? wall;
  let high = candidates[1] ?? wall;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (middle + getOffsetMs(middle, tz) >= wall) high = middle;
    else low = middle;
  }
  return { ms: high, offsetMs: getOffsetMs(high, tz) };
}

function startCivilBucket(date: CivilDate, bucket: Exclude<Bucket, 'hour'>): CivilDate {
  if (bucket === 'day') return date;
  if (bucket === 'month') return { ...date, day: 1 };
  const weekday = new Date(toWallMs(date)).getUTCDay();
  return toCivilDate(toWallMs({ ...date, day: date.day - modulo(weekday - 1, 7) }));
}

function advanceCivilBucket(date: CivilDate, bucket: Exclude<Bucket, 'hour'>): CivilDate {
  if (bucket === 'month') return toCivilDate(toWallMs({ ...date, month: date.month + 1 }));
  return toCivilDate(toWallMs({ ...date, day: date.day + (bucket === 'week' ? 7 : 1) }));
}

function readInstant(instant: Date): number {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid date');
  return ms;
}

function startHourMs(ms: number, tz: string): number {
  return ms - modulo(ms + getOffsetMs(ms, tz), HOUR_MS);
}

function startBucketMs(ms: number, bucket: Bucket, tz: string): number {
  if (bucket === 'hour') return startHourMs(ms, tz);
  return resolveLocalMidnight(startCivilBucket(readLocalDate(ms, tz), bucket), tz).ms;
}

/**
 * Start of the bucket holding `instant`: local hour, local midnight, local Monday midnight (ISO week)
 * or the first local midnight of the month. Where a forward shift skips midnight, the day starts at the shift.
 */
export function bucketStart(instant: Date, bucket: Bucket, tz = 'UTC'): Date {
  return new Date(startBucketMs(readInstant(instant), bucket, tz));
}

/** Start of the bucket after the one holding `instant` (23 or 25 hours later for a day across a DST shift). */
export function nextBucketStart(instant: Date, bucket: Bucket, tz = 'UTC'): Date {
  const ms = readInstant(instant);
  if (bucket === 'hour') return new Date(nextHourMs(startHourMs(ms, tz), tz));
  const offsetMs = getOffsetMs(ms, tz);
  const start = startCivilBucket(toCivilDate(ms + offsetMs), bucket);
  return new Date(resolveLocalMidnight(advanceCivilBucket(start, bucket), tz, offsetMs).ms);
}

function nextHourMs(start: number, tz: string): number {
  return Math.max(startHourMs(start + HOUR_MS, tz), start + 1);
}

/** Hour starts in [fromMs, toMs), a day at a time: where the offset's minutes agree at both ends, every hour is one hour long. */
function enumerateHourStarts(fromMs: number, toMs: number, tz: string): number[] {
  const starts: number[] = [];
  let start = startHourMs(fromMs, tz);
  if (start < fromMs) start = nextHourMs(start, tz);
  while (start < toMs) {
    const chunkEnd = Math.min(start + DAY_MS, toMs);
    const steady = modulo(getOffsetMs(start, tz), HOUR_MS) === modulo(getOffsetMs(chunkEnd, tz), HOUR_MS);
    for (; start < chunkEnd; start = steady ? start + HOUR_MS : nextHourMs(start, tz)) starts.push(start);
  }
  return starts;
}

/** Every bucket start s with from <= s < to, in order; the caller fills buckets without data with n = 0. */
export function enumerateBuckets(from: Date, to: Date, bucket: Bucket, tz = 'UTC'): Date[] {
  const fromMs = readInstant(from);
  const toMs = readInstant(to);
  if (bucket === 'hour') return enumerateHourStarts(fromMs, toMs, tz).map((ms) => new Date(ms));
  const starts: Date[] = [];
  let civil = startCivilBucket(readLocalDate(fromMs, tz), bucket);
  let start = resolveLocalMidnight(civil, tz);
  while (start.ms < toMs) {
    if (start.ms >= fromMs) starts.push(new Date(start.ms));
    civil = advanceCivilBucket(civil, bucket);
    start = resolveLocalMidnight(civil, tz, start.offsetMs);
  }
  return starts;
}

/** A number that grows by one from each bucket to the next. */
function ordinalOfBucket(ms: number, bucket: Bucket, tz: string): number {
  if (bucket === 'hour') return Math.floor((ms + modulo(getOffsetMs(ms, tz), HOUR_MS)) / HOUR_MS);
  const date = readLocalDate(ms, tz);
  if (bucket === 'month') return date.year * 12 + date.month - 1;
  const days = Math.round(toWallMs(date) / DAY_MS);
  // 1970-01-01 was a Thursday, so day -3 is the Monday that starts week 0.
  return bucket === 'day' ? days : Math.floor((days + 3) / 7);
}

/** How many starts `enumerateBuckets` would return, without building them (to refuse huge requests cheaply). */
export function countBuckets(from: Date, to: Date, bucket: Bucket, tz = 'UTC'): number {
  const fromMs = readInstant(from);
  const toMs = readInstant(to);
  if (toMs <= fromMs) return 0;
  return ordinalOfBucket(toMs - 1, bucket, tz) - ordinalOfBucket(fromMs - 1, bucket, tz);
}

/** True when every instant is a whole UTC hour, i.e. hourly rollups recombine into these boundaries exactly. */
export function areUtcHourStarts(instants: readonly Date[]): boolean {
  return instants.every((instant) => modulo(readInstant(instant), HOUR_MS) === 0);
}
