import { sql } from 'kysely';
import { EMPTY_SUMS, type RollupSums } from '../../core/stats.ts';
import type { Executor } from './entities.ts';
import { SUMMED_ROLLUP_COLUMNS, toRollupSums, type SummedRow } from './rollups.ts';

export interface EntityWindowSums {
  current: RollupSums;
  previous: RollupSums;
}

/** Rollup sums per entity for [now - window, now) and for the window before it. */
export async function getEntityWindowSums(
  db: Executor,
  now: Date,
  windowMs: number,
  entityIds?: number[],
): Promise<Map<number, EntityWindowSums>> {
  const start = new Date(now.getTime() - windowMs);
  const previousStart = new Date(now.getTime() - 2 * windowMs);
  const rows = await sql<SummedRow & { entity_id: number; cur: boolean }>`
    SELECT entity_id, bucket >= ${start} AS cur, ${SUMMED_ROLLUP_COLUMNS}
    FROM sentiment_rollups
    WHERE bucket >= ${previousStart} AND bucket < ${now}
      ${entityIds ? sql`AND entity_id = ANY(${entityIds})` : sql``}
    GROUP BY 1, 2`.execute(db);
  const result = new Map<number, EntityWindowSums>();
  for (const row of rows.rows) {
    const entry = result.get(row.entity_id) ?? { current: { ...EMPTY_SUMS }, previous: { ...EMPTY_SUMS } };
    entry[row.cur ? 'current' : 'previous'] = toRollupSums(row);
    result.set(row.entity_id, entry);
  }
  return result;
}
