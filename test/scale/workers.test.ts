import { once } from 'node:events';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { seedEntities } from '../../src/pipeline/entities.ts';
import { openJobQueue, type JobQueue } from '../../src/pipeline/queue.ts';
import { createServerDatabase, type TestServerDatabase } from '../support/databases.ts';
import { runCli } from '../support/cli.ts';
import { getFreePort } from '../support/free-port.ts';
import {
  generatePosts,
  readIngestTotals,
  readJobStates,
  readSample,
  startWorker,
  waitFor,
  type WorkerProcess,
} from '../support/workers.ts';

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

async function openServer(): Promise<{ server: TestServerDatabase; database: Database }> {
  const server = await createServerDatabase('scale');
  const database = await openDatabase({ databaseUrl: server.url, dataDir: 'unused' });
  await migrate(database.db);
  await seedEntities(database.db);
  return { server, database };
}

describe('queue workers on a PostgreSQL server', () => {
  const started: WorkerProcess[] = [];
  afterAll(async () => {
    await Promise.all(started.map((w) => (w.child.exitCode === null && w.child.signalCode === null ? w.stop('SIGKILL') : undefined)));
  });

  describe('three worker processes draining 2,000 batch jobs', () => {
    let server: TestServerDatabase;
    let database: Database;
    let queue: JobQueue;
    beforeAll(async () => {
      ({ server, database } = await openServer());
      queue = await openJobQueue({ databaseUrl: server.url, log: quiet, supervise: false });
    });
    afterAll(async () => {
      await queue?.stop();
      await database?.close();
      await server?.drop();
    });

    it('store every job effect exactly once, with the work spread over all three', async () => {
      const JOBS = 2_000;
      const PER_JOB = 3;
      await queue.enqueueMany(
        'posts.ingest',
        Array.from({ length: JOBS }, (_, i) => ({ posts: generatePosts(i, PER_JOB) as never })),
      );
      const ports = await Promise.all([getFreePort(), getFreePort(), getFreePort()]);
      const env = { DATABASE_URL: server.url };
      const workers = await Promise.all(
        ports.map((port) =>
          startWorker(['--queues', 'posts.ingest', '--batch-size', '25', '--poll-seconds', '1', '--metrics-port', String(port)], env),
        ),
      );
      started.push(...workers);

      await waitFor(async () => (await readJobStates(database.db, 'posts.ingest')).completed === JOBS, 90_000, 'all jobs completed');
      const perWorker = await Promise.all(
        ports.map(async (port) =>
          readSample(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), 'vibecheck_jobs_total', {
            job: 'posts.ingest',
            outcome: 'completed',
          }),
        ),
      );
      expect(await Promise.all(workers.map((w) => w.stop('SIGTERM')))).toEqual([0, 0, 0]);

      expect(await readJobStates(database.db, 'posts.ingest')).toEqual({ completed: JOBS });
      expect(perWorker.reduce((a, b) => a + b, 0)).toBe(JOBS);
      for (const count of perWorker) expect(count).toBeGreaterThan(0);
      const totals = await readIngestTotals(database.db);
      expect(totals).toMatchObject({ posts: JOBS * PER_JOB, distinct: JOBS * PER_JOB, postsWithoutMention: 0 });
      expect(totals.rolledUp).toBe(totals.mentions);
    });

    it('a metrics port in use ends the worker with that error before it takes any job, not a crash mid-work', async () => {
      const port = await getFreePort();
      const holder = createServer().listen(port, '127.0.0.1');
      await once(holder, 'listening');
      try {
        const result = await runCli(['worker', '--metrics-port', String(port)], { DATABASE_URL: server.url, LOG_LEVEL: 'warn' });
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`vibecheck: error: --metrics-port ${port}: the port is in use on 127.0.0.1`);
        expect(result.stdout).not.toContain('worker is running');
      } finally {
        holder.close();
      }
    });
  });

  describe('a worker killed with SIGKILL in the middle of its batch', () => {
    let server: TestServerDatabase;
    let database: Database;
    let queue: JobQueue;
    beforeAll(async () => {
      ({ server, database } = await openServer());
      // Short expiry through configuration: the killed worker's jobs come back after 3 s.
      queue = await openJobQueue({ databaseUrl: server.url, log: quiet, supervise: false, maxExpireSeconds: 3 });
    });
    afterAll(async () => {
      await queue?.stop();
      await database?.close();
      await server?.drop();
    });

    it('loses nothing: its jobs are retried by the other workers and stored once', async () => {
      const JOBS = 300;
      const PER_JOB = 40;
      await queue.enqueueMany(
        'posts.ingest',
        Array.from({ length: JOBS }, (_, i) => ({ posts: generatePosts(i, PER_JOB) as never })),
      );
      const env = { DATABASE_URL: server.url };
      const victim = await startWorker(['--queues', 'posts.ingest', '--batch-size', '20', '--poll-seconds', '1'], env);
      started.push(victim);
      await waitFor(
        async () => ((await readJobStates(database.db, 'posts.ingest')).completed ?? 0) >= 20,
        60_000,
        'the first jobs to complete',
      );
      expect(await victim.stop('SIGKILL')).toBe(-1);
      const orphaned = (await readJobStates(database.db, 'posts.ingest')).active ?? 0;
      expect(orphaned).toBeGreaterThan(0);

      const rescuers = await Promise.all(
        [0, 1].map(() =>
          startWorker(['--queues', 'posts.ingest', '--batch-size', '20', '--poll-seconds', '1', '--maintenance-seconds', '1'], env),
        ),
      );
      started.push(...rescuers);
      await waitFor(async () => (await readJobStates(database.db, 'posts.ingest')).completed === JOBS, 90_000, 'all jobs completed');
      await Promise.all(rescuers.map((w) => w.stop('SIGTERM')));

      const totals = await readIngestTotals(database.db);
      expect(totals).toMatchObject({ posts: JOBS * PER_JOB, distinct: JOBS * PER_JOB, postsWithoutMention: 0 });
      expect(totals.rolledUp).toBe(totals.mentions);
      const { sql } = await import('kysely');
      const retried = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'posts.ingest' AND retry_count > 0`.execute(database.db);
      expect(retried.rows[0]!.n).toBeGreaterThanOrEqual(orphaned);
    });
  });
});
