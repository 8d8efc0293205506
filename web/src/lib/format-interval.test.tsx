import { describe, expect, it } from 'vitest';
import { formatInterval } from './format-interval.ts';

describe('formatInterval', () => {
  it('writes a symmetric interval as ± its half-width', () => {
    expect(formatInterval({ score: 0.2, scoreLow: 0.05, scoreHigh: 0.35 })).toBe('± 0.15');
  });

  it('writes both ends when the interval is clipped at the edge of the scale', () => {
    expect(formatInterval({ score: 0.9, scoreLow: 0.6, scoreHigh: 1 })).toBe(`(${'+0.60'} to ${'+1.00'})`);
  });

  it('is null without an interval (fewer than two mentions)', () => {
    expect(formatInterval({ score: 0.5, scoreLow: null, scoreHigh: null })).toBeNull();
    expect(formatInterval({ score: null, scoreLow: null, scoreHigh: null })).toBeNull();
  });
});
