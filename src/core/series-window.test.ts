import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.ts';
import { MAX_SERIES_POINTS, planRange, planSeriesWindow, previousRange } from './series-window.ts';

const NOW = new Date('2026-04-15T12:34:00Z');

describe('planSeriesWindow', () => {
  it('defaults to the 30 days before now in daily UTC buckets, the first bucket starting at its midnight', () => {
    const window = planSeriesWindow({}, NOW);
    expect(window.to).toEqual(NOW);
    expect(window.from).toEqual(new Date('2026-03-16T12:34:00Z'));
    expect(window.bucket).toBe('day');
    expect(window.tz).toBe('UTC');
    expect(window.starts[0]).toEqual(new Date('2026-03-16T00:00:00Z'));
    expect(window.starts).toHaveLength(31);
  });

  it('refuses from after to, naming from', () => {
    expect(() => planSeriesWindow({ from: NOW, to: new Date('2026-01-01') }, NOW)).toThrow(/^from: must be before to$/);
  });

  it('refuses absurd ranges: before 2000 or more than a year ahead', () => {
    expect(() => planRange({ from: new Date('1999-12-31') }, NOW)).toThrow(/^from: /);
    expect(() => planRange({ to: new Date('2028-01-01') }, NOW)).toThrow(/^to: /);
  });

  it(`refuses more than ${MAX_SERIES_POINTS} buckets, naming bucket`, () => {
    const input = { from: new Date('2025-01-01'), to: new Date('2026-01-01'), bucket: 'hour' as const };
    expect(() => planSeriesWindow(input, NOW)).toThrow(ValidationError);
    expect(() => planSeriesWindow(input, NOW)).toThrow(/^bucket: 8760 hour buckets/);
    expect(planSeriesWindow({ ...input, bucket: 'day' }, NOW).starts).toHaveLength(365);
  });

  it(`counts the points of every series of a request against ${MAX_SERIES_POINTS}, naming bucket and the way out`, () => {
    const sixMonthsHourly = { from: new Date('2026-01-01'), to: new Date('2026-07-01'), bucket: 'hour' as const };
    expect(planSeriesWindow(sixMonthsHourly, new Date('2026-07-01')).starts).toHaveLength(4344);
    expect(() => planSeriesWindow(sixMonthsHourly, new Date('2026-07-01'), 6)).toThrow(
      /^bucket: 6 series x 4344 hour buckets = 26064 points from .*; at most 5000 a request, choose a larger bucket, a shorter range or fewer entities$/,
    );
    const monthHourly = { from: new Date('2026-01-01'), to: new Date('2026-02-01'), bucket: 'hour' as const };
    expect(planSeriesWindow(monthHourly, NOW, 6).starts).toHaveLength(744);
  });

  it('plans half-hour and quarter-hour zones on their own midnights, and normalises zone names', () => {
    const kolkata = planSeriesWindow(
      { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-03T00:00:00Z'), tz: 'Asia/Kolkata' },
      NOW,
    );
    expect(kolkata.starts.map((s) => s.toISOString())).toEqual([
      '2026-02-28T18:30:00.000Z',
      '2026-03-01T18:30:00.000Z',
      '2026-03-02T18:30:00.000Z',
    ]);
    const kathmandu = planSeriesWindow(
      { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-02T00:00:00Z'), tz: 'Asia/Kathmandu' },
      NOW,
    );
    expect(kathmandu.starts[0]!.toISOString()).toBe('2026-02-28T18:15:00.000Z');
    expect(planSeriesWindow({ tz: 'europe/berlin' }, NOW).tz).toBe('Europe/Berlin');
  });

  it('starts Berlin weeks on local Monday midnight', () => {
    const window = planSeriesWindow({ from: new Date('2026-03-25'), to: new Date('2026-04-07'), bucket: 'week', tz: 'Europe/Berlin' }, NOW);
    expect(window.starts.map((s) => s.toISOString())).toEqual([
      '2026-03-22T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
      '2026-04-05T22:00:00.000Z',
    ]);
  });
});

describe('previousRange', () => {
  it('is the window of the same length that ends where this one starts', () => {
    expect(previousRange(new Date('2026-03-08'), new Date('2026-03-15'))).toEqual({
      from: new Date('2026-03-01'),
      to: new Date('2026-03-08'),
    });
  });
});
