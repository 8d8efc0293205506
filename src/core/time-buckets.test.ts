import { describe, it, expect } from 'vitest';
import {
  areUtcHourStarts,
  bucketStart,
  countBuckets,
  enumerateBuckets,
  isValidTimeZone,
  nextBucketStart,
  normalizeTimeZone,
  TimeZone,
  type Bucket,
} from './time-buckets.ts';
import { createSeededRandom as createRandom } from './seeded-random.ts';

const HOUR = 3_600_000;
const at = (iso: string): Date => new Date(iso);
const isoList = (dates: Date[]): string[] => dates.map((date) => date.toISOString());
const hoursBetween = (a: Date, b: Date): number => (b.getTime() - a.getTime()) / HOUR;

describe('bucketStart in UTC', () => {
  const instant = at('2026-03-18T13:47:12.345Z'); // a Wednesday

  it('floors to the hour', () => {
    expect(bucketStart(instant, 'hour').toISOString()).toBe('2026-03-18T13:00:00.000Z');
  });

  it('floors to midnight for a day', () => {
    expect(bucketStart(instant, 'day').toISOString()).toBe('2026-03-18T00:00:00.000Z');
  });

  it('starts the ISO week on Monday', () => {
    expect(bucketStart(instant, 'week').toISOString()).toBe('2026-03-16T00:00:00.000Z');
  });

  it('keeps a Monday in its own week and puts a Sunday in the week before', () => {
    expect(bucketStart(at('2026-03-16T00:00:00Z'), 'week').toISOString()).toBe('2026-03-16T00:00:00.000Z');
    expect(bucketStart(at('2026-03-22T23:59:59Z'), 'week').toISOString()).toBe('2026-03-16T00:00:00.000Z');
  });

  it('starts a week that spans a year end in the old year', () => {
    expect(bucketStart(at('2027-01-01T10:00:00Z'), 'week').toISOString()).toBe('2026-12-28T00:00:00.000Z');
  });

  it('floors to the first of the month', () => {
    expect(bucketStart(instant, 'month').toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('is the identity on a bucket start', () => {
    expect(bucketStart(at('2026-03-01T00:00:00Z'), 'month').toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('refuses an invalid date', () => {
    expect(() => bucketStart(new Date('nope'), 'day')).toThrow(RangeError);
  });

  it('refuses an unknown time zone', () => {
    expect(() => bucketStart(instant, 'day', 'Mars/Olympus_Mons')).toThrow(/unknown time zone/);
  });
});

describe('nextBucketStart', () => {
  it('moves a month from January 31st to February 1st, not March', () => {
    expect(nextBucketStart(at('2026-01-31T12:00:00Z'), 'month').toISOString()).toBe('2026-02-01T00:00:00.000Z');
  });

  it('moves a week by seven days', () => {
    expect(nextBucketStart(at('2026-03-18T12:00:00Z'), 'week').toISOString()).toBe('2026-03-23T00:00:00.000Z');
  });

  it('handles the leap day', () => {
    expect(nextBucketStart(at('2028-02-28T12:00:00Z'), 'day').toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });
});

describe('time zones and daylight saving', () => {
  it('the day of the spring-forward in Europe/Berlin is 23 hours long', () => {
    const start = bucketStart(at('2026-03-29T12:00:00Z'), 'day', 'Europe/Berlin');
    const next = nextBucketStart(at('2026-03-29T12:00:00Z'), 'day', 'Europe/Berlin');
    expect(start.toISOString()).toBe('2026-03-28T23:00:00.000Z'); // 00:00 CET = 23:00 UTC
    expect(next.toISOString()).toBe('2026-03-29T22:00:00.000Z'); // 00:00 CEST = 22:00 UTC
    expect(hoursBetween(start, next)).toBe(23);
  });

  it('the day of the fall-back in Europe/Berlin is 25 hours long', () => {
    const start = bucketStart(at('2026-10-25T12:00:00Z'), 'day', 'Europe/Berlin');
    const next = nextBucketStart(start, 'day', 'Europe/Berlin');
    expect(start.toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(hoursBetween(start, next)).toBe(25);
  });

  it('the day of the spring-forward in America/New_York is 23 hours long', () => {
    const start = bucketStart(at('2026-03-08T12:00:00Z'), 'day', 'America/New_York');
    expect(start.toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(hoursBetween(start, nextBucketStart(start, 'day', 'America/New_York'))).toBe(23);
  });

  it('the local day of the fall-back in Europe/Berlin has 25 hour buckets', () => {
    const hours = enumerateBuckets(at('2026-10-24T22:00:00Z'), at('2026-10-25T23:00:00Z'), 'hour', 'Europe/Berlin');
    expect(hours).toHaveLength(25);
    expect(countBuckets(at('2026-10-24T22:00:00Z'), at('2026-10-25T23:00:00Z'), 'hour', 'Europe/Berlin')).toBe(25);
  });

  it('a day whose midnight is skipped (America/Santiago, September 2026) starts at the shift, 01:00 local', () => {
    const start = bucketStart(at('2026-09-06T12:00:00Z'), 'day', 'America/Santiago');
    expect(start.toISOString()).toBe('2026-09-06T04:00:00.000Z'); // 00:00 -04 never happens; 01:00 -03 does
    expect(hoursBetween(start, nextBucketStart(start, 'day', 'America/Santiago'))).toBe(23);
  });

  it('the instant before the Santiago shift still belongs to the previous day', () => {
    const start = bucketStart(at('2026-09-06T03:59:59.999Z'), 'day', 'America/Santiago');
    expect(start.toISOString()).toBe('2026-09-05T04:00:00.000Z');
  });

  it('a week in Europe/Berlin starts at local Monday midnight', () => {
    // Sunday 2026-03-22 23:30 UTC is already Monday 00:30 in Berlin.
    expect(bucketStart(at('2026-03-22T23:30:00Z'), 'week', 'Europe/Berlin').toISOString()).toBe('2026-03-22T23:00:00.000Z');
    expect(bucketStart(at('2026-03-22T23:30:00Z'), 'week', 'UTC').toISOString()).toBe('2026-03-16T00:00:00.000Z');
  });

  it('March 2026 in Europe/Berlin is 31 days minus the hour lost to daylight saving', () => {
    const start = bucketStart(at('2026-03-10T00:00:00Z'), 'month', 'Europe/Berlin');
    expect(start.toISOString()).toBe('2026-02-28T23:00:00.000Z');
    expect(hoursBetween(start, nextBucketStart(start, 'month', 'Europe/Berlin'))).toBe(31 * 24 - 1);
  });

  it('hours in Europe/Berlin coincide with UTC hours', () => {
    expect(bucketStart(at('2026-07-01T10:59:00Z'), 'hour', 'Europe/Berlin').toISOString()).toBe('2026-07-01T10:00:00.000Z');
  });

  it('hours and days in Asia/Kolkata start on the half hour in UTC, so they are not whole UTC hours', () => {
    expect(bucketStart(at('2026-07-01T10:15:00Z'), 'hour', 'Asia/Kolkata').toISOString()).toBe('2026-07-01T09:30:00.000Z');
    const days = enumerateBuckets(at('2026-07-01T00:00:00Z'), at('2026-07-04T00:00:00Z'), 'day', 'Asia/Kolkata');
    expect(isoList(days)).toEqual(['2026-07-01T18:30:00.000Z', '2026-07-02T18:30:00.000Z', '2026-07-03T18:30:00.000Z']);
    expect(areUtcHourStarts(days)).toBe(false);
  });

  it('days in Europe/Berlin are whole UTC hours, so hourly rollups recombine into them', () => {
    expect(areUtcHourStarts(enumerateBuckets(at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'), 'day', 'Europe/Berlin'))).toBe(true);
  });
});

describe('enumerateBuckets', () => {
  it('lists every day start in [from, to), excluding to', () => {
    const days = enumerateBuckets(at('2026-03-01T00:00:00Z'), at('2026-03-04T00:00:00Z'), 'day');
    expect(isoList(days)).toEqual(['2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z']);
  });

  it('leaves out the bucket that started before from', () => {
    const days = enumerateBuckets(at('2026-03-01T12:00:00Z'), at('2026-03-03T12:00:00Z'), 'day');
    expect(isoList(days)).toEqual(['2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z']);
  });

  it('is empty when to is not after from', () => {
    expect(enumerateBuckets(at('2026-03-04T00:00:00Z'), at('2026-03-01T00:00:00Z'), 'day')).toEqual([]);
    expect(countBuckets(at('2026-03-04T00:00:00Z'), at('2026-03-01T00:00:00Z'), 'day')).toBe(0);
  });

  it('gives the local days around the Berlin spring-forward with their UTC starts', () => {
    const days = enumerateBuckets(at('2026-03-28T00:00:00Z'), at('2026-03-31T00:00:00Z'), 'day', 'Europe/Berlin');
    expect(isoList(days)).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', '2026-03-30T22:00:00.000Z']);
  });

  it('lists months of unequal length', () => {
    const months = enumerateBuckets(at('2026-01-01T00:00:00Z'), at('2026-04-01T00:00:00Z'), 'month');
    expect(isoList(months)).toEqual(['2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
  });
});

describe('bucket properties over seeded random instants', () => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'America/Santiago', 'Asia/Kolkata', 'Australia/Lord_Howe'];
  const buckets: Bucket[] = ['hour', 'day', 'week', 'month'];
  const span = Date.UTC(2028, 0, 1) - Date.UTC(2024, 0, 1);

  it('every instant lies in [bucketStart, nextBucketStart)', () => {
    const random = createRandom(7);
    for (let i = 0; i < 400; i++) {
      const instant = new Date(Date.UTC(2024, 0, 1) + Math.floor(random() * span));
      const tz = zones[i % zones.length] ?? 'UTC';
      const bucket = buckets[Math.floor(i / zones.length) % buckets.length] ?? 'day';
      const start = bucketStart(instant, bucket, tz);
      const next = nextBucketStart(instant, bucket, tz);
      expect(start.getTime()).toBeLessThanOrEqual(instant.getTime());
      expect(next.getTime()).toBeGreaterThan(instant.getTime());
      expect(bucketStart(start, bucket, tz).getTime()).toBe(start.getTime());
      expect(bucketStart(new Date(next.getTime() - 1), bucket, tz).getTime()).toBe(start.getTime());
    }
  });

  it('countBuckets equals the length of enumerateBuckets', () => {
    const random = createRandom(11);
    for (let i = 0; i < 120; i++) {
      const from = Date.UTC(2024, 0, 1) + Math.floor(random() * span);
      const tz = zones[i % zones.length] ?? 'UTC';
      const bucket = buckets[Math.floor(i / zones.length) % buckets.length] ?? 'day';
      const length = (bucket === 'hour' ? 6 : bucket === 'day' ? 120 : 800) * 86_400_000 * random();
      const to = new Date(from + Math.floor(length));
      expect(countBuckets(new Date(from), to, bucket, tz)).toBe(enumerateBuckets(new Date(from), to, bucket, tz).length);
    }
  });

  it('consecutive enumerated starts follow nextBucketStart', () => {
    const days = enumerateBuckets(at('2024-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z'), 'day', 'America/Santiago');
    const followers = days.slice(0, -1).map((day) => nextBucketStart(day, 'day', 'America/Santiago').toISOString());
    expect(followers).toEqual(isoList(days.slice(1)));
    expect(days).toHaveLength(731);
  });
});

describe('time-zone names', () => {
  it('accepts IANA names, UTC and aliases', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isValidTimeZone('US/Eastern')).toBe(true);
  });

  it('refuses unknown names, bare offsets and empty strings', () => {
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('+05:00')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone('Europe/Berlin; DROP TABLE')).toBe(false);
  });

  it('normalizes the spelling of a name', () => {
    expect(normalizeTimeZone('europe/berlin')).toBe('Europe/Berlin');
  });

  it('the TimeZone schema reports an invalid name', () => {
    expect(TimeZone.safeParse('Europe/Berlin').success).toBe(true);
    expect(TimeZone.safeParse('Nowhere/Town').success).toBe(false);
  });
});
