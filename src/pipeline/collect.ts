import type { Kysely } from 'kysely';
import type { Logger } from '../config/logger.ts';
import { escapeControls } from '../core/storable.ts';
import { listEntities } from '../db/queries/entities.ts';
import { loadCursors } from '../db/queries/ingest.ts';
import { finishRun, startRun, type RunKind } from '../db/queries/runs.ts';
import type { DB } from '../db/schema.ts';
import type { BackfillWindow, CursorValue, Rejection, Source, SourceBatch } from '../sources/types.ts';
import { createIngestor, ingestTiers, type IngestTiers } from './ingest.ts';
import { buildSearchTerms } from './sources.ts';

const INTERRUPTED = 'interrupted by shutdown; the next run resumes from the saved cursor';
/** Rejected items kept by id in the run's details (`rejected` counts them all); every one is logged. */
const MAX_RECORDED_REJECTIONS = 100;

/** The per-source summary `collect --json` prints (interface.md). */
export interface SourceRunSummary {
  fetched: number;
  stored: number;
  duplicates: number;
  rejected: number;
  skipped: string | null;
  error: string | null;
}

export interface RunSourceOptions extends IngestTiers {
  db: Kysely<DB>;
  source: Source;
  log: Logger;
  signal?: AbortSignal;
  /** Absent: a poll for new items. */
  backfill?: BackfillWindow;
  onBatch?: (batch: SourceBatch, totals: SourceRunSummary) => void;
}

/**
 * One run of one source: every batch is stored with its cursor in one transaction, and the run is
 * recorded with its counts and, if it failed, its cause. It never throws: a failure is a result.
 */
export async function runSource(options: RunSourceOptions): Promise<SourceRunSummary> {
  const { db, source, log } = options;
  const kind: RunKind = options.backfill ? 'backfill' : 'poll';
  const totals: SourceRunSummary = { fetched: 0, stored: 0, duplicates: 0, rejected: 0, skipped: null, error: null };
  const window = options.backfill && { since: options.backfill.since.toISOString(), until: options.backfill.until.toISOString() };
  const runId = await startRun(db, source.name, kind, window || {});
  const skip = source.skipReason();
  if (skip) {
    await finishRun(db, runId, 'skipped', totals, skip);
    log.info({ source: source.name, reason: skip }, 'source skipped');
    return { ...totals, skipped: skip };
  }
  const runLog = log.child({ source: source.name, run: runId, kind });
  const rejected: Rejection[] = [];
  try {
    const entities = await listEntities(db);
    const ingestor = await createIngestor(db, { ...ingestTiers(options), entities });
    const ctx = {
      terms: buildSearchTerms(entities),
      signal: options.signal ?? new AbortController().signal,
      log: runLog,
      now: () => new Date(),
    };
    const cursors = (await loadCursors(db, source.name)) as Map<string, CursorValue>;
    const batches = options.backfill ? source.backfill?.(ctx, options.backfill, cursors) : source.poll(ctx, cursors);
    if (!batches) throw new Error(`${source.name} cannot backfill`);
    for await (const batch of batches) {
      const result = await ingestor.ingest({
        posts: batch.posts,
        events: batch.events,
        cursor: { source: source.name, queryKey: batch.queryKey, value: batch.cursor },
      });
      totals.fetched += batch.fetched;
      totals.stored += result.stored;
      totals.duplicates += result.duplicates;
      // Refused by the mapper (wrong shape) or at the edge and by the database (values it cannot store).
      const rejections = [...batch.rejected, ...result.rejected.map(({ externalId, reason }) => ({ externalId, reason }))];
      totals.rejected += rejections.length;
      for (const rejection of rejections) {
        runLog.warn({ externalId: rejection.externalId, reason: rejection.reason }, 'item rejected');
        // Escaped: an id or reason quoting upstream text may hold NUL, which jsonb cannot.
        if (rejected.length < MAX_RECORDED_REJECTIONS) {
          rejected.push({
            externalId: rejection.externalId && escapeControls(rejection.externalId),
            reason: escapeControls(rejection.reason),
          });
        }
      }
      options.onBatch?.(batch, totals);
      if (options.signal?.aborted) break;
    }
    if (options.signal?.aborted) throw options.signal.reason;
    await finishRun(db, runId, 'succeeded', totals, null, { rejected });
    runLog.info(totals, 'run finished');
    return totals;
  } catch (error) {
    // Everything stored before a shutdown is committed with its cursor; the next run resumes there.
    const message = options.signal?.aborted ? INTERRUPTED : escapeControls(error instanceof Error ? error.message : String(error));
    await finishRun(db, runId, 'failed', totals, message, { rejected }).catch((e: unknown) =>
      runLog.error({ err: e }, 'could not record the failed run'),
    );
    runLog.warn({ ...totals, err: error }, 'run failed');
    return { ...totals, error: message };
  }
}
