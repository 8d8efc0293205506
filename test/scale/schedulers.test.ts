import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { seedEntities } from '../../src/pipeline/entities.ts';
import { startServe, type ServeProcess } from '../support/cli.ts';
import { createServerDatabase, type TestServerDatabase } from '../support/databases.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { readSample, waitFor } from '../support/workers.ts';

describe('two serve processes scheduling polls on one PostgreSQL server', () => {
  let server: TestServerDatabase;
  let database: Database;
  let upstream: FakeUpstream;
  let inFlight = 0;
  let maxInFlight = 0;
  const dir = mkdtempSync(join(tmpdir(), 'vibecheck-sched-'));
  const serves: ServeProcess[] = [];

  beforeAll(async () => {
    server = await createServerDatabase('sched');
    database = await openDatabase({ databaseUrl: server.url, dataDir: 'unused' });
    await migrate(database.db);
    await seedEntities(database.db);
    // Two tracked entities keep one poll to a handful of slow requests.
    await sql`UPDATE entities SET removed_at = now(), user_modified = true WHERE slug NOT IN ('claude-code', 'anthropic')`.execute(
      database.db,
    );
    upstream = await startFakeUpstream(async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 120));
      inFlight--;
      return {
        body: {
          hits: [],
          nbHits: 0,
          page: 0,
          nbPages: 0,
          hitsPerPage: 100,
          exhaustiveNbHits: true,
          query: '',
          params: '',
          processingTimeMS: 1,
        },
      };
    });
    writeFileSync(join(dir, 'sources.json'), JSON.stringify({ intervals: { hn: '1s' } }));
  });
  afterAll(async () => {
    await Promise.all(serves.map((s) => s.stop('SIGKILL')));
    await upstream?.close();
    await database?.close();
    await server?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never start the same source poll together, while both enqueue it every second', async () => {
    const env = {
      DATABASE_URL: server.url,
      VIBECHECK_SOURCES: 'hn',
      VIBECHECK_SOURCES_FILE: join(dir, 'sources.json'),
      VIBECHECK_HN_URL: upstream.url,
      VIBECHECK_HN_FIREBASE_URL: upstream.url,
    };
    serves.push(...(await Promise.all([startServe([], env), startServe([], env)])));
    const runs = async () =>
      (
        await sql<{ started_at: Date; finished_at: Date | null }>`
          SELECT started_at, finished_at FROM collection_runs WHERE source = 'hn' AND kind = 'poll' ORDER BY started_at`.execute(
          database.db,
        )
      ).rows;
    await waitFor(async () => (await runs()).filter((r) => r.finished_at).length >= 4, 60_000, 'four finished polls');
    // Both processes ran the schedule and the queue: polls were enqueued and worked across them. A job
    // is counted once its handler returns, a moment after its run row is finished, so wait for the count.
    const pollsOf = (text: string) =>
      ['completed', 'skipped'].reduce((sum, outcome) => sum + readSample(text, 'vibecheck_jobs_total', { job: 'source.poll', outcome }), 0);
    let metrics: string[] = [];
    await waitFor(
      async () => {
        metrics = await Promise.all(serves.map(async (s) => (await fetch(`${s.url}/metrics`)).text()));
        return metrics.reduce((sum, text) => sum + pollsOf(text), 0) >= 4;
      },
      10_000,
      'four counted poll jobs',
    );
    expect(await Promise.all(serves.map((s) => s.stop('SIGTERM')))).toEqual([0, 0]);

    const finished = (await runs()).filter((r) => r.finished_at);
    for (let i = 1; i < finished.length; i++) {
      expect(finished[i]!.started_at.getTime()).toBeGreaterThanOrEqual(finished[i - 1]!.finished_at!.getTime());
    }
    expect(maxInFlight).toBe(1);
    expect(metrics[0]).toMatch(/^vibecheck_queue_depth\{job="source.poll",state="created"\} \d+$/m);
  });
});
