import { sql } from 'kysely';
import type { Executor } from './entities.ts';

export type RunKind = 'poll' | 'backfill' | 'import';
export type RunStatus = 'succeeded' | 'failed' | 'skipped';

export interface RunCounts {
  fetched: number;
  stored: number;
  duplicates: number;
  rejected: number;
}

export async function startRun(db: Executor, source: string, kind: RunKind, details: Record<string, unknown> = {}): Promise<number> {
  const row = await db
    .insertInto('collection_runs')
    .values({ source, kind, details: JSON.stringify(details) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * The end of the window of the latest backfill of `source` from `since`, when that run did not
 * finish (killed, interrupted or failed): a re-run without --until resumes that window.
 */
export async function findUnfinishedBackfill(db: Executor, source: string, since: Date): Promise<Date | null> {
  const rows = await sql<{ status: string; until: string | null }>`
    SELECT status, details->>'until' AS until FROM collection_runs
    WHERE source = ${source} AND kind = 'backfill' AND details->>'since' = ${since.toISOString()}
    ORDER BY id DESC LIMIT 1`.execute(db);
  const last = rows.rows[0];
  return last && (last.status === 'running' || last.status === 'failed') && last.until ? new Date(last.until) : null;
}

export async function finishRun(
  db: Executor,
  id: number,
  status: RunStatus,
  counts: RunCounts,
  error: string | null,
  details: Record<string, unknown> = {},
): Promise<void> {
  await db
    .updateTable('collection_runs')
    .set({
      fetched: counts.fetched,
      stored: counts.stored,
      duplicates: counts.duplicates,
      rejected: counts.rejected,
      status,
      error,
      finished_at: new Date(),
      details: sql`details || ${JSON.stringify(details)}::jsonb`,
    })
    .where('id', '=', id)
    .execute();
}

export const INTERRUPTED_RUN_ERROR = 'interrupted: the process stopped before this run finished (killed, crashed or out of disk space)';

/**
 * Marks every run still `running` as failed. Only for the embedded database at start: one process
 * at a time holds it, so such a run belongs to a process that died mid-run.
 */
export async function failInterruptedRuns(db: Executor): Promise<number> {
  const result = await db
    .updateTable('collection_runs')
    .set({ status: 'failed', error: INTERRUPTED_RUN_ERROR, finished_at: new Date() })
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface SourceHealth {
  source: string;
  lastRunAt: Date | null;
  lastStatus: RunStatus | 'running' | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  lastSkipReason: string | null;
  runs: number;
  itemsStored: number;
}

/** Per source: the latest run, the latest success, the latest error and totals. */
export async function getSourceHealth(db: Executor): Promise<SourceHealth[]> {
  const rows = await sql<{
    source: string;
    last_run_at: Date | null;
    last_status: SourceHealth['lastStatus'];
    last_success_at: Date | null;
    last_error: string | null;
    last_error_at: Date | null;
    last_skip_reason: string | null;
    runs: number;
    items_stored: number;
  }>`
    SELECT source,
      max(started_at) AS last_run_at,
      (array_agg(status ORDER BY started_at DESC))[1] AS last_status,
      max(finished_at) FILTER (WHERE status = 'succeeded') AS last_success_at,
      (array_agg(error ORDER BY started_at DESC) FILTER (WHERE status = 'failed'))[1] AS last_error,
      max(finished_at) FILTER (WHERE status = 'failed') AS last_error_at,
      (array_agg(error ORDER BY started_at DESC) FILTER (WHERE status = 'skipped'))[1] AS last_skip_reason,
      count(*)::int AS runs,
      coalesce(sum(stored), 0)::int AS items_stored
    FROM collection_runs GROUP BY source ORDER BY source`.execute(db);
  return rows.rows.map((r) => ({
    source: r.source,
    lastRunAt: r.last_run_at,
    lastStatus: r.last_status,
    lastSuccessAt: r.last_success_at,
    lastError: r.last_error,
    lastErrorAt: r.last_error_at,
    lastSkipReason: r.last_skip_reason,
    runs: r.runs,
    itemsStored: r.items_stored,
  }));
}

export interface StoredMentions {
  n: number;
  /** The UTC days of the oldest and newest mention stored (as YYYY-MM-DD); null when none is. */
  firstDay: string | null;
  lastDay: string | null;
}

/**
 * Mentions stored per source by any path (collection, backfill, import), from the daily rollups: a
 * post naming two tracked entities counts twice.
 */
export async function getMentionCountsBySource(db: Executor): Promise<Map<string, StoredMentions>> {
  const rows = await sql<{ source: string; n: string | number; first_day: string | null; last_day: string | null }>`
    SELECT source, sum(n) AS n,
           to_char(min(day) FILTER (WHERE n > 0) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS first_day,
           to_char(max(day) FILTER (WHERE n > 0) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS last_day
      FROM sentiment_rollups_daily GROUP BY source`.execute(db);
  return new Map(rows.rows.map((row) => [row.source, { n: Number(row.n), firstDay: row.first_day, lastDay: row.last_day }]));
}
