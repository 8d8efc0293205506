import { afterAll, beforeAll, describe } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { createDataDir, createServerDatabase } from './databases.ts';

export interface Target {
  name: 'embedded' | 'server';
  open(): Promise<Database>;
}

/** A fresh embedded (PGlite) target, from the suite's empty cluster, and a fresh database on the real PostgreSQL server. */
export async function createTarget(name: Target['name']): Promise<Target & { cleanup(): Promise<void> }> {
  if (name === 'server') {
    const created = await createServerDatabase();
    return {
      name,
      open: () => openDatabase({ databaseUrl: created.url, dataDir: 'unused' }),
      cleanup: created.drop,
    };
  }
  const dataDir = createDataDir({ cluster: true });
  return {
    name,
    open: () => openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir }),
    cleanup: async () => dataDir.remove(),
  };
}

/**
 * Runs the same suite on both storage targets. The database handed to the suite is opened once
 * per target and closed after it.
 */
export function describeOnBothTargets(title: string, suite: (get: () => Database, target: () => Target) => void): void {
  for (const name of ['embedded', 'server'] as const) {
    describe(`${title} [${name}]`, () => {
      let target: Awaited<ReturnType<typeof createTarget>>;
      let database: Database;
      beforeAll(async () => {
        target = await createTarget(name);
        database = await target.open();
      });
      afterAll(async () => {
        await database?.close();
        await target?.cleanup();
      });
      suite(
        () => database,
        () => target,
      );
    });
  }
}
