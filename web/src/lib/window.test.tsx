// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { describeWindow, endAfter, isBucketAllowed, lastDayOf, readPeriodParams, readTimeWindow } from './window.ts';

const now = new Date('2026-03-10T15:00:00Z');
const read = (query: string) => readTimeWindow(new URLSearchParams(query), now);

describe('readTimeWindow', () => {
  it('defaults to 30 whole UTC days ending with today, by day', () => {
    expect(read('')).toEqual({ range: '30d', from: '2026-02-09', to: '2026-03-11', bucket: 'day', days: 30 });
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
    expect(read('range=custom&from=2026-01-01&to=2026-01-15')).toMatchObject({ range: 'custom', from: '2026-01-01', to: '2026-01-15', days: 14 });
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
    expect(readPeriodParams(new URLSearchParams('range=custom&from=2026-01-01&to=2026-01-15&source=hn&entities=a,b'))).toEqual({ range: 'custom', from: '2026-01-01', to: '2026-01-15' });
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
