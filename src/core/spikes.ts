/** One bucket of a regular series (every bucket present, n = 0 included), oldest first. */
export interface SpikeInput {
  bucketStart: Date;
  n: number;
  negative: number;
}

export type SpikeKind = 'volume' | 'negativity';
export type SpikeDirection = 'up' | 'down';

export interface Spike {
  bucketStart: Date;
  kind: SpikeKind;
  direction: SpikeDirection;
  /** the bucket's mention count (volume) or negative share (negativity) */
  value: number;
  /** median of the trailing window */
  baseline: number;
  /** robust z-score: (value - baseline) / scale */
  zScore: number;
}

export interface SpikeOptions {
  /** trailing buckets that form the baseline */
  window: number;
  /** buckets the baseline needs before any alert (the warm-up) */
  warmUp: number;
  /** |z| at or above which a bucket is a spike */
  threshold: number;
  /** mentions a bucket needs before its negative share is judged or used as baseline, and before it can be a volume spike up */
  minMentions: number;
}

export const DEFAULT_SPIKE_OPTIONS: Readonly<SpikeOptions> = Object.freeze({
  window: 28,
  warmUp: 14,
  threshold: 3.5,
  minMentions: 5,
});

/** Scales the median absolute deviation to the standard deviation of a normal distribution. */
const MAD_TO_SD = 1.4826;

export function computeMedian(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? upper) + upper) / 2;
}

interface RobustBaseline {
  median: number;
  /** MAD scaled to a standard deviation; 0 for a flat window */
  spread: number;
}

function computeRobustBaseline(values: readonly number[]): RobustBaseline {
  const median = computeMedian(values);
  return { median, spread: MAD_TO_SD * computeMedian(values.map((value) => Math.abs(value - median))) };
}

function assertSeries(series: readonly SpikeInput[]): void {
  series.forEach((point, i) => {
    if (!Number.isInteger(point.n) || point.n < 0) throw new RangeError(`n must be a count, got ${point.n} at ${i}`);
    if (!Number.isInteger(point.negative) || point.negative < 0 || point.negative > point.n) {
      throw new RangeError(`negative must be a count no larger than n, got ${point.negative} at ${i}`);
    }
    const previous = series[i - 1];
    if (previous !== undefined && !(point.bucketStart.getTime() > previous.bucketStart.getTime())) {
      throw new RangeError(`buckets must be in increasing order, not at ${i}`);
    }
  });
}

function assertOptions(options: SpikeOptions): void {
  const { window, warmUp, threshold, minMentions } = options;
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`window must be a positive integer, got ${window}`);
  if (!Number.isInteger(warmUp) || warmUp < 1 || warmUp > window) throw new RangeError(`warmUp must be in 1..window, got ${warmUp}`);
  if (!(threshold > 0)) throw new RangeError(`threshold must be > 0, got ${threshold}`);
  if (!Number.isInteger(minMentions) || minMentions < 1) throw new RangeError(`minMentions must be a positive integer, got ${minMentions}`);
}

function toSpike(point: SpikeInput, kind: SpikeKind, value: number, baseline: number, zScore: number, threshold: number): Spike | null {
  if (Math.abs(zScore) < threshold) return null;
  return { bucketStart: point.bucketStart, kind, direction: zScore > 0 ? 'up' : 'down', value, baseline, zScore };
}

/**
 * A count is judged against the median of the trailing window. The scale never drops below the Poisson
 * noise of the median (√median, at least 1), so a flat window (MAD = 0) does not turn one extra mention into an alert.
 * A rise to fewer than `minMentions` is no spike however quiet the window ("4 mentions, usually 0" is
 * rare but says nothing); a fall is judged at any count.
 */
function judgeVolume(series: readonly SpikeInput[], i: number, options: SpikeOptions): Spike | null {
  const point = series[i];
  const history = series.slice(Math.max(0, i - options.window), i).map((bucket) => bucket.n);
  if (point === undefined || history.length < options.warmUp) return null;
  const { median, spread } = computeRobustBaseline(history);
  const scale = Math.max(spread, Math.sqrt(Math.max(median, 1)));
  if (point.n > median && point.n < options.minMentions) return null;
  return toSpike(point, 'volume', point.n, median, (point.n - median) / scale, options.threshold);
}

/**
 * A negative share is judged against the median share of the trailing buckets with enough mentions.
 * The scale never drops below the binomial noise of a share of this bucket's size, with the median
 * pulled off 0 and 1 by one pseudo-mention each way so a window without negatives still has a scale.
 */
function judgeNegativity(series: readonly SpikeInput[], i: number, options: SpikeOptions): Spike | null {
  const point = series[i];
  if (point === undefined || point.n < options.minMentions) return null;
  const history = series
    .slice(Math.max(0, i - options.window), i)
    .filter((bucket) => bucket.n >= options.minMentions)
    .map((bucket) => bucket.negative / bucket.n);
  if (history.length < options.warmUp) return null;
  const { median, spread } = computeRobustBaseline(history);
  const share = point.negative / point.n;
  const pulledMedian = (median * point.n + 1) / (point.n + 2);
  const scale = Math.max(spread, Math.sqrt((pulledMedian * (1 - pulledMedian)) / point.n));
  return toSpike(point, 'negativity', share, median, (share - median) / scale, options.threshold);
}

/** Volume and negativity spikes, up and down, by robust z-score over a trailing window; none during warm-up. */
export function detectSpikes(series: readonly SpikeInput[], options: Partial<SpikeOptions> = {}): Spike[] {
  const settings: SpikeOptions = { ...DEFAULT_SPIKE_OPTIONS, ...options };
  assertOptions(settings);
  assertSeries(series);
  const spikes: Spike[] = [];
  for (let i = 0; i < series.length; i++) {
    const volume = judgeVolume(series, i, settings);
    if (volume !== null) spikes.push(volume);
    const negativity = judgeNegativity(series, i, settings);
    if (negativity !== null) spikes.push(negativity);
  }
  return spikes;
}
