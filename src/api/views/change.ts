import { compareWindows, type RollupSums } from '../../core/stats.ts';

/** The fields every answer about a window against the one of the same length before it carries. */
export function presentChange(current: Readonly<RollupSums>, previous: Readonly<RollupSums>) {
  const comparison = compareWindows(current, previous);
  return {
    previousN: previous.n,
    previousScore: comparison.previousScore,
    change: comparison.change,
    changeLow: comparison.changeLow,
    changeHigh: comparison.changeHigh,
    significant: comparison.significant,
  };
}
