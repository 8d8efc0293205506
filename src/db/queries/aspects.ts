import { sql } from 'kysely';
import type { RollupSums } from '../../core/stats.ts';
import type { Executor } from './entities.ts';

export interface AspectWindowSums {
  aspect: string;
  current: RollupSums;
  previous: RollupSums;
}

export interface AspectWindowQuery {
  entityIds: number[];
  from: Date;
  to: Date;
  /** Start of the previous window; it ends at `from`. */
  previousFrom: Date;
  source?: string | undefined;
}

type AspectRow = {
  entity_id: number;
  aspect: string;
  cur: boolean;
  n: number;
  positive: number;
  neutral: number;
  negative: number;
  score_sum: number;
  score_sq_sum: number;
};

/** Aspect scores are unweighted: every weight is 1, so the weighted sums equal the raw ones. */
function toSums(row: AspectRow | undefined): RollupSums {
  const n = Number(row?.n ?? 0);
  const scoreSum = Number(row?.score_sum ?? 0);
  const scoreSqSum = Number(row?.score_sq_sum ?? 0);
  return {
    n,
    positive: Number(row?.positive ?? 0),
    neutral: Number(row?.neutral ?? 0),
    negative: Number(row?.negative ?? 0),
    scoreSum,
    scoreSqSum,
    weightSum: n,
    weightSqSum: n,
    weightedScoreSum: scoreSum,
    weightedScoreSqSum: scoreSqSum,
  };
}

/** Per entity and aspect: sums over [from, to) and over [previousFrom, from), in one scan. */
export async function getAspectWindowSums(db: Executor, query: AspectWindowQuery): Promise<Map<number, AspectWindowSums[]>> {
  const result = new Map<number, AspectWindowSums[]>();
  if (query.entityIds.length === 0) return result;
  const rows = await sql<AspectRow>`
    SELECT entity_id, aspect, created_at >= ${query.from.toISOString()}::timestamptz AS cur,
      count(*)::int AS n,
      (count(*) FILTER (WHERE polarity = 'positive'))::int AS positive,
      (count(*) FILTER (WHERE polarity = 'neutral'))::int AS neutral,
      (count(*) FILTER (WHERE polarity = 'negative'))::int AS negative,
      sum(score::float8) AS score_sum, sum(score::float8 * score::float8) AS score_sq_sum
    FROM mention_aspects
    WHERE entity_id = ANY(${query.entityIds}::int[])
      AND created_at >= ${query.previousFrom.toISOString()}::timestamptz AND created_at < ${query.to.toISOString()}::timestamptz
      ${query.source === undefined ? sql`` : sql`AND source = ${query.source}`}
    GROUP BY 1, 2, 3`.execute(db);
  const byKey = new Map<string, { entityId: number; aspect: string; current?: AspectRow; previous?: AspectRow }>();
  for (const row of rows.rows) {
    const key = `${row.entity_id}\u0000${row.aspect}`;
    const entry = byKey.get(key) ?? { entityId: row.entity_id, aspect: row.aspect };
    entry[row.cur ? 'current' : 'previous'] = row;
    byKey.set(key, entry);
  }
  for (const entry of byKey.values()) {
    const list = result.get(entry.entityId) ?? [];
    list.push({ aspect: entry.aspect, current: toSums(entry.current), previous: toSums(entry.previous) });
    result.set(entry.entityId, list);
  }
  for (const list of result.values()) list.sort((a, b) => b.current.n - a.current.n || a.aspect.localeCompare(b.aspect));
  return result;
}
