import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import { AppError } from '../core/errors.ts';
import type { DB } from './schema.ts';

export const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

export interface MigrationFile {
  version: number;
  name: string;
  checksum: string;
  sql: string;
}

export interface MigrationStatus {
  version: number;
  name: string;
  state: 'applied' | 'pending' | 'changed';
  appliedAt: Date | null;
}

/**
 * A migration whose first line is this comment runs outside a transaction, statement by statement,
 * for what PostgreSQL refuses inside one (`CREATE INDEX CONCURRENTLY`). Such a file must be safe to
 * run again from the top (IF NOT EXISTS...): a failure half-way leaves the statements before it done.
 */
const NO_TRANSACTION = /^-- vibecheck:no-transaction\s*$/m;

/** The statements of a no-transaction migration: split where a line ends with `;` (no function bodies in such files). */
export function splitStatements(text: string): string[] {
  return text
    .split(/;[ \t]*(?:--[^\n]*)?$/m)
    .map((statement) => statement.replace(/^\s*--[^\n]*$/gm, '').trim())
    .filter((statement) => statement !== '');
}

/** Arbitrary but fixed: every VibeCheck process serialises migrations on this advisory lock. */
const MIGRATION_LOCK_KEY = 74_501_221;

export function readMigrationFiles(dir: URL = MIGRATIONS_DIR): MigrationFile[] {
  const files = readdirSync(dir)
    .filter((file) => /^\d{3}_[a-z0-9_]+\.sql$/.test(file))
    .sort();
  return files.map((file) => {
    const text = readFileSync(new URL(file, dir), 'utf8');
    return {
      version: Number(file.slice(0, 3)),
      name: file.replace(/\.sql$/, ''),
      checksum: createHash('sha256').update(text).digest('hex'),
      sql: text,
    };
  });
}

async function ensureTable(db: Kysely<DB>): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
}

export async function getMigrationStatus(db: Kysely<DB>, files = readMigrationFiles()): Promise<MigrationStatus[]> {
  const exists = await sql<{ present: boolean }>`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`.execute(db);
  const applied = exists.rows[0]?.present ? await db.selectFrom('schema_migrations').selectAll().execute() : [];
  const byVersion = new Map(applied.map((row) => [row.version, row]));
  return files.map((file) => {
    const row = byVersion.get(file.version);
    const state = !row ? 'pending' : row.checksum === file.checksum ? 'applied' : 'changed';
    return { version: file.version, name: file.name, state, appliedAt: row ? new Date(row.applied_at) : null };
  });
}

/** How often a process waiting for another's migrations asks for the lock again. */
const LOCK_POLL_MS = 200;

/**
 * Takes the migration lock by asking until it is free rather than waiting inside a statement: a
 * waiting statement is an open transaction, and `CREATE INDEX CONCURRENTLY` in the holder's migration
 * waits for every open transaction to end, so the two would wait on each other.
 */
async function takeMigrationLock(conn: Kysely<DB>): Promise<void> {
  for (;;) {
    const { rows } = await sql<{ taken: boolean }>`SELECT pg_try_advisory_lock(${MIGRATION_LOCK_KEY}) AS taken`.execute(conn);
    if (rows[0]?.taken) return;
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

/**
 * Applies pending migrations in order, each in its own transaction, under a session advisory
 * lock so processes starting together on one server take turns; a later one finds nothing to do.
 */
export async function migrate(db: Kysely<DB>, files = readMigrationFiles()): Promise<string[]> {
  return db.connection().execute(async (conn) => {
    await takeMigrationLock(conn);
    try {
      await ensureTable(conn);
      const status = await getMigrationStatus(conn, files);
      const changed = status.find((s) => s.state === 'changed');
      if (changed) {
        throw new AppError('migration_changed', `migration ${changed.name} was edited after it was applied; add a new migration instead`);
      }
      const applied: string[] = [];
      for (const file of files) {
        if (status.find((s) => s.version === file.version)?.state === 'applied') continue;
        const record = (db: Kysely<DB>) =>
          db.insertInto('schema_migrations').values({ version: file.version, name: file.name, checksum: file.checksum }).execute();
        if (NO_TRANSACTION.test(file.sql)) {
          // One statement at a time (several in one query would share an implicit transaction).
          for (const statement of splitStatements(file.sql)) await sql.raw(statement).execute(conn);
          await record(conn);
        } else {
          await conn.transaction().execute(async (trx) => {
            await sql.raw(file.sql).execute(trx);
            await record(trx);
          });
        }
        applied.push(file.name);
      }
      return applied;
    } finally {
      await sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn);
    }
  });
}
