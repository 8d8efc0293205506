import { createSeededRandom } from '../src/core/seeded-random.ts';

/**
 * A 95% percentile interval of `statistic` over resamples of `units` with replacement: the units
 * are what was sampled (posts, so a post's pairs or flows move together), and the interval says how
 * far another sample of as many such units could read. Seeded, so a rerun prints the same interval.
 */
export function bootstrapInterval<T>(
  units: readonly T[],
  statistic: (drawn: readonly T[]) => number,
  { draws = 2000, seed = 20261207 }: { draws?: number; seed?: number } = {},
): { low: number; high: number } {
  if (units.length === 0) return { low: 0, high: 0 };
  const random = createSeededRandom(seed);
  const values: number[] = [];
  const drawn: T[] = new Array<T>(units.length);
  for (let d = 0; d < draws; d++) {
    for (let i = 0; i < units.length; i++) drawn[i] = units[Math.floor(random() * units.length)]!;
    values.push(statistic(drawn));
  }
  values.sort((a, b) => a - b);
  return { low: values[Math.floor(0.025 * (draws - 1))]!, high: values[Math.ceil(0.975 * (draws - 1))]! };
}

/** `items` in groups of equal `key` (the units to resample, such as a post's pairs), in first-seen order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return [...groups.values()];
}
