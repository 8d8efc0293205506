import { z } from 'zod';
import { computeStudentTQuantile, computeStudentTTwoSidedP, Z_95 } from './distributions.ts';

const count = z.number().int().nonnegative();
const finite = z.number().refine(Number.isFinite, 'must be finite');
const nonNegative = finite.refine((value) => value >= 0, 'must not be negative');

/**
 * Everything a rollup row holds, for one entity x source x UTC hour. Every field is a plain sum over the
 * row's mentions, so rows add field by field into any larger bucket and the statistics stay exact.
 * s is a mention's score in [-1, 1] and w its engagement weight (see computeEngagementWeight).
 */
export const RollupSums = z
  .object({
    /** number of mentions */
    n: count,
    /** mentions labelled positive / neutral / negative; they add up to n */
    positive: count,
    neutral: count,
    negative: count,
    /** Σ s */
    scoreSum: finite,
    /** Σ s² */
    scoreSqSum: nonNegative,
    /** Σ w */
    weightSum: nonNegative,
    /** Σ w² (gives the effective sample size of the weighted mean) */
    weightSqSum: nonNegative,
    /** Σ w·s */
    weightedScoreSum: finite,
    /** Σ w·s² */
    weightedScoreSqSum: nonNegative,
  })
  .refine((sums) => sums.positive + sums.neutral + sums.negative === sums.n, 'positive + neutral + negative must equal n');
export type RollupSums = z.infer<typeof RollupSums>;

export const EMPTY_SUMS: Readonly<RollupSums> = Object.freeze({
  n: 0,
  positive: 0,
  neutral: 0,
  negative: 0,
  scoreSum: 0,
  scoreSqSum: 0,
  weightSum: 0,
  weightSqSum: 0,
  weightedScoreSum: 0,
  weightedScoreSqSum: 0,
});

export const SentimentLabel = z.enum(['positive', 'neutral', 'negative']);
export type SentimentLabel = z.infer<typeof SentimentLabel>;

/** One scored mention as the statistics see it. */
export interface MentionSample {
  score: number;
  label: SentimentLabel;
  weight: number;
}

/**
 * 1 + ln(1 + engagement): every mention counts at least once, a post with 1,000 upvotes about 7.9 times,
 * so a viral thread leans on the weighted score without drowning it. Missing or negative engagement -> 1.
 */
export function computeEngagementWeight(engagement: number | null | undefined): number {
  if (engagement === null || engagement === undefined || !(engagement > 0)) return 1;
  return 1 + Math.log1p(Math.min(engagement, Number.MAX_VALUE));
}

/** The sums of a single mention: what the pipeline adds to (or subtracts from) its hour's row. */
export function computeMentionSums(mention: MentionSample): RollupSums {
  const { score, label, weight } = mention;
  if (!(score >= -1 && score <= 1)) throw new RangeError(`score must be in [-1, 1], got ${score}`);
  if (!(weight > 0) || !Number.isFinite(weight)) throw new RangeError(`weight must be finite and > 0, got ${weight}`);
  return {
    n: 1,
    positive: label === 'positive' ? 1 : 0,
    neutral: label === 'neutral' ? 1 : 0,
    negative: label === 'negative' ? 1 : 0,
    scoreSum: score,
    scoreSqSum: score * score,
    weightSum: weight,
    weightSqSum: weight * weight,
    weightedScoreSum: weight * score,
    weightedScoreSqSum: weight * score * score,
  };
}

export function addSums(a: Readonly<RollupSums>, b: Readonly<RollupSums>): RollupSums {
  return {
    n: a.n + b.n,
    positive: a.positive + b.positive,
    neutral: a.neutral + b.neutral,
    negative: a.negative + b.negative,
    scoreSum: a.scoreSum + b.scoreSum,
    scoreSqSum: a.scoreSqSum + b.scoreSqSum,
    weightSum: a.weightSum + b.weightSum,
    weightSqSum: a.weightSqSum + b.weightSqSum,
    weightedScoreSum: a.weightedScoreSum + b.weightedScoreSum,
    weightedScoreSqSum: a.weightedScoreSqSum + b.weightedScoreSqSum,
  };
}

export function sumMentions(mentions: readonly MentionSample[]): RollupSums {
  return mentions.reduce<RollupSums>((total, mention) => addSums(total, computeMentionSums(mention)), { ...EMPTY_SUMS });
}

const nullableNumber = z.number().nullable();

/** One bucket of a sentiment series. Every score field is null when n = 0; interval ends are null when undefined. */
/** One bucket's statistics; the descriptions are those the API documents (src/api/schemas.ts). */
export const SeriesPoint = z.object({
  n: count.describe('mentions counted'),
  positive: count.describe('mentions labelled positive'),
  neutral: count.describe('mentions labelled neutral'),
  negative: count.describe('mentions labelled negative; positive + neutral + negative = n'),
  score: nullableNumber.describe('mean sentiment score of the mentions, in [-1, 1]; null when n = 0'),
  scoreLow: nullableNumber.describe('lower bound of the 95% t-interval of score, clipped to [-1, 1]; null when n < 2'),
  scoreHigh: nullableNumber.describe('upper bound of the 95% t-interval of score, clipped to [-1, 1]; null when n < 2'),
  netSentiment: nullableNumber.describe('(positive - negative) / n, in [-1, 1]; null when n = 0'),
  netSentimentLow: nullableNumber.describe(
    'lower bound of the 95% adjusted Wald interval of netSentiment, clipped to [-1, 1]; null when n = 0',
  ),
  netSentimentHigh: nullableNumber.describe(
    'upper bound of the 95% adjusted Wald interval of netSentiment, clipped to [-1, 1]; null when n = 0',
  ),
  weightedScore: nullableNumber.describe('mean score with each mention weighted by 1 + ln(1 + engagement), in [-1, 1]; null when n = 0'),
  weightedScoreLow: nullableNumber.describe(
    'lower bound of the 95% interval of weightedScore on its effective sample size, clipped to [-1, 1]; null when n < 2',
  ),
  weightedScoreHigh: nullableNumber.describe(
    'upper bound of the 95% interval of weightedScore on its effective sample size, clipped to [-1, 1]; null when n < 2',
  ),
});
export type SeriesPoint = z.infer<typeof SeriesPoint>;

/** A range, or null when the data cannot support one. */
export interface Interval {
  low: number;
  high: number;
}

/** Below this fraction of Σx², Σ(x - mean)² is rounding noise of the one-pass formula, not spread. */
const CANCELLATION_TOLERANCE = 1e-12;

/** Σ(x - mean)² from Σx and Σx² (both optionally weighted), clamping the cancellation residue to 0. */
function computeSquaredDeviations(sum: number, sqSum: number, total: number): number {
  const deviations = sqSum - sum * (sum / total);
  return deviations <= sqSum * CANCELLATION_TOLERANCE ? 0 : deviations;
}

function clipToScoreRange(center: number, halfWidth: number): Interval {
  return { low: Math.max(-1, center - halfWidth), high: Math.min(1, center + halfWidth) };
}

/** Mean and its squared standard error, or null for n = 0 (and a null error for n = 1). */
interface MeanEstimate {
  mean: number;
  /** squared standard error of the mean; null when there is no spread estimate */
  variance: number | null;
  /** degrees of freedom of the t-distribution behind variance */
  df: number;
}

function estimateMean(sums: Readonly<RollupSums>): MeanEstimate | null {
  if (sums.n === 0) return null;
  const mean = sums.scoreSum / sums.n;
  if (sums.n < 2) return { mean, variance: null, df: 0 };
  const sampleVariance = computeSquaredDeviations(sums.scoreSum, sums.scoreSqSum, sums.n) / (sums.n - 1);
  return { mean, variance: sampleVariance / sums.n, df: sums.n - 1 };
}

/**
 * Weighted mean with weights read as reliability weights: σ² is estimated by Σw(s - m)² / (W - Σw²/W)
 * and Var(m) = σ²·Σw²/W², on n_eff - 1 degrees of freedom (Kish: n_eff = W²/Σw²).
 * With equal weights every quantity reduces to the unweighted one.
 */
function estimateWeightedMean(sums: Readonly<RollupSums>): MeanEstimate | null {
  if (sums.n === 0 || !(sums.weightSum > 0)) return null;
  const total = sums.weightSum;
  const mean = sums.weightedScoreSum / total;
  const effectiveN = (total * total) / sums.weightSqSum;
  const df = effectiveN - 1;
  if (sums.n < 2 || !(df > 1e-9)) return { mean, variance: null, df: 0 };
  const deviations = computeSquaredDeviations(sums.weightedScoreSum, sums.weightedScoreSqSum, total);
  const unitVariance = deviations / (total - sums.weightSqSum / total);
  return { mean, variance: (unitVariance * sums.weightSqSum) / (total * total), df };
}

function computeMeanInterval(estimate: MeanEstimate | null): Interval | null {
  if (estimate === null || estimate.variance === null) return null;
  if (estimate.variance === 0) return { low: estimate.mean, high: estimate.mean };
  return clipToScoreRange(estimate.mean, computeStudentTQuantile(0.975, estimate.df) * Math.sqrt(estimate.variance));
}

/**
 * 95% interval of (positive - negative) / n, an adjusted Wald interval for a difference of two multinomial
 * proportions: one pseudo-mention is added to positive and to negative (two to n) before the normal
 * approximation, which keeps a sensible width at small n and when every mention has the same label.
 */
export function computeNetSentimentInterval(positive: number, negative: number, n: number): Interval | null {
  if (n === 0) return null;
  const adjustedN = n + 2;
  const positiveShare = (positive + 1) / adjustedN;
  const negativeShare = (negative + 1) / adjustedN;
  const difference = positiveShare - negativeShare;
  const variance = (positiveShare + negativeShare - difference * difference) / adjustedN;
  return clipToScoreRange(difference, Z_95 * Math.sqrt(variance));
}

/**
 * Wilson score interval (95%) of a proportion of `successes` in `n` trials; null for n = 0. Unlike
 * the normal approximation it stays inside [0, 1] and is sane for a handful of trials.
 */
export function computeWilsonInterval(successes: number, n: number): Interval | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = Z_95 * Z_95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z_95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  // At the edges the bound is exactly 0 or 1; floating point would leave 0.9999999999999999.
  return { low: successes === 0 ? 0 : Math.max(0, centre - half), high: successes === n ? 1 : Math.min(1, centre + half) };
}

/** The statistics of one bucket, computed from its sums alone. */
export function summarize(sums: Readonly<RollupSums>): SeriesPoint {
  const raw = estimateMean(sums);
  const weighted = estimateWeightedMean(sums);
  const rawInterval = computeMeanInterval(raw);
  const weightedInterval = computeMeanInterval(weighted);
  const netInterval = computeNetSentimentInterval(sums.positive, sums.negative, sums.n);
  return {
    n: sums.n,
    positive: sums.positive,
    neutral: sums.neutral,
    negative: sums.negative,
    score: raw?.mean ?? null,
    scoreLow: rawInterval?.low ?? null,
    scoreHigh: rawInterval?.high ?? null,
    netSentiment: sums.n === 0 ? null : (sums.positive - sums.negative) / sums.n,
    netSentimentLow: netInterval?.low ?? null,
    netSentimentHigh: netInterval?.high ?? null,
    weightedScore: weighted?.mean ?? null,
    weightedScoreLow: weightedInterval?.low ?? null,
    weightedScoreHigh: weightedInterval?.high ?? null,
  };
}

export interface WindowComparison {
  currentScore: number | null;
  previousScore: number | null;
  /** currentScore - previousScore; null when either window is empty */
  change: number | null;
  /** 95% Welch interval of the change; null unless both windows have n >= 2 */
  changeLow: number | null;
  changeHigh: number | null;
  /** two-sided p-value of Welch's t-test; null unless both windows have n >= 2 */
  pValue: number | null;
  /** true when pValue < 0.05: the change is beyond noise */
  significant: boolean;
}

/** Welch's t-test on the mean score of two windows, each given by its sums. */
export function compareWindows(current: Readonly<RollupSums>, previous: Readonly<RollupSums>): WindowComparison {
  const a = estimateMean(current);
  const b = estimateMean(previous);
  const change = a === null || b === null ? null : a.mean - b.mean;
  const result: WindowComparison = {
    currentScore: a?.mean ?? null,
    previousScore: b?.mean ?? null,
    change,
    changeLow: null,
    changeHigh: null,
    pValue: null,
    significant: false,
  };
  if (a === null || b === null || a.variance === null || b.variance === null || change === null) return result;
  const variance = a.variance + b.variance;
  if (variance === 0) {
    // Both windows are constant: any difference is exact, not noise.
    return { ...result, changeLow: change, changeHigh: change, pValue: change === 0 ? 1 : 0, significant: change !== 0 };
  }
  const df = (variance * variance) / ((a.variance * a.variance) / a.df + (b.variance * b.variance) / b.df);
  const standardError = Math.sqrt(variance);
  const halfWidth = computeStudentTQuantile(0.975, df) * standardError;
  const pValue = computeStudentTTwoSidedP(change / standardError, df);
  return { ...result, changeLow: change - halfWidth, changeHigh: change + halfWidth, pValue, significant: pValue < 0.05 };
}

/** Each key's share of the total count; every share is null when the total is 0. */
export function computeShareOfVoice(counts: Readonly<Record<string, number>>): Record<string, number | null> {
  const entries = Object.entries(counts);
  for (const [key, value] of entries) {
    if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`count for ${key} must be finite and >= 0, got ${value}`);
  }
  const total = entries.reduce((sum, [, value]) => sum + value, 0);
  return Object.fromEntries(entries.map(([key, value]) => [key, total === 0 ? null : value / total]));
}
