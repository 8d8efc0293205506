import { mkdtempSync, rmSync } from 'node:fs';
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

/** A fresh temporary data directory for the embedded database. */
export function createDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'vibecheck-data-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
