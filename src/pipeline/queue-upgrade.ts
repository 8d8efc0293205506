import type pg from 'pg';
import type { JobInsert, PgBoss } from 'pg-boss';

/** Where pg-boss keeps its tables (its default). */
export const QUEUE_SCHEMA = 'pgboss';
/** Where the schema of pg-boss 10 waits while its jobs are moved into the current one. */
export const RETIRED_QUEUE_SCHEMA = 'pgboss_v10';
/** The first schema version of pg-boss 11; pg-boss 10 left 24, and no release migrates 24 to 25. */
const FIRST_CURRENT_SCHEMA_VERSION = 25;

/**
 * Step one of moving a database from pg-boss 10 (our releases up to 0.1) to the current pg-boss,
 * which cannot migrate that schema in place: before pg-boss starts, a `pgboss` schema of version 24
 * or older is renamed `pgboss_v10`, so pg-boss installs its current schema beside it. True when a
 * renamed schema waits for its jobs (renamed now, or by an earlier start that stopped half-way).
 * Call it holding the queue start-up lock, on the connection that holds it.
 */
export async function setAsideOldQueueSchema(client: pg.Client): Promise<boolean> {
  const found = await client.query<{ installed: boolean; retired: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AS installed, to_regnamespace($2) IS NOT NULL AS retired`,
    [`${QUEUE_SCHEMA}.version`, RETIRED_QUEUE_SCHEMA],
  );
  const { installed, retired } = found.rows[0]!;
  if (!installed) return retired;
  const version = await client.query<{ version: number }>(`SELECT version FROM ${QUEUE_SCHEMA}.version`);
  if ((version.rows[0]?.version ?? FIRST_CURRENT_SCHEMA_VERSION) >= FIRST_CURRENT_SCHEMA_VERSION) return retired;
  if (retired) {
    throw new Error(
      `both ${QUEUE_SCHEMA} and ${RETIRED_QUEUE_SCHEMA} hold pg-boss 10 queues: a process of the previous release recreated ${QUEUE_SCHEMA} during the upgrade; stop every process of that release and start again`,
    );
  }
  await client.query(`ALTER SCHEMA ${QUEUE_SCHEMA} RENAME TO ${RETIRED_QUEUE_SCHEMA}`);
  return true;
}

interface RetiredJob {
  id: string;
  name: string;
  data: object | null;
  priority: number;
  retry_limit: number;
  retry_delay: number;
  retry_backoff: boolean;
  start_after: Date;
  singleton_key: string | null;
  expire_seconds: number;
}

/**
 * Step two, once pg-boss runs with its queues created: the jobs still to run in `pgboss_v10`
 * (waiting, waiting to retry, or taken by a worker that is gone) are inserted into the current
 * schema with their ids, payloads, priorities, retry settings, start times, keys and expiries, and
 * the old schema is dropped, in one transaction: a start that fails half-way leaves both as they
 * were for the next. Retry counts start again from zero. Returns the number of jobs moved.
 */
export async function moveJobsFromRetiredSchema(client: pg.Client, boss: PgBoss, names: readonly string[]): Promise<number> {
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<RetiredJob>(
      `SELECT id, name, data, priority, retry_limit, retry_delay, retry_backoff, start_after, singleton_key,
              GREATEST(1, round(extract(epoch FROM expire_in)))::int AS expire_seconds
       FROM ${RETIRED_QUEUE_SCHEMA}.job
       WHERE state::text IN ('created', 'retry', 'active') AND name = ANY($1)
       ORDER BY created_on, id`,
      [names],
    );
    // pg-boss writes through this connection, so the inserts commit or roll back with the drop.
    const db = { executeSql: (text: string, values?: unknown[]) => client.query(text, values) };
    for (const name of names) {
      const jobs: JobInsert[] = rows
        .filter((job) => job.name === name)
        .map((job) => ({
          id: job.id,
          data: job.data ?? {},
          priority: job.priority,
          retryLimit: job.retry_limit,
          retryDelay: job.retry_delay,
          retryBackoff: job.retry_backoff,
          startAfter: job.start_after,
          expireInSeconds: job.expire_seconds,
          ...(job.singleton_key ? { singletonKey: job.singleton_key } : {}),
        }));
      for (let i = 0; i < jobs.length; i += 500) await boss.insert(name, jobs.slice(i, i + 500), { db });
    }
    await client.query(`DROP SCHEMA ${RETIRED_QUEUE_SCHEMA} CASCADE`);
    await client.query('COMMIT');
    return rows.length;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
