import { describe, it, expect } from 'vitest';
import { computeMedian, detectSpikes, type SpikeInput } from './spikes.ts';
import { createSeededRandom } from './seeded-random.ts';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);

function buildSeries(counts: readonly number[], negatives: readonly number[] = []): SpikeInput[] {
  return counts.map((n, i) => ({ bucketStart: new Date(START + i * DAY), n, negative: negatives[i] ?? 0 }));
}

/** Counts around `center` with seeded noise of about ±spread. */
function buildNoisyCounts(length: number, center: number, spread: number, seed: number): number[] {
  const random = createSeededRandom(seed);
  return Array.from({ length }, () => Math.max(0, Math.round(center + (random() * 2 - 1) * spread)));
}

const dayOf = (index: number): string => new Date(START + index * DAY).toISOString();

describe('computeMedian', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(computeMedian([5, 1, 3])).toBe(3);
    expect(computeMedian([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('detectSpikes', () => {
  it('a flat series has no spikes', () => {
    expect(detectSpikes(buildSeries(Array(60).fill(10), Array(60).fill(2)))).toEqual([]);
  });

  it('a noisy but steady series has no spikes', () => {
    const counts = buildNoisyCounts(90, 40, 8, 1);
    expect(
      detectSpikes(
        buildSeries(
          counts,
          counts.map((n) => Math.round(n * 0.2)),
        ),
      ),
    ).toEqual([]);
  });

  it('a single burst is one volume spike up, at the burst', () => {
    const counts = buildNoisyCounts(60, 20, 4, 2);
    counts[40] = 90;
    const spikes = detectSpikes(buildSeries(counts));
    expect(spikes).toHaveLength(1);
    expect(spikes[0]).toMatchObject({ kind: 'volume', direction: 'up', value: 90 });
    expect(spikes[0]?.bucketStart.toISOString()).toBe(dayOf(40));
    expect(spikes[0]?.zScore).toBeGreaterThan(3.5);
  });

  it('a drop in volume is detected as down', () => {
    const counts = buildNoisyCounts(60, 100, 5, 3);
    counts[45] = 20;
    const spikes = detectSpikes(buildSeries(counts));
    expect(spikes).toHaveLength(1);
    expect(spikes[0]).toMatchObject({ kind: 'volume', direction: 'down', value: 20 });
    expect(spikes[0]?.bucketStart.toISOString()).toBe(dayOf(45));
    expect(spikes[0]?.zScore).toBeLessThan(-3.5);
  });

  it('no alerts during warm-up, even for a huge burst', () => {
    const counts = Array(30).fill(10);
    counts[5] = 500;
    expect(detectSpikes(buildSeries(counts), { warmUp: 14 })).toEqual([]);
  });

  it('the first bucket after warm-up can alert', () => {
    const counts = Array(30).fill(10);
    counts[14] = 500;
    expect(detectSpikes(buildSeries(counts), { warmUp: 14 }).map((spike) => spike.bucketStart.toISOString())).toEqual([dayOf(14)]);
  });

  it('a zero-MAD window falls back to the Poisson scale: z = (30 - 5) / √5', () => {
    const counts = Array(30).fill(5);
    counts[20] = 30;
    const spikes = detectSpikes(buildSeries(counts));
    expect(spikes).toHaveLength(1);
    expect(spikes[0]?.baseline).toBe(5);
    expect(spikes[0]?.zScore).toBeCloseTo(25 / Math.sqrt(5), 12);
  });

  it('one extra mention over a flat window is not a spike', () => {
    const counts = Array(30).fill(5);
    counts[20] = 6;
    expect(detectSpikes(buildSeries(counts))).toEqual([]);
  });

  it('a series of zeros: one mention is noise, ten is a spike', () => {
    const counts = Array(40).fill(0);
    counts[20] = 1;
    counts[35] = 10;
    const spikes = detectSpikes(buildSeries(counts));
    expect(spikes.map((spike) => [spike.bucketStart.toISOString(), spike.zScore])).toEqual([[dayOf(35), 10]]);
  });

  it('a rise to fewer than minMentions is no spike, however quiet the window; a fall to few still is', () => {
    const quiet = Array(40).fill(0);
    quiet[20] = 4;
    quiet[30] = 5;
    expect(detectSpikes(buildSeries(quiet), { minMentions: 5 }).map((spike) => spike.value)).toEqual([5]);
    const busy = Array(40).fill(20);
    busy[30] = 2;
    expect(detectSpikes(buildSeries(busy), { minMentions: 5 })).toMatchObject([{ kind: 'volume', direction: 'down', value: 2 }]);
  });

  it('a jump in the negative share at steady volume is a negativity spike, not a volume spike', () => {
    const random = createSeededRandom(4);
    const counts = Array<number>(60).fill(50);
    const negatives = counts.map((n) => Math.round(n * (0.1 + (random() - 0.5) * 0.06)));
    negatives[50] = 30;
    const spikes = detectSpikes(buildSeries(counts, negatives));
    expect(spikes).toHaveLength(1);
    expect(spikes[0]).toMatchObject({ kind: 'negativity', direction: 'up', value: 0.6 });
    expect(spikes[0]?.bucketStart.toISOString()).toBe(dayOf(50));
  });

  it('a fall in the negative share is a negativity spike down', () => {
    const random = createSeededRandom(6);
    const counts = Array<number>(60).fill(100);
    const negatives = counts.map((n) => Math.round(n * (0.5 + (random() - 0.5) * 0.06)));
    negatives[50] = 5;
    expect(detectSpikes(buildSeries(counts, negatives))).toMatchObject([{ kind: 'negativity', direction: 'down', value: 0.05 }]);
  });

  it('a window without any negatives still has a scale: one negative in 20 is noise', () => {
    const counts = Array<number>(40).fill(20);
    const negatives = Array<number>(40).fill(0);
    negatives[30] = 1;
    expect(detectSpikes(buildSeries(counts, negatives))).toEqual([]);
  });

  it('a bucket with fewer mentions than minMentions is not judged for negativity', () => {
    const counts = Array<number>(40).fill(20);
    const negatives = Array<number>(40).fill(2);
    counts[30] = 3;
    negatives[30] = 3;
    const spikes = detectSpikes(buildSeries(counts, negatives), { minMentions: 5 });
    expect(spikes.filter((spike) => spike.kind === 'negativity')).toEqual([]);
  });

  it('empty buckets do not count towards the negativity warm-up', () => {
    const counts = [...Array<number>(20).fill(0), ...Array<number>(5).fill(20), 20];
    const negatives = [...Array<number>(20).fill(0), ...Array<number>(5).fill(2), 18];
    const spikes = detectSpikes(buildSeries(counts, negatives), { warmUp: 10 });
    expect(spikes.filter((spike) => spike.kind === 'negativity')).toEqual([]);
  });

  it('refuses buckets out of order and inconsistent counts', () => {
    const series = buildSeries([1, 2, 3]);
    expect(() => detectSpikes([series[1], series[0]] as SpikeInput[])).toThrow(/increasing order/);
    expect(() => detectSpikes([{ bucketStart: new Date(START), n: 2, negative: 3 }])).toThrow(RangeError);
  });

  it('refuses a warm-up longer than the window', () => {
    expect(() => detectSpikes([], { window: 7, warmUp: 14 })).toThrow(/warmUp/);
  });
});
