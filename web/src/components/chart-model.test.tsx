import { describe, expect, it } from 'vitest';
import type { EntityEvent } from '../api/types.ts';
import {
  axisValues,
  bucketEnd,
  describeBuckets,
  findIncompleteness,
  formatBucketRange,
  isLowSample,
  layoutMarkers,
  leadingKind,
  LOW_SAMPLE_N,
  MARKER_MIN_GAP,
  offScale,
  readTopPostIds,
  scoreAxisRange,
  splitDamped,
} from './chart-model.ts';

const point = (bucketStart: string, n: number, score: number | null, low: number | null = null, high: number | null = null) => ({
  bucketStart,
  n,
  positive: 0,
  neutral: n,
  negative: 0,
  score,
  scoreLow: low,
  scoreHigh: high,
});

const event = (
  id: number,
  occurredAt: string,
  kind: EntityEvent['kind'] = 'release',
  details: Record<string, unknown> = {},
): EntityEvent => ({
  id,
  entity: 'cursor',
  kind,
  source: 'test',
  externalId: String(id),
  title: `event ${id}`,
  url: null,
  body: null,
  occurredAt,
  details,
});

describe('scoreAxisRange', () => {
  it('fits the data with padding instead of spanning -1..+1', () => {
    const [low, high] = scoreAxisRange([0.2, 0.35, 0.4]);
    expect(low).toBeLessThan(0);
    expect(high).toBeGreaterThanOrEqual(0.4);
    expect(high).toBeLessThan(0.6);
    expect(low).toBeGreaterThan(-0.2);
  });

  it('always holds 0 with room for the neutral band on both sides, even when every value is far from it', () => {
    expect(scoreAxisRange([0.6, 0.7])[0]).toBeLessThanOrEqual(-0.1);
    expect(scoreAxisRange([-0.7, -0.6])[1]).toBeGreaterThanOrEqual(0.1);
    expect(scoreAxisRange([])).toEqual([-0.15, 0.15]);
  });

  it('never goes past -1 or +1 and ignores missing values', () => {
    expect(scoreAxisRange([-1, 1, null, undefined, Number.NaN])).toEqual([-1, 1]);
  });

  it('lands on 0.05 steps', () => {
    const [low, high] = scoreAxisRange([-0.123, 0.311]);
    expect(Math.abs(Math.round(low * 100) % 5)).toBe(0);
    expect(Math.round(high * 100) % 5).toBe(0);
  });
});

describe('axisValues', () => {
  const window = { from: '2026-03-01T00:00:00Z', to: '2026-03-04T00:00:00Z', bucket: 'day' as const };
  const now = new Date('2026-04-01T00:00:00Z');

  it('fits the well-sampled buckets: a two-mention mean or interval cannot stretch the axis, it goes off-scale', () => {
    const buckets = describeBuckets(
      [
        point('2026-03-01T00:00:00Z', 2, -1, -1, 1),
        point('2026-03-02T00:00:00Z', 40, 0.2, 0.1, 0.3),
        point('2026-03-03T00:00:00Z', 30, 0.25, 0.15, 0.35),
      ],
      window,
      now,
    );
    expect(axisValues(buckets).sort()).toEqual([0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
    const range = scoreAxisRange(axisValues(buckets));
    expect(range[0]).toBeGreaterThan(-0.5);
    expect(offScale(-1, range)).toBe('below');
    expect(offScale(0.2, range)).toBeNull();
    expect(offScale(0.99, range)).toBe('above');
    expect(offScale(null, range)).toBeNull();
    expect(axisValues(buckets, false)).toEqual([0.2, 0.25]);
  });

  it('counts every mean when no bucket is well sampled, so the line is not all arrows', () => {
    const buckets = describeBuckets([point('2026-03-01T00:00:00Z', 2, -0.9, -1, 1), point('2026-03-02T00:00:00Z', 1, 0.5)], window, now);
    expect(axisValues(buckets)).toEqual([-0.9, 0.5]);
  });
});

describe('damping', () => {
  it(`calls a bucket low-sample from 1 to ${LOW_SAMPLE_N - 1} mentions; an empty one has no mean to damp`, () => {
    expect(isLowSample(0)).toBe(false);
    expect(isLowSample(1)).toBe(true);
    expect(isLowSample(LOW_SAMPLE_N - 1)).toBe(true);
    expect(isLowSample(LOW_SAMPLE_N)).toBe(false);
  });

  it('draws solid only between two well-sampled buckets, and every segment touching a low-sample one damped', () => {
    const split = splitDamped([
      { n: 50, score: 0.1 },
      { n: 40, score: 0.2 },
      { n: 3, score: -0.5 },
      { n: 30, score: 0.3 },
      { n: 0, score: null },
      { n: 20, score: 0.1 },
    ]);
    expect(split.solid).toEqual([0.1, 0.2, null, 0.3, null, 0.1]);
    expect(split.damped).toEqual([null, 0.2, -0.5, 0.3, null, null]);
    expect(split.dampedPoints).toEqual([2]);
    expect(split.solidPoints).toEqual([0, 1, 3, 5]);
  });
});

describe('incomplete buckets', () => {
  const now = new Date('2026-03-20T12:00:00Z');

  it('marks a first week that starts before the window and the bucket still in progress', () => {
    const buckets = describeBuckets(
      [point('2026-03-02T00:00:00Z', 20, 0.1), point('2026-03-09T00:00:00Z', 20, 0.1), point('2026-03-16T00:00:00Z', 20, 0.1)],
      { from: '2026-03-05T00:00:00Z', to: '2026-03-21T00:00:00Z', bucket: 'week' },
      now,
    );
    expect(buckets.map((b) => b.incomplete)).toEqual(['starts-before-window', null, 'in-progress']);
    expect(buckets[2]!.end.toISOString()).toBe('2026-03-23T00:00:00.000Z');
  });

  it('marks a last bucket the window ends inside, in the past', () => {
    const buckets = describeBuckets(
      [point('2026-01-01T00:00:00Z', 20, 0.1), point('2026-02-01T00:00:00Z', 20, 0.1)],
      { from: '2026-01-01T00:00:00Z', to: '2026-02-15T00:00:00Z', bucket: 'month' },
      now,
    );
    expect(buckets.map((b) => b.incomplete)).toEqual([null, 'ends-after-window']);
  });

  it('leaves whole day buckets of a finished window unmarked', () => {
    expect(
      findIncompleteness(
        new Date('2026-03-01T00:00:00Z'),
        new Date('2026-03-02T00:00:00Z'),
        { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-02T00:00:00Z') },
        now,
      ),
    ).toBeNull();
  });

  it('ends a bucket where the next begins, else one calendar step on', () => {
    expect(bucketEnd(new Date('2026-02-01T00:00:00Z'), 'month').toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(bucketEnd(new Date('2026-03-01T00:00:00Z'), 'day', new Date('2026-03-01T23:00:00Z')).toISOString()).toBe(
      '2026-03-01T23:00:00.000Z',
    );
    expect(bucketEnd(new Date('2026-03-01T05:00:00Z'), 'hour').toISOString()).toBe('2026-03-01T06:00:00.000Z');
  });

  it('names a bucket by its range', () => {
    expect(formatBucketRange(new Date('2026-03-02T00:00:00Z'), new Date('2026-03-09T00:00:00Z'), 'week')).toBe('Mar 2 – Mar 8, 2026');
    expect(formatBucketRange(new Date('2026-03-02T00:00:00Z'), new Date('2026-03-03T00:00:00Z'), 'day')).toBe('Mar 2, 2026');
    // A Tokyo day starts at 15:00 UTC the day before: it is read as the Tokyo date.
    expect(formatBucketRange(new Date('2026-03-01T15:00:00Z'), new Date('2026-03-02T15:00:00Z'), 'day', 'Asia/Tokyo')).toBe('Mar 2, 2026');
    expect(formatBucketRange(new Date('2026-03-01T15:00:00Z'), new Date('2026-03-01T16:00:00Z'), 'hour', 'Asia/Tokyo')).toBe(
      'Mar 2, 2026 00:00–01:00 Asia/Tokyo',
    );
  });
});

describe('layoutMarkers', () => {
  const xOf = (e: EntityEvent) => Number(e.occurredAt);

  it('merges events closer than the gap so no two markers are nearer than it', () => {
    const events = [event(1, '10'), event(2, '15'), event(3, '35'), event(4, '100'), event(5, '101'), event(6, '200')];
    const groups = layoutMarkers(events, xOf, 300);
    expect(groups.map((g) => g.events.map((e) => e.id))).toEqual([[1, 2], [3], [4, 5], [6]]);
    for (let i = 1; i < groups.length; i++) expect(groups[i]!.x - groups[i - 1]!.x).toBeGreaterThanOrEqual(MARKER_MIN_GAP);
  });

  it('keeps every in-range event exactly once whatever the order given, and drops those outside the plot', () => {
    const xs = [5, 290, 40, 41, 42, 43, 150, -3, 301, 160];
    const events = xs.map((x, i) => event(i + 1, String(x)));
    const groups = layoutMarkers(events, xOf, 300);
    const ids = groups.flatMap((g) => g.events.map((e) => e.id)).sort((a, b) => a - b);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7, 10]);
    for (let i = 1; i < groups.length; i++) expect(groups[i]!.x - groups[i - 1]!.x).toBeGreaterThanOrEqual(MARKER_MIN_GAP);
  });

  it('leads a merged marker with its most telling kind', () => {
    const [group] = layoutMarkers([event(1, '10', 'note'), event(2, '12', 'spike'), event(3, '14', 'release')], xOf, 100);
    expect(leadingKind(group!)).toBe('spike');
  });

  it('reads a spike’s top post ids and ignores anything else in details', () => {
    expect(readTopPostIds(event(1, '0', 'spike', { topPostIds: [4, 'x', 7.5, 9] }))).toEqual([4, 9]);
    expect(readTopPostIds(event(1, '0', 'spike', { topPostIds: 'nope' }))).toEqual([]);
  });
});
