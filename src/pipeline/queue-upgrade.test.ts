import { sql } from 'kysely';
import pg from 'pg';
import PgBoss10 from 'pg-boss-10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerDatabase, type TestServerDatabase } from '../../test/support/databases.ts';
import { generatePosts, waitFor } from '../../test/support/workers.ts';
import { openDatabase, type Database } from '../db/client.ts';
import type { JobHandlers, JobName } from './jobs.ts';
import { JOB_NAMES, openJobQueue, startQueueWorker, type JobQueue } from './queue.ts';
import { setAsideOldQueueSchema } from './queue-upgrade.ts';

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

interface StoredJob {
  id: string;
  name: string;
  state: string;
  data: unknown;
  retry_limit: number;
  expire_seconds: number;
  singleton_key: string | null;
}

/**
 * What release 0.1 left in a database: the catalog's queues made by pg-boss 10 (polls on the
 * `short` policy), with jobs waiting, one taken by a worker that died, one failed and waiting to be
 * retried, and one done. Returns the ids of the jobs that still have to run.
 */
async function queueWithPgBoss10(url: string): Promise<{ pending: Map<string, { name: JobName; data: unknown }>; doneId: string }> {
  const boss = new PgBoss10({ connectionString: url, max: 2, supervise: false, schedule: false });
  await boss.start();
  for (const name of JOB_NAMES) await boss.createQueue(name, { name, policy: name === 'source.poll' ? 'short' : 'standard' });
  const pending = new Map<string, { name: JobName; data: unknown }>();
  const send = async (name: JobName, data: object, options: PgBoss10.SendOptions = {}): Promise<string> => {
    const id = await boss.send(name, data, { retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 600, ...options });
    if (!id) throw new Error(`pg-boss 10 refused a ${name} job`);
    pending.set(id, { name, data });
    return id;
  };
  for (let i = 0; i < 3; i++) await send('posts.ingest', { posts: generatePosts(i, 2) }, { retryLimit: 5 });
  await send('source.poll', { source: 'hn' }, { singletonKey: 'source:hn', retryLimit: 0, expireInSeconds: 1800 });
  // Taken by a worker that never finished it.
  await send('alerts.evaluate', {});
  const [taken] = await boss.fetch('alerts.evaluate');
  expect(taken).toBeDefined();
  // Failed once, to be retried a second later.
  await send('spikes.detect', { days: 7 }, { retryDelay: 1, retryBackoff: false });
  const [failing] = await boss.fetch('spikes.detect');
  await boss.fail('spikes.detect', failing!.id, { message: 'upstream down' });
  // Done: stays behind.
  const doneId = (await boss.send('rollups.rebuild', { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }))!;
  const [rebuild] = await boss.fetch('rollups.rebuild');
  await boss.complete('rollups.rebuild', rebuild!.id);

  const states = await boss
    .getDb()
    .executeSql(`SELECT state::text AS state, count(*)::int AS n FROM pgboss.job GROUP BY state ORDER BY state`, []);
  expect(states.rows).toEqual([
    { state: 'active', n: 1 },
    { state: 'completed', n: 1 },
    { state: 'created', n: 4 },
    { state: 'retry', n: 1 },
  ]);
  await boss.stop({ graceful: false, wait: true });
  return { pending, doneId };
}

async function readJobs(database: Database): Promise<StoredJob[]> {
  const rows = await sql<StoredJob>`
    SELECT id, name, state::text AS state, data, retry_limit, expire_seconds, singleton_key FROM pgboss.job ORDER BY name, id`.execute(
    database.db,
  );
  return rows.rows;
}

/** Handlers that only write down what they were given. */
function recordingHandlers(ran: Array<{ name: JobName; data: unknown }>): JobHandlers {
  return Object.fromEntries(
    JOB_NAMES.map((name) => [
      name,
      (payload: unknown) => {
        ran.push({ name, data: payload });
        return Promise.resolve();
      },
    ]),
  ) as unknown as JobHandlers;
}

describe('a job queue made by pg-boss 10 (release 0.1)', () => {
  let server: TestServerDatabase;
  let database: Database;
  let queue: JobQueue | undefined;
  let before: Awaited<ReturnType<typeof queueWithPgBoss10>>;

  beforeAll(async () => {
    server = await createServerDatabase('pgboss_upgrade');
    before = await queueWithPgBoss10(server.url);
    database = await openDatabase({ databaseUrl: server.url, dataDir: 'unused' });
  });

  afterAll(async () => {
    await queue?.stop();
    await database?.close();
    await server?.drop();
  });

  it('upgrades in place on start: the current schema, every job still to run kept with its payload and settings', async () => {
    queue = await openJobQueue({ databaseUrl: server.url, log: quiet, supervise: false });

    const version = await sql<{ version: number }>`SELECT version FROM pgboss.version`.execute(database.db);
    expect(version.rows[0]!.version).toBeGreaterThanOrEqual(25);
    const retired = await sql<{ found: boolean }>`SELECT to_regnamespace('pgboss_v10') IS NOT NULL AS found`.execute(database.db);
    expect(retired.rows[0]!.found).toBe(false);

    const jobs = await readJobs(database);
    expect(new Set(jobs.map((job) => job.id))).toEqual(new Set(before.pending.keys()));
    expect(jobs.some((job) => job.id === before.doneId)).toBe(false);
    for (const job of jobs) {
      expect(job.state).toBe('created');
      expect({ name: job.name, data: job.data }).toEqual(before.pending.get(job.id));
    }
    const poll = jobs.find((job) => job.name === 'source.poll')!;
    expect(poll).toMatchObject({ singleton_key: 'source:hn', retry_limit: 0, expire_seconds: 1800 });
    expect(jobs.filter((job) => job.name === 'posts.ingest').map((job) => [job.retry_limit, job.expire_seconds])).toEqual([
      [5, 600],
      [5, 600],
      [5, 600],
    ]);
  });

  it('then runs those jobs, each once, and a second start changes nothing', async () => {
    const ran: Array<{ name: JobName; data: unknown }> = [];
    const worker = startQueueWorker(queue!, database.db, recordingHandlers(ran), quiet, { pollSeconds: 1 });
    try {
      await waitFor(async () => (await readJobs(database)).every((job) => job.state === 'completed'), 60_000, 'the moved jobs to complete');
    } finally {
      await worker.stop(1_000);
    }
    expect(ran).toHaveLength(before.pending.size);
    expect(new Set(ran.map((job) => job.name))).toEqual(new Set([...before.pending.values()].map((job) => job.name)));

    const again = await openJobQueue({ databaseUrl: server.url, log: quiet, supervise: false });
    await again.stop();
    const jobs = await readJobs(database);
    expect(jobs).toHaveLength(before.pending.size);
    expect(jobs.every((job) => job.state === 'completed')).toBe(true);
  });
});

describe('an upgrade from pg-boss 10 stopped after setting the old schema aside', () => {
  it('is finished by the next start, with the jobs still there', async () => {
    const server = await createServerDatabase('pgboss_resume');
    const database = await openDatabase({ databaseUrl: server.url, dataDir: 'unused' });
    try {
      const { pending } = await queueWithPgBoss10(server.url);
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      expect(await setAsideOldQueueSchema(client)).toBe(true);
      // The process died here: a later start finds the old schema aside and nothing in its place.
      expect(await setAsideOldQueueSchema(client)).toBe(true);
      await client.end();

      const queue = await openJobQueue({ databaseUrl: server.url, log: quiet, supervise: false });
      await queue.stop();
      const jobs = await readJobs(database);
      expect(new Set(jobs.map((job) => job.id))).toEqual(new Set(pending.keys()));
      const retired = await sql<{ found: boolean }>`SELECT to_regnamespace('pgboss_v10') IS NOT NULL AS found`.execute(database.db);
      expect(retired.rows[0]!.found).toBe(false);
    } finally {
      await database.close();
      await server.drop();
    }
  });
});
