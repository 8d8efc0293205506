import { describe, it, expect } from 'vitest';
import {
  addSums,
  compareWindows,
  computeEngagementWeight,
  computeMentionSums,
  computeNetSentimentInterval,
  computeShareOfVoice,
  computeWilsonInterval,
  EMPTY_SUMS,
  RollupSums,
  summarize,
  sumMentions,
  type MentionSample,
  type SentimentLabel,
} from './stats.ts';
import { computeStudentTQuantile } from './distributions.ts';
import { createSeededRandom } from './seeded-random.ts';

const mention = (score: number, label: SentimentLabel = 'neutral', weight = 1): MentionSample => ({ score, label, weight });
const scores = (...values: number[]): MentionSample[] => values.map((value) => mention(value));

describe('summarize', () => {
  it('an empty bucket keeps its counts at 0 and every statistic null', () => {
    expect(summarize(EMPTY_SUMS)).toEqual({
      n: 0,
      positive: 0,
      neutral: 0,
      negative: 0,
      score: null,
      scoreLow: null,
      scoreHigh: null,
      netSentiment: null,
      netSentimentLow: null,
      netSentimentHigh: null,
      weightedScore: null,
      weightedScoreLow: null,
      weightedScoreHigh: null,
    });
  });

  it('a single mention has its score as the mean and no score interval', () => {
    const point = summarize(sumMentions([mention(0.6, 'positive', 3)]));
    expect(point.score).toBe(0.6);
    expect(point.weightedScore).toBeCloseTo(0.6, 15);
    expect([point.scoreLow, point.scoreHigh, point.weightedScoreLow, point.weightedScoreHigh]).toEqual([null, null, null, null]);
  });

  it('a single positive mention still gets a net-sentiment interval, clipped at 1', () => {
    // adjusted: p+ = 2/3, p- = 1/3, d = 1/3, var = (1 - 1/9) / 3 = 0.296296, half = 1.959964 * 0.544331 = 1.066869
    const point = summarize(sumMentions([mention(0.6, 'positive')]));
    expect(point.netSentiment).toBe(1);
    expect(point.netSentimentLow).toBeCloseTo(1 / 3 - 1.066869, 5);
    expect(point.netSentimentHigh).toBe(1);
  });

  it('all-identical scores have zero variance: the interval collapses onto the mean', () => {
    const point = summarize(sumMentions(scores(0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3)));
    expect(point.score).toBeCloseTo(0.3, 15);
    expect(point.scoreLow).toBe(point.score);
    expect(point.scoreHigh).toBe(point.score);
  });

  it('the 95% interval of the mean matches a hand computation', () => {
    // scores 0.2 0.4 0.6 0.8: mean 0.5; squared deviations 0.09 + 0.01 + 0.01 + 0.09 = 0.2
    // s² = 0.2 / 3 = 0.0666667; se = sqrt(s² / 4) = 0.1290994; t(0.975, 3) = 3.1824463
    // half width = 3.1824463 * 0.1290994 = 0.4108521 -> [0.0891479, 0.9108521]
    const point = summarize(sumMentions(scores(0.2, 0.4, 0.6, 0.8)));
    expect(point.score).toBeCloseTo(0.5, 12);
    expect(point.scoreLow).toBeCloseTo(0.0891479, 6);
    expect(point.scoreHigh).toBeCloseTo(0.9108521, 6);
  });

  it('the net-sentiment interval matches a hand computation', () => {
    // 6 positive, 2 neutral, 2 negative: net = (6 - 2) / 10 = 0.4
    // adjusted: p+ = 7/12 = 0.583333, p- = 3/12 = 0.25, d = 0.333333
    // var = (0.583333 + 0.25 - 0.333333²) / 12 = 0.722222 / 12 = 0.0601852; half = 1.959964 * 0.245327 = 0.480832
    const labels: SentimentLabel[] = [
      'positive',
      'positive',
      'positive',
      'positive',
      'positive',
      'positive',
      'neutral',
      'neutral',
      'negative',
      'negative',
    ];
    const point = summarize(sumMentions(labels.map((label) => mention(0, label))));
    expect(point.netSentiment).toBeCloseTo(0.4, 15);
    expect(point.netSentimentLow).toBeCloseTo(-0.147498, 5);
    expect(point.netSentimentHigh).toBeCloseTo(0.814165, 5);
  });

  it('an interval that would leave [-1, 1] is clipped to it', () => {
    const point = summarize(sumMentions(scores(1, 0.9)));
    expect(point.scoreHigh).toBe(1);
    expect(point.scoreLow).toBeGreaterThan(-1);
  });

  it('a large bucket has a narrow interval close to mean ± 1.96 se', () => {
    const random = createSeededRandom(5);
    const sums = sumMentions(Array.from({ length: 20_000 }, () => mention(random() * 2 - 1)));
    const point = summarize(sums);
    const se = Math.sqrt((sums.scoreSqSum - (sums.scoreSum * sums.scoreSum) / sums.n) / (sums.n - 1) / sums.n);
    expect((point.scoreHigh ?? 0) - (point.score ?? 0)).toBeCloseTo(1.96 * se, 4);
  });
});

describe('weighted score', () => {
  it('differs from the raw score when engagement is unequal', () => {
    // weights 1 and 3: raw mean (1 - 1) / 2 = 0; weighted (1·1 + 3·(-1)) / 4 = -0.5
    const point = summarize(sumMentions([mention(1, 'positive', 1), mention(-1, 'negative', 3)]));
    expect(point.score).toBe(0);
    expect(point.weightedScore).toBe(-0.5);
  });

  it('equals the raw score and interval when every weight is the same', () => {
    const point = summarize(sumMentions([0.1, -0.4, 0.7, 0.2, 0.9].map((score) => mention(score, 'neutral', 2.5))));
    expect(point.weightedScore).toBeCloseTo(point.score ?? NaN, 12);
    expect(point.weightedScoreLow).toBeCloseTo(point.scoreLow ?? NaN, 12);
    expect(point.weightedScoreHigh).toBeCloseTo(point.scoreHigh ?? NaN, 12);
  });

  it('has a wider interval than the raw one when a few heavy mentions dominate', () => {
    const values = [0.1, -0.4, 0.7, 0.2, 0.9, -0.3, 0.5, 0.0];
    const point = summarize(sumMentions(values.map((score, i) => mention(score, 'neutral', i < 2 ? 12 : 1))));
    const rawWidth = (point.scoreHigh ?? 0) - (point.scoreLow ?? 0);
    const weightedWidth = (point.weightedScoreHigh ?? 0) - (point.weightedScoreLow ?? 0);
    expect(weightedWidth).toBeGreaterThan(rawWidth);
  });

  it('an engagement weight is 1 + ln(1 + engagement), at least 1', () => {
    expect(computeEngagementWeight(0)).toBe(1);
    expect(computeEngagementWeight(null)).toBe(1);
    expect(computeEngagementWeight(-12)).toBe(1);
    expect(computeEngagementWeight(Math.E - 1)).toBeCloseTo(2, 15);
    expect(computeEngagementWeight(1000)).toBeCloseTo(7.908755, 5);
  });
});

describe('recombining sums', () => {
  /** Direct computation over raw scores, two-pass, as the reference. */
  function summarizeDirectly(values: number[]): { mean: number; low: number; high: number } {
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
    const half = computeStudentTQuantile(0.975, values.length - 1) * Math.sqrt(variance / values.length);
    return { mean, low: Math.max(-1, mean - half), high: Math.min(1, mean + half) };
  }

  it('hourly sums added into a day equal the statistics computed over the raw scores (seeded, 50 days)', () => {
    const random = createSeededRandom(2026);
    const labelOf = (score: number): SentimentLabel => (score > 0.2 ? 'positive' : score < -0.2 ? 'negative' : 'neutral');
    for (let day = 0; day < 50; day++) {
      const raw: MentionSample[] = [];
      let daySums: RollupSums = { ...EMPTY_SUMS };
      for (let hour = 0; hour < 24; hour++) {
        // Hours of very different sizes, including empty ones.
        const size = random() < 0.3 ? 0 : Math.floor(random() ** 3 * 40);
        const hourMentions = Array.from({ length: size }, () => {
          const score = Math.round((random() * 2 - 1) * 1000) / 1000;
          return mention(score, labelOf(score), computeEngagementWeight(Math.floor(random() * 500)));
        });
        raw.push(...hourMentions);
        daySums = addSums(daySums, sumMentions(hourMentions));
      }
      if (raw.length < 2) continue;
      const point = summarize(daySums);
      const expected = summarizeDirectly(raw.map((sample) => sample.score));
      expect(point.n).toBe(raw.length);
      expect(point.positive).toBe(raw.filter((sample) => sample.label === 'positive').length);
      expect(point.score).toBeCloseTo(expected.mean, 12);
      expect(point.scoreLow).toBeCloseTo(expected.low, 10);
      expect(point.scoreHigh).toBeCloseTo(expected.high, 10);
      const weightSum = raw.reduce((sum, sample) => sum + sample.weight, 0);
      const weighted = raw.reduce((sum, sample) => sum + sample.weight * sample.score, 0) / weightSum;
      expect(point.weightedScore).toBeCloseTo(weighted, 12);
    }
  });

  it('a mean of means would be wrong when buckets differ in size', () => {
    // hour A: one mention at 1.0; hour B: three at -0.2
    // mean of means = (1.0 + -0.2) / 2 = 0.4; the right mean = (1.0 - 0.6) / 4 = 0.1
    const hourA = sumMentions(scores(1));
    const hourB = sumMentions(scores(-0.2, -0.2, -0.2));
    const meanOfMeans = ((summarize(hourA).score ?? 0) + (summarize(hourB).score ?? 0)) / 2;
    const day = summarize(addSums(hourA, hourB));
    expect(meanOfMeans).toBeCloseTo(0.4, 12);
    expect(day.score).toBeCloseTo(0.1, 12);
  });

  it('adding an empty bucket changes nothing', () => {
    const sums = sumMentions(scores(0.1, 0.5));
    expect(addSums(sums, EMPTY_SUMS)).toEqual(sums);
  });

  it('a row whose counts do not add up to n is refused by the schema', () => {
    expect(RollupSums.safeParse({ ...computeMentionSums(mention(0.2, 'positive', 1)), n: 2 }).success).toBe(false);
    expect(RollupSums.safeParse(computeMentionSums(mention(0.2, 'positive', 1))).success).toBe(true);
  });

  it('a score outside [-1, 1] or a weight of 0 is refused', () => {
    expect(() => computeMentionSums(mention(1.5))).toThrow(RangeError);
    expect(() => computeMentionSums(mention(0.5, 'neutral', 0))).toThrow(RangeError);
  });

  it('sums whose squares cancel to a tiny negative give a zero-width interval, not NaN', () => {
    // Σs² is a hair below (Σs)²/n, as rounding in a database can leave it.
    const sums: RollupSums = { ...sumMentions(scores(0.7, 0.7, 0.7)), scoreSqSum: 3 * 0.49 * (1 - 1e-15) };
    const point = summarize(sums);
    expect(point.scoreLow).toBeCloseTo(0.7, 12);
    expect(point.scoreHigh).toBeCloseTo(0.7, 12);
  });
});

describe('net sentiment interval', () => {
  it('is null with no mentions', () => {
    expect(computeNetSentimentInterval(0, 0, 0)).toBeNull();
  });

  it('still has width when every mention is positive', () => {
    const interval = computeNetSentimentInterval(20, 0, 20);
    expect(interval?.high).toBe(1);
    expect(interval?.low).toBeLessThan(0.8);
  });
});

describe('compareWindows', () => {
  it('a change beyond noise is significant, matching a hand computation', () => {
    // current 0.1 0.3 0.5: mean 0.3, s² = 0.08 / 2 = 0.04; previous -0.3 -0.1 0.1: mean -0.1, s² = 0.04
    // se = sqrt(0.04/3 + 0.04/3) = 0.1632993; t = 0.4 / 0.1632993 = √6 = 2.4494897
    // Welch df = (2·0.013333)² / (2 · 0.013333² / 2) = 4
    // Student t cdf with 4 df: F(t) = 1/2 + (3/8)·(t/√(1 + t²/4))·(1 - t²/(12(1 + t²/4)))
    //   = 0.5 + 0.375 · 1.5491933 · 0.8 = 0.9647580, so p = 2 · (1 - F) = 0.0704840
    // half width = t(0.975, 4) · se = 2.7764451 · 0.1632993 = 0.4533916
    const comparison = compareWindows(sumMentions(scores(0.1, 0.3, 0.5)), sumMentions(scores(-0.3, -0.1, 0.1)));
    expect(comparison.change).toBeCloseTo(0.4, 12);
    expect(comparison.pValue).toBeCloseTo(0.070484, 6);
    expect(comparison.changeLow).toBeCloseTo(0.4 - 0.4533916, 6);
    expect(comparison.changeHigh).toBeCloseTo(0.4 + 0.4533916, 6);
    expect(comparison.significant).toBe(false);
  });

  it('a large shift with many mentions is significant', () => {
    const random = createSeededRandom(9);
    const window = (center: number): RollupSums => sumMentions(Array.from({ length: 200 }, () => mention(center + (random() - 0.5) * 0.8)));
    const comparison = compareWindows(window(0.2), window(0.0));
    expect(comparison.significant).toBe(true);
    expect(comparison.pValue).toBeLessThan(0.001);
  });

  it('two samples from the same distribution are not significant', () => {
    const random = createSeededRandom(10);
    const window = (): RollupSums => sumMentions(Array.from({ length: 200 }, () => mention((random() - 0.5) * 0.8)));
    expect(compareWindows(window(), window()).significant).toBe(false);
  });

  it('an empty previous window has no change and is not significant', () => {
    const comparison = compareWindows(sumMentions(scores(0.5, 0.1)), EMPTY_SUMS);
    expect(comparison).toMatchObject({ currentScore: 0.3, previousScore: null, change: null, pValue: null, significant: false });
  });

  it('a single mention on either side gives the change but no test', () => {
    const comparison = compareWindows(sumMentions(scores(0.5)), sumMentions(scores(0.1, 0.3)));
    expect(comparison.change).toBeCloseTo(0.3, 12);
    expect(comparison).toMatchObject({ changeLow: null, pValue: null, significant: false });
  });

  it('two constant windows that differ are significant with p = 0', () => {
    const comparison = compareWindows(sumMentions(scores(0.5, 0.5)), sumMentions(scores(0.25, 0.25)));
    expect(comparison).toMatchObject({ pValue: 0, significant: true });
  });

  it('two identical constant windows are not', () => {
    expect(compareWindows(sumMentions(scores(0.5, 0.5)), sumMentions(scores(0.5, 0.5)))).toMatchObject({ pValue: 1, significant: false });
  });
});

describe('computeShareOfVoice', () => {
  it('divides each count by the total', () => {
    expect(computeShareOfVoice({ claude: 30, gpt: 50, gemini: 20 })).toEqual({ claude: 0.3, gpt: 0.5, gemini: 0.2 });
  });

  it('gives null shares, not 0, when nobody was mentioned', () => {
    expect(computeShareOfVoice({ claude: 0, gpt: 0 })).toEqual({ claude: null, gpt: null });
  });

  it('refuses negative counts', () => {
    expect(() => computeShareOfVoice({ claude: -1 })).toThrow(RangeError);
  });
});

describe('computeWilsonInterval', () => {
  it('stays inside [0, 1] at the edges and narrows with n', () => {
    expect(computeWilsonInterval(0, 0)).toBeNull();
    expect(computeWilsonInterval(0, 10)!.low).toBe(0);
    expect(computeWilsonInterval(10, 10)!.high).toBe(1);
    expect(computeWilsonInterval(50, 100)!.high - computeWilsonInterval(50, 100)!.low).toBeLessThan(
      computeWilsonInterval(5, 10)!.high - computeWilsonInterval(5, 10)!.low,
    );
    // 81 of 263: the textbook example's [0.2553, 0.3662].
    expect(computeWilsonInterval(81, 263)!.low).toBeCloseTo(0.2553, 3);
    expect(computeWilsonInterval(81, 263)!.high).toBeCloseTo(0.3662, 3);
  });
});
