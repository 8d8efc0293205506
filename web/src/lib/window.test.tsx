// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import {
  describeWindow,
  endAfter,
  isBucketAllowed,
  isTimeZone,
  lastDayOf,
  readPeriodParams,
  readTimeWindow,
  storedPeriod,
  withCustomPeriod,
  zoneMidnight,
  zoneOffset,
} from './window.ts';

const now = new Date('2026-03-10T15:00:00Z');
const read = (query: string) => readTimeWindow(new URLSearchParams(query), now);

describe('readTimeWindow', () => {
  it('defaults to 30 whole UTC days ending with today, by day', () => {
    expect(read('')).toEqual({
      range: '30d',
      from: '2026-02-09',
      to: '2026-03-11',
      bucket: 'day',
      days: 30,
      tz: 'UTC',
      api: { from: '2026-02-09', to: '2026-03-11', tz: undefined },
    });
  });

  it('uses weeks for a year unless another allowed bucket is asked for', () => {
    expect(read('range=1y')).toMatchObject({ from: '2025-03-11', bucket: 'week', days: 365 });
    expect(read('range=1y&bucket=month').bucket).toBe('month');
  });

  it('refuses hour buckets over long ranges, falling back to the default', () => {
    expect(read('range=90d&bucket=hour').bucket).toBe('week');
    expect(read('range=7d&bucket=hour').bucket).toBe('hour');
  });

  it('reads a custom range and falls back to 30 days when it is invalid or reversed', () => {
    expect(read('range=custom&from=2026-01-01&to=2026-01-15')).toMatchObject({
      range: 'custom',
      from: '2026-01-01',
      to: '2026-01-15',
      days: 14,
    });
    expect(read('range=custom&from=2026-01-15&to=2026-01-01')).toMatchObject({ range: '30d', from: '2026-02-09' });
    expect(read('range=custom&from=junk')).toMatchObject({ range: '30d' });
  });

  it('ignores unknown range and bucket values', () => {
    expect(read('range=5y&bucket=decade')).toMatchObject({ range: '30d', bucket: 'day' });
  });
});

describe('isBucketAllowed', () => {
  it('allows hours up to a month and months from two months', () => {
    expect(isBucketAllowed('hour', 31)).toBe(true);
    expect(isBucketAllowed('hour', 32)).toBe(false);
    expect(isBucketAllowed('month', 30)).toBe(false);
    expect(isBucketAllowed('month', 365)).toBe(true);
  });
});

describe('the period carried between pages', () => {
  it('reads only the period keys that are present', () => {
    expect(readPeriodParams(new URLSearchParams('range=custom&from=2026-01-01&to=2026-01-15&source=hn&entities=a,b'))).toEqual({
      range: 'custom',
      from: '2026-01-01',
      to: '2026-01-15',
    });
    expect(readPeriodParams(new URLSearchParams('range=90d&bucket=week&q=x'))).toEqual({ range: '90d', bucket: 'week' });
    expect(readPeriodParams(new URLSearchParams(''))).toEqual({});
  });

  it('shows the last day a window includes and turns it back into the exclusive end, across month ends', () => {
    expect(lastDayOf('2026-03-01')).toBe('2026-02-28');
    expect(endAfter('2026-02-28')).toBe('2026-03-01');
    expect(endAfter(lastDayOf('2027-01-01'))).toBe('2027-01-01');
  });

  it('describes presets in words and custom windows by their first and last day', () => {
    expect(describeWindow(read(''))).toBe('the last 30 days');
    expect(describeWindow(read('range=1y'))).toBe('the last year');
    expect(describeWindow(read('range=custom&from=2026-01-01&to=2026-01-15'))).toBe('Jan 1 – Jan 14, 2026');
    expect(describeWindow(read('range=custom&from=2025-12-20&to=2026-01-05'))).toBe('Dec 20, 2025 – Jan 4, 2026');
  });
});

describe('a window in another time zone', () => {
  it("follows the zone's days: today there, and its midnights as instants for the API, DST included", () => {
    // 15:00 UTC on March 10 is already March 11 in Tokyo.
    expect(read('range=7d&tz=Asia/Tokyo')).toMatchObject({
      tz: 'Asia/Tokyo',
      from: '2026-03-05',
      to: '2026-03-12',
      api: { from: '2026-03-05T00:00:00+09:00', to: '2026-03-12T00:00:00+09:00', tz: 'Asia/Tokyo' },
    });
    // Berlin moves to summer time on March 29, 2026: the window's two ends have different offsets.
    const custom = read('range=custom&from=2026-03-20&to=2026-04-01&tz=Europe/Berlin');
    expect(custom.api).toEqual({ from: '2026-03-20T00:00:00+01:00', to: '2026-04-01T00:00:00+02:00', tz: 'Europe/Berlin' });
    expect(Date.parse(custom.api.to) - Date.parse(custom.api.from)).toBe(12 * 86_400_000 - 3_600_000);
  });

  it('ignores an unknown zone, and carries a known one between pages', () => {
    expect(read('tz=Mars/Olympus').tz).toBe('UTC');
    expect(read('tz=UTC').api.tz).toBeUndefined();
    expect(readPeriodParams(new URLSearchParams('tz=Europe/Berlin&range=7d'))).toEqual({ range: '7d', tz: 'Europe/Berlin' });
  });

  it('reads zone offsets and midnights from Intl', () => {
    expect(zoneOffset('UTC', now)).toBe('+00:00');
    expect(zoneOffset('America/New_York', new Date('2026-01-15T12:00:00Z'))).toBe('-05:00');
    expect(zoneOffset('Asia/Kolkata', now)).toBe('+05:30');
    expect(zoneMidnight('2026-07-01', 'America/New_York')).toBe('2026-07-01T00:00:00-04:00');
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('not a zone')).toBe(false);
  });
});

describe('storedPeriod', () => {
  it('offers the year up to the newest stored day, or from the oldest when that is nearer', () => {
    const sources = [
      { first: '2018-05-19', last: '2025-12-31' },
      { first: '2024-01-02', last: '2026-05-06' },
      { first: null, last: null },
    ];
    expect(storedPeriod(sources)).toEqual({ from: '2025-05-07', to: '2026-05-07' });
    expect(storedPeriod([{ first: '2026-04-01', last: '2026-05-06' }])).toEqual({ from: '2026-04-01', to: '2026-05-07' });
    // A single stored day is still a period of one day.
    expect(storedPeriod([{ first: '2026-05-06', last: '2026-05-06' }])).toEqual({ from: '2026-05-06', to: '2026-05-07' });
    expect(storedPeriod([{ first: null, last: null }])).toBeNull();
    expect(storedPeriod([])).toBeNull();
  });

  it('becomes a custom period that keeps the zone and the other filters and lets the bucket fit', () => {
    const query = withCustomPeriod(new URLSearchParams('range=7d&bucket=hour&tz=Europe/Berlin&kind=tool'), {
      from: '2025-05-07',
      to: '2026-05-07',
    });
    expect(Object.fromEntries(query)).toEqual({ range: 'custom', from: '2025-05-07', to: '2026-05-07', tz: 'Europe/Berlin', kind: 'tool' });
    expect(read(query.toString())).toMatchObject({ range: 'custom', from: '2025-05-07', to: '2026-05-07', bucket: 'week', days: 365 });
  });
});
