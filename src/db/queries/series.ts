import { sql } from 'kysely';
import { EMPTY_SUMS, type RollupSums } from '../../core/stats.ts';
import { areUtcHourStarts } from '../../core/time-buckets.ts';
import type { Executor } from './entities.ts';
import { SUMMED_ROLLUP_COLUMNS, toRollupSums, type SummedRow } from './rollups.ts';

/** Re-sums rows that already carry RollupSums names (the parts of a union). */
const SUMMED_ROLLUP_COLUMNS_OF_PARTS = sql`
  sum(n)::int AS n, sum(positive)::int AS positive, sum(neutral)::int AS neutral, sum(negative)::int AS negative,
  sum("scoreSum") AS "scoreSum", sum("scoreSqSum") AS "scoreSqSum", sum("weightSum") AS "weightSum",
  sum("weightSqSum") AS "weightSqSum", sum("weightedScoreSum") AS "weightedScoreSum", sum("weightedScoreSqSum") AS "weightedScoreSqSum"`;

export interface SeriesQuery {
  entityIds: number[];
  /** Bucket starts in increasing order; the last bucket ends at `end`. */
  starts: Date[];
  end: Date;
  source?: string | undefined;
}

const DAY_MS = 86_400_000;

function sumRows(table: 'hourly' | 'daily', query: SeriesQuery, from: Date, to: Date) {
  const starts = query.starts.map((s) => s.toISOString());
  const filter = sql`entity_id = ANY(${query.entityIds}::int[])
      ${query.source === undefined ? sql`` : sql`AND source = ${query.source}`}`;
  return table === 'daily'
    ? sql`SELECT entity_id, width_bucket(day, ${starts}::timestamptz[]) AS i, ${SUMMED_ROLLUP_COLUMNS}
          FROM sentiment_rollups_daily
          WHERE ${filter} AND day >= ${from.toISOString()}::timestamptz AND day < ${to.toISOString()}::timestamptz
          GROUP BY 1, 2`
    : sql`SELECT entity_id, width_bucket(bucket, ${starts}::timestamptz[]) AS i, ${SUMMED_ROLLUP_COLUMNS}
          FROM sentiment_rollups
          WHERE ${filter} AND bucket >= ${from.toISOString()}::timestamptz AND bucket < ${to.toISOString()}::timestamptz
          GROUP BY 1, 2`;
}

/**
 * Rollups added into the given buckets, per entity, every bucket present (n = 0 when empty).
 * width_bucket places each row by binary search over the boundaries the caller computed, so the SQL
 * never re-derives calendar or time-zone rules. When every boundary is a UTC midnight, whole days are
 * read from the daily rollups and only the partial last day from the hourly ones. Boundaries that
 * split a UTC hour (days in Asia/Kolkata start at 18:30 UTC) are read from the mentions themselves,
 * which is exact and slower.
 */
export async function getBucketSums(db: Executor, query: SeriesQuery): Promise<Map<number, RollupSums[]>> {
  if (!areUtcHourStarts(query.starts)) return getBucketSumsFromMentions(db, query);
  const result = new Map<number, RollupSums[]>(query.entityIds.map((id) => [id, query.starts.map(() => ({ ...EMPTY_SUMS }))]));
  const first = query.starts[0];
  if (first === undefined || query.entityIds.length === 0) return result;
  const daily = query.starts.every((s) => s.getTime() % DAY_MS === 0);
  const wholeDaysEnd = new Date(Math.max(first.getTime(), query.end.getTime() - (query.end.getTime() % DAY_MS)));
  const parts = daily
    ? sql`${sumRows('daily', query, first, wholeDaysEnd)} UNION ALL ${sumRows('hourly', query, wholeDaysEnd, query.end)}`
    : sumRows('hourly', query, first, query.end);
  const rows = await sql<SummedRow & { entity_id: number; i: number }>`
    SELECT entity_id, i, ${SUMMED_ROLLUP_COLUMNS_OF_PARTS} FROM (${parts}) parts GROUP BY 1, 2`.execute(db);
  for (const row of rows.rows) {
    const list = result.get(row.entity_id);
    // width_bucket is 1-based over the starts.
    const index = Number(row.i) - 1;
    if (list !== undefined && index >= 0 && index < list.length) list[index] = toRollupSums(row);
  }
  return result;
}

/** A mention row's score `s` and engagement weight `w` (computeEngagementWeight), as MENTION_SUM_COLUMNS sums them. */
export const MENTION_SAMPLE_COLUMNS = sql`score::float8 AS s, 1 + ln(1 + greatest(engagement, 0)) AS w`;

/** RollupSums of rows carrying `label` and MENTION_SAMPLE_COLUMNS, summed as the rollups sum them. */
export const MENTION_SUM_COLUMNS = sql`
  count(*)::int AS n,
  (count(*) FILTER (WHERE label = 'positive'))::int AS positive,
  (count(*) FILTER (WHERE label = 'neutral'))::int AS neutral,
  (count(*) FILTER (WHERE label = 'negative'))::int AS negative,
  sum(s) AS "scoreSum", sum(s * s) AS "scoreSqSum", sum(w) AS "weightSum", sum(w * w) AS "weightSqSum",
  sum(w * s) AS "weightedScoreSum", sum(w * s * s) AS "weightedScoreSqSum"`;

function mentionSamples(entityIds: number[], from: Date, to: Date, source: string | undefined) {
  return sql`
    SELECT entity_id, created_at, source, label, ${MENTION_SAMPLE_COLUMNS}
    FROM mentions
    WHERE entity_id = ANY(${entityIds}::int[])
      AND created_at >= ${from.toISOString()}::timestamptz AND created_at < ${to.toISOString()}::timestamptz
      ${source === undefined ? sql`` : sql`AND source = ${source}`}`;
}

/**
 * The same buckets computed from the raw mentions: what the rollups must equal (checks and the
 * benchmark), and the answer for boundaries the hourly rollups cannot split.
 */
export async function getBucketSumsFromMentions(db: Executor, query: SeriesQuery): Promise<Map<number, RollupSums[]>> {
  const result = new Map<number, RollupSums[]>(query.entityIds.map((id) => [id, query.starts.map(() => ({ ...EMPTY_SUMS }))]));
  const first = query.starts[0];
  if (first === undefined || query.entityIds.length === 0) return result;
  const rows = await sql<SummedRow & { entity_id: number; i: number }>`
    SELECT entity_id, width_bucket(created_at, ${query.starts.map((s) => s.toISOString())}::timestamptz[]) AS i, ${MENTION_SUM_COLUMNS}
    FROM (${mentionSamples(query.entityIds, first, query.end, query.source)}) m
    GROUP BY 1, 2`.execute(db);
  for (const row of rows.rows) {
    const list = result.get(row.entity_id);
    const index = Number(row.i) - 1;
    if (list !== undefined && index >= 0 && index < list.length) list[index] = toRollupSums(row);
  }
  return result;
}

export interface SourceSums {
  source: string;
  /** [from, to) */
  current: RollupSums;
  /** [previousFrom, from) */
  previous: RollupSums;
}

/**
 * One entity's mentions per source in exactly [from, to) and in [previousFrom, from), most mentions
 * first, in one scan. Read from the mentions themselves, so no bucket edge widens either window: the
 * sources add up to the window.
 */
export async function getSourceSums(
  db: Executor,
  query: { entityId: number; from: Date; to: Date; previousFrom: Date },
): Promise<SourceSums[]> {
  const rows = await sql<SummedRow & { source: string; cur: boolean }>`
    SELECT source, created_at >= ${query.from.toISOString()}::timestamptz AS cur, ${MENTION_SUM_COLUMNS}
    FROM (${mentionSamples([query.entityId], query.previousFrom, query.to, undefined)}) m
    GROUP BY 1, 2`.execute(db);
  const bySource = new Map<string, SourceSums>();
  for (const row of rows.rows) {
    const entry = bySource.get(row.source) ?? { source: row.source, current: { ...EMPTY_SUMS }, previous: { ...EMPTY_SUMS } };
    entry[row.cur ? 'current' : 'previous'] = toRollupSums(row);
    bySource.set(row.source, entry);
  }
  return [...bySource.values()].sort(
    (a, b) => b.current.n - a.current.n || b.previous.n - a.previous.n || a.source.localeCompare(b.source),
  );
}
