import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { PgBoss, type Job, type JobInsert, type QueuePolicy, type SendOptions } from 'pg-boss';
import type { Logger } from '../config/logger.ts';
import type { DB } from '../db/schema.ts';
import { JOB_CATALOG, concurrencyKeyOf, type JobHandlers, type JobName, type JobPayloadInput } from './jobs.ts';
import type { Metrics } from './metrics.ts';
import { moveJobsFromRetiredSchema, setAsideOldQueueSchema } from './queue-upgrade.ts';

export const JOB_NAMES = Object.keys(JOB_CATALOG) as JobName[];

export interface JobQueueOptions {
  databaseUrl: string;
  log: Pick<Logger, 'error' | 'warn' | 'info' | 'debug'>;
  /** Check for jobs past their expiry (a crashed worker's) this often, in seconds; they are then retried. */
  maintenanceSeconds?: number;
  /** Caps each job's expiry below its catalog timeout: a crashed worker's jobs come back sooner. */
  maxExpireSeconds?: number;
  /** Run maintenance in this process; API-only processes leave it to workers. */
  supervise?: boolean;
}

export interface EnqueueOptions {
  /** At most one job with this concurrency key per slot of this many seconds, whoever enqueues it. */
  throttleSeconds?: number;
}

/** The job catalog on a PostgreSQL server, through pg-boss: any process may enqueue, any worker runs. */
export interface JobQueue {
  /** The job id, or null when an equal job is already waiting (polls) or the throttle slot is taken. */
  enqueue<N extends JobName>(name: N, payload: JobPayloadInput<N>, options?: EnqueueOptions): Promise<string | null>;
  /** Many jobs of one kind in one statement. */
  enqueueMany<N extends JobName>(name: N, payloads: Array<JobPayloadInput<N>>): Promise<void>;
  readonly boss: PgBoss;
  stop(): Promise<void>;
}

/** Polls are skipped, not queued, while one is waiting: pg-boss's `short` policy keeps one per key. */
const QUEUE_POLICY: Partial<Record<JobName, QueuePolicy>> = { 'source.poll': 'short' };

function jobOptions(name: JobName, payload: unknown, maxExpireSeconds: number | undefined): SendOptions {
  const spec = JOB_CATALOG[name];
  const key = concurrencyKeyOf(name, payload as never);
  const expire = Math.max(1, Math.min(Math.round(spec.timeoutMs / 1000), maxExpireSeconds ?? Infinity));
  return {
    ...(key ? { singletonKey: key } : {}),
    retryLimit: spec.retries,
    retryDelay: 5,
    retryBackoff: true,
    expireInSeconds: expire,
  };
}

export async function openJobQueue(options: JobQueueOptions): Promise<JobQueue> {
  const expirySeconds = options.maintenanceSeconds ?? 60;
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    max: 4,
    supervise: options.supervise ?? true,
    schedule: false,
    // Expired jobs are found by the supervise pass, each queue at most once per monitor interval.
    superviseIntervalSeconds: expirySeconds,
    monitorIntervalSeconds: expirySeconds,
  });
  boss.on('error', (error: Error) => options.log.error({ err: error }, 'job queue error'));
  await startQueues(boss, options);
  return {
    boss,
    enqueue: async (name, payload, enqueueOptions = {}) => {
      const parsed = JOB_CATALOG[name].payload.parse(payload);
      const send = jobOptions(name, parsed, options.maxExpireSeconds);
      if (enqueueOptions.throttleSeconds) send.singletonSeconds = enqueueOptions.throttleSeconds;
      return boss.send(name, parsed, send);
    },
    enqueueMany: async (name, payloads) => {
      const jobs = payloads.map((payload): JobInsert => {
        const parsed = JOB_CATALOG[name].payload.parse(payload);
        return { data: parsed, ...jobOptions(name, parsed, options.maxExpireSeconds) };
      });
      for (let i = 0; i < jobs.length; i += 500) await boss.insert(name, jobs.slice(i, i + 500));
    },
    stop: () => boss.stop({ graceful: false }),
  };
}

/** Fixed key: processes starting together set the queues up one after another (concurrent creation deadlocks). */
const CREATE_QUEUES_LOCK = 7_246_001;

/**
 * Starts pg-boss and creates the catalog's queues, one process at a time. A database whose queues
 * pg-boss 10 made (releases up to 0.1) is upgraded on the way: its schema is set aside before pg-boss
 * installs the current one, and its waiting jobs are moved across once the queues exist.
 */
async function startQueues(boss: PgBoss, options: JobQueueOptions): Promise<void> {
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [CREATE_QUEUES_LOCK]);
    const upgrading = await setAsideOldQueueSchema(client);
    await boss.start();
    for (const name of JOB_NAMES) {
      if (!(await boss.getQueue(name))) await boss.createQueue(name, { policy: QUEUE_POLICY[name] ?? 'standard' });
    }
    if (upgrading) {
      const moved = await moveJobsFromRetiredSchema(client, boss, JOB_NAMES);
      options.log.info({ moved }, 'job queue upgraded from pg-boss 10: waiting jobs moved to the current schema');
    }
  } finally {
    await client.end();
  }
}

/** Jobs waiting or running per job type and state; empty before any queue process created the tables. */
export async function readQueueDepth(db: Kysely<DB>): Promise<Array<{ job: string; state: string; count: number }>> {
  const exists = await sql<{ found: boolean }>`SELECT to_regclass('pgboss.job') IS NOT NULL AS found`.execute(db);
  if (!exists.rows[0]?.found) return [];
  const rows = await sql<{ job: string; state: string; count: number }>`
    SELECT name AS job, state::text AS state, count(*)::int AS count
    FROM pgboss.job WHERE state IN ('created', 'retry', 'active') GROUP BY name, state`.execute(db);
  const found = new Map(rows.rows.map((r) => [`${r.job}|${r.state}`, r.count]));
  return JOB_NAMES.flatMap((job) =>
    ['created', 'retry', 'active'].map((state) => ({ job, state, count: found.get(`${job}|${state}`) ?? 0 })),
  );
}

export interface QueueWorkerOptions {
  queues?: JobName[];
  /** Jobs fetched at once per queue, and run side by side in this process. */
  batchSize?: number;
  /** Wait this long after finding a queue empty before asking again. */
  pollSeconds?: number;
  metrics?: Metrics;
}

export interface QueueWorker {
  /** Jobs this process is running now. */
  inFlight(): number;
  /** Stops fetching; lets running jobs finish for `graceMs`, then aborts them so they are failed and retried. */
  stop(graceMs?: number): Promise<void>;
}

class KeyBusyError extends Error {}

/**
 * Runs queued jobs in this process. A job with a concurrency key holds a PostgreSQL advisory lock on
 * it while it runs, on its own connection, so two jobs with one key never overlap anywhere; a killed
 * worker's lock ends with its connection.
 */
export function startQueueWorker(
  queue: JobQueue,
  db: Kysely<DB>,
  handlers: JobHandlers,
  log: Pick<Logger, 'error' | 'warn' | 'info' | 'debug'>,
  options: QueueWorkerOptions = {},
): QueueWorker {
  const names = options.queues ?? JOB_NAMES;
  const batchSize = options.batchSize ?? 20;
  const pollMs = (options.pollSeconds ?? 2) * 1000;
  const stopping = new AbortController();
  const abortJobs = new AbortController();
  const running = new Set<Promise<void>>();
  const metrics = options.metrics;

  const runJob = async (name: JobName, job: Job<unknown>): Promise<void> => {
    const started = performance.now();
    const expireMs = Number(job.expireInSeconds) * 1000;
    const signal = AbortSignal.any([abortJobs.signal, AbortSignal.timeout(expireMs)]);
    let outcome: 'completed' | 'failed' | 'skipped' = 'completed';
    try {
      const spec = JOB_CATALOG[name];
      const payload = spec.payload.parse(job.data);
      const handler = handlers[name] as (p: unknown, s: AbortSignal) => Promise<unknown>;
      const key = concurrencyKeyOf(name, payload as never);
      const execute = () => handler(payload, signal);
      await (key ? withKey(db, key, name === 'source.poll', signal, execute) : execute());
      // A handler told to stop may return early with part of its work done; the retry finishes it.
      if (signal.aborted) throw new Error('stopped before the end (shutdown or timeout); it will be retried');
      await queue.boss.complete(name, job.id);
    } catch (error) {
      if (error instanceof KeyBusyError) {
        outcome = 'skipped';
        await queue.boss.complete(name, job.id, { skipped: error.message });
      } else {
        outcome = 'failed';
        const message = error instanceof Error ? error.message : String(error);
        log.warn({ job: name, id: job.id, err: error }, 'job failed');
        await queue.boss.fail(name, job.id, { message });
      }
    } finally {
      metrics?.jobs.inc({ job: name, outcome });
      metrics?.jobSeconds.observe({ job: name }, (performance.now() - started) / 1000);
    }
  };

  const loop = async (name: JobName): Promise<void> => {
    const mine = new Set<Promise<void>>();
    while (!stopping.signal.aborted) {
      const room = batchSize - mine.size;
      if (room < Math.ceil(batchSize / 2)) {
        await Promise.race(mine);
        continue;
      }
      let jobs: Array<Job<unknown>> = [];
      try {
        jobs = await queue.boss.fetch<unknown>(name, { batchSize: room });
      } catch (error) {
        log.error({ err: error, job: name }, 'could not fetch jobs');
      }
      for (const job of jobs) {
        const run = runJob(name, job)
          .catch((error: unknown) => log.error({ err: error, job: name }, 'could not record a job outcome'))
          .finally(() => {
            mine.delete(run);
            running.delete(run);
          });
        mine.add(run);
        running.add(run);
      }
      if (jobs.length === 0) await sleep(pollMs, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  };
  const loops = names.map((name) => loop(name));
  log.info({ queues: names, batchSize }, 'queue worker started');

  return {
    inFlight: () => running.size,
    stop: async (graceMs = 25_000) => {
      stopping.abort();
      await Promise.all(loops);
      const settled = Promise.allSettled([...running]);
      const finished = await Promise.race([settled.then(() => true), sleep(graceMs, false, { ref: false })]);
      if (!finished) {
        abortJobs.abort(new Error('worker shutting down'));
        // Jobs that still do not end are left active: they expire and are retried elsewhere.
        await Promise.race([settled, sleep(5_000, undefined, { ref: false })]);
      }
    },
  };
}

/**
 * Runs `body` holding the advisory lock of `key`. A poll finding its source busy is skipped (the
 * next one comes soon); other jobs wait for the lock until their signal ends.
 */
async function withKey<T>(db: Kysely<DB>, key: string, skipWhenBusy: boolean, signal: AbortSignal, body: () => Promise<T>): Promise<T> {
  return db.connection().execute(async (connection) => {
    for (;;) {
      const got = await sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(hashtextextended(${key}, 0)) AS locked`.execute(connection);
      if (got.rows[0]?.locked) break;
      if (skipWhenBusy) throw new KeyBusyError(`${key} is busy`);
      signal.throwIfAborted();
      await sleep(1_000);
    }
    try {
      return await body();
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtextextended(${key}, 0))`.execute(connection);
    }
  });
}
