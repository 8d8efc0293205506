import { sql } from 'kysely';
import type { Logger } from '../config/logger.ts';
import { describeDatabase, type Settings } from '../config/settings.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { getMigrationStatus, migrate } from '../db/migrate.ts';
import { createLlmAspectTier, createLruAspectCache, type LlmAspectTier } from '../understand/aspects/index.ts';
import { seedEntities } from './entities.ts';

export interface Runtime {
  settings: Settings;
  log: Logger;
  database: Database;
  /** The optional second aspect tier, one per process so its daily budget is shared. */
  aspectTier: LlmAspectTier | undefined;
  close(): Promise<void>;
}

/** The LLM tier when LLM_BASE_URL and LLM_MODEL are set. */
export function createAspectTier(settings: Settings, log: Logger): LlmAspectTier | undefined {
  if (!settings.llm) return undefined;
  return createLlmAspectTier({
    baseUrl: settings.llm.baseUrl,
    apiKey: settings.llm.apiKey ?? 'unused',
    model: settings.llm.model,
    dailyBudget: settings.llm.dailyBudget,
    timeoutMs: 20_000,
    cache: createLruAspectCache(10_000),
    logger: log.child({ component: 'llm-aspects' }),
  });
}

export interface OpenRuntimeOptions {
  migrate?: boolean;
  seed?: boolean;
}

/** Opens the database the settings name and, by default, migrates it and seeds the registry. */
export async function openRuntime(settings: Settings, log: Logger, options: OpenRuntimeOptions = {}): Promise<Runtime> {
  const database = await openDatabase({
    databaseUrl: settings.databaseUrl,
    dataDir: settings.dataDir,
    onQuery: settings.sqlEcho ? (text, durationMs) => log.info({ sql: text, durationMs }, 'sql') : undefined,
  });
  try {
    if (options.migrate ?? true) {
      const applied = await migrate(database.db);
      if (applied.length > 0) log.info({ applied }, 'migrations applied');
    }
    if (options.seed ?? true) {
      const seeded = await seedEntities(database.db);
      if (seeded.inserted + seeded.updated > 0) log.info(seeded, 'entity registry seeded');
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  log.debug({ database: describeDatabase(settings) }, 'database open');
  return { settings, log, database, aspectTier: createAspectTier(settings, log), close: () => database.close() };
}

export async function checkReady(database: Database): Promise<{ ready: boolean; reason?: string }> {
  await sql`SELECT 1`.execute(database.db);
  const pending = (await getMigrationStatus(database.db)).filter((m) => m.state !== 'applied');
  return pending.length === 0 ? { ready: true } : { ready: false, reason: `${pending.length} migration(s) not applied` };
}
