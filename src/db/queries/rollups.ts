import { sql, type RawBuilder } from 'kysely';
import type { RollupSums } from '../../core/stats.ts';

/** The rollup columns summed and named as RollupSums fields; used by every read of the rollups. */
export const SUMMED_ROLLUP_COLUMNS: RawBuilder<unknown> = sql`
  coalesce(sum(n), 0)::int AS n,
  coalesce(sum(positive), 0)::int AS positive,
  coalesce(sum(neutral), 0)::int AS neutral,
  coalesce(sum(negative), 0)::int AS negative,
  coalesce(sum(score_sum), 0) AS "scoreSum",
  coalesce(sum(score_sq_sum), 0) AS "scoreSqSum",
  coalesce(sum(weight_sum), 0) AS "weightSum",
  coalesce(sum(weight_sq_sum), 0) AS "weightSqSum",
  coalesce(sum(weighted_score_sum), 0) AS "weightedScoreSum",
  coalesce(sum(weighted_score_sq_sum), 0) AS "weightedScoreSqSum"`;

export type SummedRow = { [K in keyof RollupSums]: number | string };

export function toRollupSums(row: SummedRow): RollupSums {
  return {
    n: Number(row.n),
    positive: Number(row.positive),
    neutral: Number(row.neutral),
    negative: Number(row.negative),
    scoreSum: Number(row.scoreSum),
    scoreSqSum: Number(row.scoreSqSum),
    weightSum: Number(row.weightSum),
    weightSqSum: Number(row.weightSqSum),
    weightedScoreSum: Number(row.weightedScoreSum),
    weightedScoreSqSum: Number(row.weightedScoreSqSum),
  };
}
