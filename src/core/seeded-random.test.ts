import { describe, it, expect } from 'vitest';
import { createSeededRandom, shuffled } from './seeded-random.ts';

describe('createSeededRandom', () => {
  it('repeats the same sequence for the same seed', () => {
    const a = createSeededRandom(42);
    const b = createSeededRandom(42);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });

  it('gives different sequences for different seeds', () => {
    expect(createSeededRandom(1)()).not.toBe(createSeededRandom(2)());
  });

  it('stays in [0, 1) with a mean near one half', () => {
    const random = createSeededRandom(3);
    const values = Array.from({ length: 10_000 }, random);
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(values.reduce((sum, value) => sum + value, 0) / values.length).toBeCloseTo(0.5, 1);
  });
});

describe('shuffled', () => {
  it('returns a permutation, the same one for the same seed, and leaves the input alone', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const once = shuffled(items, createSeededRandom(7));
    expect(once).not.toEqual(items);
    expect([...once].sort((a, b) => a - b)).toEqual(items);
    expect(shuffled(items, createSeededRandom(7))).toEqual(once);
    expect(items).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
