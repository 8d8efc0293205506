import { addSums, EMPTY_SUMS, type RollupSums } from './stats.ts';
import { areUtcHourStarts } from './time-buckets.ts';

/** One stored rollup row: the sums of one UTC hour (any entity or source the caller chose to fetch). */
export interface HourlyRollup {
  hourStart: Date;
  sums: RollupSums;
}

export interface BucketSums {
  bucketStart: Date;
  sums: RollupSums;
}

/** Index of the last start at or before ms, or -1 when ms precedes them all. */
function findBucketIndex(starts: readonly number[], ms: number): number {
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((starts[middle] ?? Infinity) <= ms) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

/**
 * Adds hourly rows into the buckets [starts[k], starts[k + 1]), the last one ending at `end`; every bucket
 * is returned, empty ones with n = 0. Rows outside [starts[0], end) are ignored. Refuses boundaries that
 * are not whole UTC hours (zones such as Asia/Kolkata), where hourly rows cannot be split exactly.
 */
export function combineRollups(rows: readonly HourlyRollup[], starts: readonly Date[], end: Date): BucketSums[] {
  if (!areUtcHourStarts([...starts, end])) throw new RangeError('bucket boundaries must be whole UTC hours to recombine hourly rollups');
  const startMs = starts.map((start) => start.getTime());
  startMs.forEach((ms, i) => {
    const next = startMs[i + 1] ?? end.getTime();
    if (!(next > ms)) throw new RangeError('bucket starts must increase and precede end');
  });
  const totals: RollupSums[] = starts.map(() => ({ ...EMPTY_SUMS }));
  const endMs = end.getTime();
  for (const row of rows) {
    const ms = row.hourStart.getTime();
    if (ms >= endMs) continue;
    const index = findBucketIndex(startMs, ms);
    const total = totals[index];
    if (total !== undefined) totals[index] = addSums(total, row.sums);
  }
  return starts.map((bucketStart, i) => ({ bucketStart, sums: totals[i] ?? { ...EMPTY_SUMS } }));
}
