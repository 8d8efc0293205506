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

export async function startRun(db: Executor, source: string, kind: RunKind): Promise<number> {
  const row = await db.insertInto('collection_runs').values({ source, kind, details: '{}' }).returning('id').executeTakeFirstOrThrow();
  return row.id;
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
      details: JSON.stringify(details),
    })
    .where('id', '=', id)
    .execute();
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
