import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeOnBothTargets } from '../../../test/support/targets.ts';
import { migrate } from '../migrate.ts';
import { failInterruptedRuns, findUnfinishedBackfill, finishRun, INTERRUPTED_RUN_ERROR, startRun } from './runs.ts';

const SINCE = new Date('2026-02-01T00:00:00Z');
const UNTIL = new Date('2026-03-01T00:00:00Z');
const window = { since: SINCE.toISOString(), until: UNTIL.toISOString() };
const counts = { fetched: 0, stored: 0, duplicates: 0, rejected: 0 };

describeOnBothTargets('finding an unfinished backfill', (get) => {
  beforeAll(async () => migrate(get().db));

  it('returns the window end of the latest backfill from that date while it is unfinished', async () => {
    const db = get().db;
    expect(await findUnfinishedBackfill(db, 'hn', SINCE)).toBeNull();
    const killed = await startRun(db, 'hn', 'backfill', window);
    expect(await findUnfinishedBackfill(db, 'hn', SINCE)).toEqual(UNTIL);
    // Finishing keeps the window in the run's details.
    await finishRun(db, killed, 'failed', counts, 'interrupted', { note: 'x' });
    expect(await findUnfinishedBackfill(db, 'hn', SINCE)).toEqual(UNTIL);
    expect(await findUnfinishedBackfill(db, 'reddit', SINCE)).toBeNull();
    expect(await findUnfinishedBackfill(db, 'hn', new Date('2026-01-01T00:00:00Z'))).toBeNull();
    const done = await startRun(db, 'hn', 'backfill', window);
    await finishRun(db, done, 'succeeded', counts, null);
    expect(await findUnfinishedBackfill(db, 'hn', SINCE)).toBeNull();
  });
});

describeOnBothTargets('failing runs an earlier process left running', (get) => {
  beforeAll(async () => migrate(get().db));

  it('marks only running runs failed, saying they were interrupted, and keeps a killed backfill resumable', async () => {
    const db = get().db;
    const killed = await startRun(db, 'import', 'import');
    const backfill = await startRun(db, 'hn', 'backfill', window);
    const done = await startRun(db, 'hn', 'poll');
    await finishRun(db, done, 'succeeded', counts, null);
    expect(await failInterruptedRuns(db)).toBe(2);
    const rows = await sql<{ id: number; status: string; error: string | null; finished: boolean }>`
      SELECT id, status, error, finished_at IS NOT NULL AS finished FROM collection_runs WHERE id IN (${killed}, ${backfill}, ${done}) ORDER BY id`.execute(
      db,
    );
    expect(rows.rows).toEqual([
      { id: killed, status: 'failed', error: INTERRUPTED_RUN_ERROR, finished: true },
      { id: backfill, status: 'failed', error: INTERRUPTED_RUN_ERROR, finished: true },
      { id: done, status: 'succeeded', error: null, finished: true },
    ]);
    expect(await findUnfinishedBackfill(db, 'hn', SINCE)).toEqual(UNTIL);
    expect(await failInterruptedRuns(db)).toBe(0);
  });
});
