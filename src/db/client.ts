import { AsyncLocalStorage } from 'node:async_hooks';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect, type LogEvent, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { DiskFullError, StartupError, messageOf } from '../core/errors.ts';
import { asDiskFullError, assertFreeSpace, DISK_FLOOR_BYTES, DISK_RESERVE_BYTES } from './disk-space.ts';
import { acquireDataDirLock } from './lock-file.ts';
import type { DB } from './schema.ts';

export type DatabaseKind = 'embedded' | 'server';

export interface Database {
  db: Kysely<DB>;
  kind: DatabaseKind;
  /**
   * Runs `body` allowed to use the embedded database's disk reserve: for recording that work
   * failed (the disk filling up, say), never for the work itself.
   */
  withinReserve<T>(body: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  /** Logs every statement with its duration; bound values are never logged. */
  onQuery?: (sql: string, durationMs: number) => void;
  poolSize?: number;
  /** Embedded: called if the data-directory lock is lost while open; queries are refused from then on. */
  onLockLost?: (error: StartupError) => void;
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

// Kysely's pool client type has an overload for cursors, which this project does not use.
const asPoolClientQuery = (query: (sql: string, parameters: readonly unknown[]) => Promise<unknown>) =>
  query as PostgresPoolClient['query'];

/**
 * The pool Kysely sees: `beforeConnect` may refuse new work (disk nearly full, lock lost), and
 * "no space left" from any query comes out as a DiskFullError naming `where`. Kysely cancels an
 * aborted query from a second connection of `controlClient` built with the pool's options; without
 * one (PGlite has a single session) it would ask through the pool.
 */
function guardPool(pool: pg.Pool, where: string, beforeConnect: () => void, controlClient?: typeof pg.Client): PostgresPool {
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const guard = (client: pg.PoolClient): PostgresPoolClient => ({
    query: asPoolClientQuery((text, parameters) =>
      client.query(text, [...parameters]).catch((error: unknown) => {
        throw asDiskFullError(error, where);
      }),
    ),
    release: (destroy) => client.release(destroy),
  });
  return {
    connect: async () => {
      beforeConnect();
      const client = await pool.connect();
      let guarded = clients.get(client);
      if (!guarded) clients.set(client, (guarded = guard(client)));
      return guarded;
    },
    end: () => pool.end(),
    options: pool.options,
    ...(controlClient ? { Client: controlClient } : {}),
  };
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
  const dialect = new PostgresDialect({ pool: guardPool(pool, "the database server's data", () => undefined, pg.Client) });
  const db = new Kysely<DB>({ dialect, log: kyselyLog(options.onQuery) });
  return { db, kind: 'server', withinReserve: (body) => body(), close: () => db.destroy() };
}

// Set while recording a failure: the embedded database may then use its disk reserve.
const reserveScope = new AsyncLocalStorage<true>();

async function openEmbedded(options: OpenDatabaseOptions): Promise<Database> {
  const dataDir = resolve(options.dataDir);
  let lost: StartupError | undefined;
  const lock = await acquireDataDirLock(dataDir, {
    onLost: (error) => {
      lost = error;
      options.onLockLost?.(error);
    },
  });
  let pglite: PGlite | undefined;
  try {
    assertFreeSpace(dataDir, DISK_FLOOR_BYTES);
    pglite = await PGlite.create(join(dataDir, 'pgdata'));
    // The whole app goes through this single-connection pool: PGlite has one session, and a
    // query sent around it would land inside whatever transaction is open.
    const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
    const guarded = guardPool(pool, dataDir, () => {
      if (lost) throw lost;
      assertFreeSpace(dataDir, reserveScope.getStore() ? DISK_FLOOR_BYTES : DISK_RESERVE_BYTES);
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: guarded }), log: kyselyLog(options.onQuery) });
    const instance = pglite;
    return {
      db,
      kind: 'embedded',
      withinReserve: (body) => reserveScope.run(true, body),
      close: async () => {
        await db.destroy();
        // Closing writes a checkpoint: not into a directory that is no longer ours.
        if (!lost) await instance.close();
        await lock.release();
      },
    };
  } catch (cause) {
    await pglite?.close().catch(() => undefined);
    await lock.release();
    const diskFull = asDiskFullError(cause, dataDir);
    if (diskFull instanceof DiskFullError) throw diskFull;
    throw new StartupError(`cannot open the embedded database in ${dataDir}: ${messageOf(cause)}`, { cause });
  }
}
