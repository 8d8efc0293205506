import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import pg from 'pg';
import { StartupError } from '../core/errors.ts';
import { acquireDataDirLock, type DataDirLock } from './lock-file.ts';
import type { DB } from './schema.ts';

export type DatabaseKind = 'embedded' | 'server';

export interface Database {
  db: Kysely<DB>;
  kind: DatabaseKind;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  /** Logs every statement with its duration; bound values are never logged. */
  onQuery?: (sql: string, durationMs: number) => void;
  poolSize?: number;
}

// Timestamps stay Date objects, bigint counts become numbers where they are safe.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
});

function kyselyLog(onQuery: OpenDatabaseOptions['onQuery']) {
  if (!onQuery) return undefined;
  return (event: LogEvent): void => onQuery(event.query.sql, event.queryDurationMillis);
}

/** One interface over the embedded database (the default) and a PostgreSQL server. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  return options.databaseUrl ? openServer(options, options.databaseUrl) : openEmbedded(options);
}

async function openServer(options: OpenDatabaseOptions, url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on the next checkout.
  });
  try {
    const client = await pool.connect();
    client.release();
  } catch (cause) {
    await pool.end();
    throw new StartupError(`cannot reach the database at DATABASE_URL: ${(cause as Error).message}`, { cause });
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: kyselyLog(options.onQuery) });
  return { db, kind: 'server', close: () => db.destroy() };
}

async function openEmbedded(options: OpenDatabaseOptions): Promise<Database> {
  const dataDir = resolve(options.dataDir);
  const lock: DataDirLock = acquireDataDirLock(dataDir);
  let pglite: PGlite | undefined;
  try {
    pglite = await PGlite.create(join(dataDir, 'pgdata'));
    // The whole app goes through this single-connection pool: PGlite has one session, and a
    // query sent around it would land inside whatever transaction is open.
    const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: kyselyLog(options.onQuery) });
    const instance = pglite;
    return {
      db,
      kind: 'embedded',
      close: async () => {
        await db.destroy();
        await instance.close();
        lock.release();
      },
    };
  } catch (cause) {
    await pglite?.close().catch(() => undefined);
    lock.release();
    throw new StartupError(`cannot open the embedded database in ${dataDir}: ${(cause as Error).message}`, { cause });
  }
}
