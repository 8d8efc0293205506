import type { SeriesPoint } from '../api/types.ts';
import { formatScore } from './format.ts';

/** The 95% interval of a mean as it follows the mean: "± 0.08" when symmetric, else "(-0.01 to +0.30)" (clipped at ±1); null when there is none. */
export function formatInterval(row: Pick<SeriesPoint, 'score' | 'scoreLow' | 'scoreHigh'>): string | null {
  if (row.score === null || row.scoreLow === null || row.scoreHigh === null) return null;
  const below = row.score - row.scoreLow;
  const above = row.scoreHigh - row.score;
  if (Math.abs(below - above) < 0.005) return `± ${below.toFixed(2)}`;
  return `(${formatScore(row.scoreLow)} to ${formatScore(row.scoreHigh)})`;
}
