import { describe, expect, it } from 'vitest';
import { cohenKappa, comparePasses, pairMacroF1 } from '../scripts/opinion/agreement.ts';
import { bootstrapInterval, groupBy } from '../scripts/bootstrap.ts';
import { summarize, type PairResult } from '../scripts/opinion/pipeline-eval.ts';

describe('bootstrapInterval', () => {
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  it('gives the width sampling theory gives for a share, and the same interval on every run', () => {
    // 400 units, 30% of them 1: the share's 95% interval is about 0.3 ± 1.96 × sqrt(0.3 × 0.7 / 400) = ± 0.045.
    const units = Array.from({ length: 400 }, (_, i) => (i % 10 < 3 ? 1 : 0));
    const { low, high } = bootstrapInterval(units, mean);
    expect(low).toBeGreaterThan(0.24);
    expect(low).toBeLessThan(0.27);
    expect(high).toBeGreaterThan(0.33);
    expect(high).toBeLessThan(0.36);
    expect(bootstrapInterval(units, mean)).toEqual({ low, high });
    expect(bootstrapInterval(units, mean, { seed: 1 })).not.toEqual({ low, high });
  });

  it('groups items into units by key, in first-seen order', () => {
    const pairs = [
      { post: 'b', slug: 'zed' },
      { post: 'a', slug: 'cursor' },
      { post: 'b', slug: 'aider' },
    ];
    expect(groupBy(pairs, (p) => p.post)).toEqual([[pairs[0], pairs[2]], [pairs[1]]]);
    expect(groupBy([], (p: { post: string }) => p.post)).toEqual([]);
  });

  it('has no width when every unit is the same, and none without units', () => {
    expect(bootstrapInterval([2, 2, 2], mean)).toEqual({ low: 2, high: 2 });
    expect(bootstrapInterval([], mean)).toEqual({ low: 0, high: 0 });
  });
});

describe('opinion scoring', () => {
  it('counts a gold pair the pipeline did not link as wrong, and a spurious link against precision', () => {
    const results: PairResult[] = [
      { post: 'a', slug: 'cursor', gold: 'positive', predicted: 'positive', confidence: 0.9 },
      { post: 'a', slug: 'zed', gold: 'positive', predicted: 'unlinked' },
      { post: 'b', slug: 'aider', gold: 'negative', predicted: 'negative', confidence: 0.7 },
      { post: 'c', slug: 'cline', gold: 'neutral', predicted: 'negative', confidence: 0.6 },
    ];
    const report = summarize(results, [{ post: 'c', slug: 'zed' }]);
    expect(report.confusion.positive).toEqual({ negative: 0, neutral: 0, positive: 1, unlinked: 1 });
    expect(report.perClass.positive).toMatchObject({ precision: 1, recall: 0.5 });
    expect(report.perClass.negative).toMatchObject({ precision: 0.5, recall: 1 });
    expect(report.perClass.neutral.f1).toBe(0);
    expect(report.macroF1).toBeCloseTo((2 / 3 + 2 / 3 + 0) / 3, 10);
    expect(report.linking).toMatchObject({ truePositives: 3, falsePositives: 1, falseNegatives: 1, precision: 0.75, recall: 0.75 });
    // Unsure: linked pairs under 0.6 confidence (none here; 0.6 itself is sure), and how often each side reads right.
    expect(report.unsure).toEqual({ below: 0.6, pairs: 0, accuracy: 0, sureAccuracy: 2 / 3 });
  });

  it('splits linked pairs at the LLM tier threshold and reads how often each side is right', () => {
    const report = summarize(
      [
        { post: 'a', slug: 'cursor', gold: 'positive', predicted: 'neutral', confidence: 0.41 },
        { post: 'b', slug: 'cursor', gold: 'neutral', predicted: 'neutral', confidence: 0.55 },
        { post: 'c', slug: 'cursor', gold: 'negative', predicted: 'negative', confidence: 0.95 },
        { post: 'd', slug: 'cursor', gold: 'negative', predicted: 'unlinked' },
      ],
      [],
    );
    expect(report.unsure).toEqual({ below: 0.6, pairs: 2, accuracy: 0.5, sureAccuracy: 1 });
  });

  it("counts the pairs each reader stored (an unlinked pair has none; no tier is the local model's) and how often each is right", () => {
    const report = summarize(
      [
        { post: 'a', slug: 'cursor', gold: 'positive', predicted: 'positive', confidence: 0.8, tier: 'llm' },
        { post: 'b', slug: 'cursor', gold: 'neutral', predicted: 'negative', confidence: 0.7, tier: 'llm' },
        { post: 'c', slug: 'cursor', gold: 'negative', predicted: 'negative', confidence: 0.95, tier: 'local' },
        { post: 'd', slug: 'cursor', gold: 'neutral', predicted: 'neutral', confidence: 0.9 },
        { post: 'e', slug: 'cursor', gold: 'negative', predicted: 'unlinked' },
      ],
      [],
    );
    expect(report.tiers).toEqual({ local: { pairs: 2, accuracy: 1 }, llm: { pairs: 2, accuracy: 0.5 } });
  });

  it('gives a 95% interval of macro-F1 by resampling whole posts, the same on every run', () => {
    const results: PairResult[] = [];
    // 60 posts of two pairs each; every third post has its positive pair read neutral.
    for (let i = 0; i < 60; i++) {
      results.push({ post: `p${i}`, slug: 'cursor', gold: 'positive', predicted: i % 3 === 0 ? 'neutral' : 'positive', confidence: 0.8 });
      results.push({
        post: `p${i}`,
        slug: 'zed',
        gold: i % 2 ? 'negative' : 'neutral',
        predicted: i % 2 ? 'negative' : 'neutral',
        confidence: 0.8,
      });
    }
    const report = summarize(results, []);
    const { low, high } = report.macroF1Interval;
    expect(low).toBeLessThan(report.macroF1);
    expect(high).toBeGreaterThan(report.macroF1);
    expect(high).toBeLessThanOrEqual(1);
    expect(high - low).toBeGreaterThan(0.02);
    expect(high - low).toBeLessThan(0.3);
    expect(summarize(results, []).macroF1Interval).toEqual(report.macroF1Interval);
    // All right: no resample can read otherwise.
    const perfect = results.map((r) => ({ ...r, predicted: r.gold }));
    expect(summarize(perfect, []).macroF1Interval).toEqual({ low: 1, high: 1 });
  });

  it('scores kappa 1 for identical passes, 0 for chance agreement, and lists disputed posts', () => {
    expect(
      cohenKappa([
        ['positive', 'positive'],
        ['neutral', 'neutral'],
      ]),
    ).toBe(1);
    expect(
      cohenKappa([
        ['a', 'a'],
        ['a', 'b'],
        ['b', 'a'],
        ['b', 'b'],
      ]),
    ).toBe(0);
    type Labels = Record<string, 'positive' | 'neutral' | 'negative'>;
    const first = new Map<string, { id: string; labels: Labels }>([
      ['P000001', { id: 'P000001', labels: { cursor: 'positive' } }],
      ['P000002', { id: 'P000002', labels: {} }],
    ]);
    const second = new Map<string, { id: string; labels: Labels }>([
      ['P000001', { id: 'P000001', labels: { cursor: 'neutral' } }],
      ['P000002', { id: 'P000002', labels: {} }],
    ]);
    const agreement = comparePasses(first, second);
    expect(agreement.disputed).toEqual(['P000001']);
    expect(
      pairMacroF1([
        ['positive', 'positive'],
        ['negative', null],
      ]),
    ).toBeCloseTo(1 / 3, 10);
  });
});
