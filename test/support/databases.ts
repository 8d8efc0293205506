import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';

export interface TestServerDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the suite's real PostgreSQL server. */
export async function createServerDatabase(prefix = 'vc'): Promise<TestServerDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * Puts a copy of the suite's empty PGlite cluster (initdb done, nothing migrated or seeded) into
 * the data directory `dataDir`, as PGlite's first start there would have left it, minus the
 * seconds initdb costs. The app still migrates and seeds it on first open.
 */
export function copyEmptyCluster(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  if (process.env.VIBECHECK_TEST_INITDB === 'each') return dataDir;
  cpSync(join(inject('pgliteTemplateDir'), 'pgdata'), join(dataDir, 'pgdata'), { recursive: true });
  return dataDir;
}

/**
 * A fresh temporary data directory for the embedded database: empty, or with `cluster: true` an
 * empty initdb'd cluster in it (copyEmptyCluster) for tests that are not about PGlite's initdb.
 */
export function createDataDir({ cluster = false }: { cluster?: boolean } = {}): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'vibecheck-data-'));
  // VIBECHECK_TEST_INITDB=each: every data directory starts empty, as before the template existed.
  if (cluster && process.env.VIBECHECK_TEST_INITDB !== 'each') copyEmptyCluster(dir);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
