import { describe, it, expect } from 'vitest';
import { combineRollups, type HourlyRollup } from './rollup-series.ts';
import { EMPTY_SUMS, summarize, sumMentions, type MentionSample } from './stats.ts';
import { enumerateBuckets, nextBucketStart } from './time-buckets.ts';

const HOUR = 3_600_000;
const neutral = (score: number): MentionSample => ({ score, label: 'neutral', weight: 1 });
const row = (iso: string, ...scores: number[]): HourlyRollup => ({ hourStart: new Date(iso), sums: sumMentions(scores.map(neutral)) });

function bucketsFor(fromIso: string, toIso: string, bucket: 'day' | 'week', tz: string): { starts: Date[]; end: Date } {
  const starts = enumerateBuckets(new Date(fromIso), new Date(toIso), bucket, tz);
  const last = starts.at(-1);
  if (last === undefined) throw new Error('no buckets');
  return { starts, end: nextBucketStart(last, bucket, tz) };
}

describe('combineRollups', () => {
  it('adds hours into days and keeps empty days with n = 0', () => {
    const { starts, end } = bucketsFor('2026-03-01T00:00:00Z', '2026-03-04T00:00:00Z', 'day', 'UTC');
    const rows = [row('2026-03-01T05:00:00Z', 1), row('2026-03-01T23:00:00Z', -0.2, -0.2, -0.2), row('2026-03-03T00:00:00Z', 0.5)];
    const days = combineRollups(rows, starts, end);
    expect(days.map((day) => day.sums.n)).toEqual([4, 0, 1]);
    // (1 - 0.6) / 4, not the mean of the hourly means (1 + -0.2) / 2
    expect(summarize(days[0]?.sums ?? EMPTY_SUMS).score).toBeCloseTo(0.1, 12);
    expect(summarize(days[1]?.sums ?? EMPTY_SUMS).score).toBeNull();
  });

  it('puts the hours of the Berlin spring-forward day into that local day, 23 of them', () => {
    const { starts, end } = bucketsFor('2026-03-28T23:00:00Z', '2026-03-30T22:00:00Z', 'day', 'Europe/Berlin');
    const rows = Array.from({ length: 48 }, (_, i) => ({
      hourStart: new Date(Date.parse('2026-03-28T23:00:00Z') + i * HOUR),
      sums: sumMentions([neutral(0)]),
    }));
    const days = combineRollups(rows, starts, end);
    expect(days.map((day) => [day.bucketStart.toISOString(), day.sums.n])).toEqual([
      ['2026-03-28T23:00:00.000Z', 23],
      ['2026-03-29T22:00:00.000Z', 24],
    ]);
  });

  it('ignores rows before the first bucket and from the end on', () => {
    const { starts, end } = bucketsFor('2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z', 'day', 'UTC');
    const rows = [row('2026-03-01T23:00:00Z', 1), row('2026-03-02T12:00:00Z', 0.5), row('2026-03-03T00:00:00Z', -1)];
    expect(combineRollups(rows, starts, end).map((day) => day.sums.n)).toEqual([1]);
  });

  it('refuses Asia/Kolkata days, whose half-hour boundaries would split an hourly row', () => {
    const { starts, end } = bucketsFor('2026-03-01T00:00:00Z', '2026-03-04T00:00:00Z', 'day', 'Asia/Kolkata');
    expect(() => combineRollups([], starts, end)).toThrow(/whole UTC hours/);
  });
});
