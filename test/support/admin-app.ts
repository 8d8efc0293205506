import type { Kysely } from 'kysely';
import { createApp, type App, type AppDeps } from '../../src/api/app.ts';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import type { DB } from '../../src/db/schema.ts';
import { createDataDir } from './databases.ts';

/** A logger that drops everything, for apps under test. */
export const SILENT_LOG = { error: () => undefined, info: () => undefined, warn: () => undefined };

export interface AdminApp {
  database: Database;
  app: App;
  close(): Promise<void>;
}

/**
 * A migrated embedded database and the app over it as `serve` builds one (admin token, public URL,
 * the 5 s response cache on, so admin answers are tested against it), for admin route tests. `deps`
 * may be built over the database (a function of it).
 */
export async function openAdminApp(
  adminToken: string,
  deps: Partial<AppDeps> | ((db: Kysely<DB>) => Partial<AppDeps>) = {},
): Promise<AdminApp> {
  const dataDir = createDataDir({ cluster: true });
  const database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
  await migrate(database.db);
  const app = createApp({
    db: database.db,
    settings: { adminToken, corsOrigins: [], publicUrl: 'https://vibes.example' },
    log: SILENT_LOG,
    sources: [],
    checkReady: async () => ({ ready: true }),
    responseCacheMs: 5_000,
    ...(typeof deps === 'function' ? deps(database.db) : deps),
  });
  return {
    database,
    app,
    close: async () => {
      await database.close();
      dataDir.remove();
    },
  };
}
