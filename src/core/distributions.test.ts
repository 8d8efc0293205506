import { describe, it, expect } from 'vitest';
import {
  computeNormalCdf,
  computeNormalQuantile,
  computeStudentTCdf,
  computeStudentTQuantile,
  computeStudentTTwoSidedP,
  logGamma,
  regularizedBeta,
  Z_95,
} from './distributions.ts';

describe('logGamma', () => {
  it('matches factorials and Γ(1/2) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(10)).toBeCloseTo(Math.log(362_880), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
  });

  it('refuses zero and negatives', () => {
    expect(() => logGamma(0)).toThrow(RangeError);
  });
});

describe('regularizedBeta', () => {
  it('is x for a = b = 1 (the uniform distribution)', () => {
    expect(regularizedBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
  });

  it('is x² for a = 2, b = 1', () => {
    expect(regularizedBeta(0.6, 2, 1)).toBeCloseTo(0.36, 12);
  });

  it('is 0 and 1 at the ends', () => {
    expect(regularizedBeta(0, 3, 4)).toBe(0);
    expect(regularizedBeta(1, 3, 4)).toBe(1);
  });
});

describe('normal distribution', () => {
  it('has the textbook quantiles', () => {
    expect(computeNormalQuantile(0.975)).toBeCloseTo(Z_95, 12);
    expect(computeNormalQuantile(0.995)).toBeCloseTo(2.5758293035489, 10);
    expect(computeNormalQuantile(0.025)).toBeCloseTo(-Z_95, 12);
    expect(computeNormalQuantile(0.5)).toBe(0);
  });

  it('has the textbook cumulative probabilities', () => {
    expect(computeNormalCdf(0)).toBeCloseTo(0.5, 15);
    expect(computeNormalCdf(1)).toBeCloseTo(0.841344746068543, 12);
    expect(computeNormalCdf(-3)).toBeCloseTo(0.00134989803163009, 14);
  });
});

describe('Student t distribution', () => {
  // Two-sided 95% critical values from printed t tables.
  const table: [number, number][] = [
    [1, 12.7062047361747],
    [2, 4.30265272974946],
    [3, 3.18244630528371],
    [5, 2.57058183563631],
    [10, 2.22813885198627],
    [30, 2.04227245630124],
    [120, 1.97993040508242],
  ];

  it.each(table)('the 97.5%% quantile with %d degrees of freedom is %f', (df, expected) => {
    expect(computeStudentTQuantile(0.975, df)).toBeCloseTo(expected, 9);
  });

  it('the large-df expansion agrees with the exact solver where they meet', () => {
    // 1.971896224 is the exact 97.5% quantile at 200 df; the expansion takes over from there.
    expect(computeStudentTQuantile(0.975, 200)).toBeCloseTo(1.97189622363388, 9);
    expect(computeStudentTQuantile(0.975, 199.999)).toBeCloseTo(computeStudentTQuantile(0.975, 200), 6);
  });

  it('approaches the normal quantile as df grows', () => {
    expect(computeStudentTQuantile(0.975, 1e9)).toBeCloseTo(Z_95, 8);
  });

  it('is the inverse of the cdf at fractional df (as in Welch)', () => {
    const t = computeStudentTQuantile(0.9, 7.3);
    expect(computeStudentTCdf(t, 7.3)).toBeCloseTo(0.9, 12);
  });

  it.each([0.2, 0.5, 1.37, 2.5])('is the inverse of the cdf at %f df, below the range of the expansion', (df) => {
    expect(computeStudentTCdf(computeStudentTQuantile(0.975, df), df)).toBeCloseTo(0.975, 12);
  });

  it('gives the same answer from its cache as when first computed', () => {
    const first = computeStudentTQuantile(0.975, 17);
    expect(computeStudentTQuantile(0.975, 17)).toBe(first);
    expect(first).toBeCloseTo(2.10981557783332, 10);
  });

  it('a t of 2.228 with 10 df has a two-sided p of 0.05', () => {
    expect(computeStudentTTwoSidedP(2.22813885198627, 10)).toBeCloseTo(0.05, 12);
  });

  it('with one degree of freedom is the Cauchy distribution', () => {
    // Cauchy cdf: 1/2 + atan(t)/π, so P(T <= 1) = 3/4.
    expect(computeStudentTCdf(1, 1)).toBeCloseTo(0.75, 13);
  });

  it('an infinite t has p = 0', () => {
    expect(computeStudentTTwoSidedP(Infinity, 4)).toBe(0);
  });

  it('refuses probabilities outside (0, 1) and df <= 0', () => {
    expect(() => computeStudentTQuantile(1, 5)).toThrow(RangeError);
    expect(() => computeStudentTQuantile(0.975, 0)).toThrow(RangeError);
  });
});
