import { sql } from 'kysely';
import type { Logger } from '../config/logger.ts';
import { describeDatabase, type Settings } from '../config/settings.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { getMigrationStatus, migrate } from '../db/migrate.ts';
import { releaseInterruptedDeliveries } from '../db/queries/alerts.ts';
import { failInterruptedRuns } from '../db/queries/runs.ts';
import { createLlmAspectTier, createLruAspectCache, type LlmAspectTier } from '../understand/aspects/index.ts';
import { createLlmFlowTier, createLruFlowCache, type LlmFlowTier } from '../understand/flows/index.ts';
import { createLlmEndpoint } from '../understand/llm/index.ts';
import { createLlmSentimentTier, createLruSentimentCache, type LlmSentimentTier } from '../understand/sentiment/index.ts';
import { createExplanationSummarizer, type ExplanationSummarizer } from '../understand/summary/explanation-summary.ts';
import { seedEntities } from './entities.ts';

export interface Runtime {
  settings: Settings;
  log: Logger;
  database: Database;
  /** The optional LLM tier for aspects; it shares one endpoint and daily budget with sentimentTier and flowTier. */
  aspectTier: LlmAspectTier | undefined;
  /** The optional LLM tier for the sentiment of mentions the local model is unsure of. */
  sentimentTier: LlmSentimentTier | undefined;
  /** The optional LLM tier for the switching flows of posts that may state one. */
  flowTier: LlmFlowTier | undefined;
  /** The optional two-sentence summaries of explanations, on the same endpoint and budget. */
  summarizer: ExplanationSummarizer | undefined;
  close(): Promise<void>;
}

export interface LlmTiers {
  aspectTier: LlmAspectTier | undefined;
  sentimentTier: LlmSentimentTier | undefined;
  flowTier: LlmFlowTier | undefined;
  summarizer: ExplanationSummarizer | undefined;
}

/**
 * The LLM tiers when LLM_BASE_URL and LLM_MODEL are set: one endpoint per process, so
 * LLM_DAILY_BUDGET bounds the aspect, sentiment, flow and summary calls together.
 */
export function createLlmTiers(settings: Settings, log: Logger): LlmTiers {
  if (!settings.llm) return { aspectTier: undefined, sentimentTier: undefined, flowTier: undefined, summarizer: undefined };
  const endpoint = createLlmEndpoint({
    baseUrl: settings.llm.baseUrl,
    apiKey: settings.llm.apiKey ?? 'unused',
    model: settings.llm.model,
    dailyBudget: settings.llm.dailyBudget,
    timeoutMs: 20_000,
  });
  return {
    aspectTier: createLlmAspectTier({
      endpoint,
      cache: createLruAspectCache(10_000),
      logger: log.child({ component: 'llm-aspects' }),
      every: settings.llm.aspects === 'every',
    }),
    sentimentTier: createLlmSentimentTier({
      endpoint,
      cache: createLruSentimentCache(10_000),
      logger: log.child({ component: 'llm-sentiment' }),
      every: settings.llm.sentiment === 'every',
    }),
    flowTier: createLlmFlowTier({ endpoint, cache: createLruFlowCache(10_000), logger: log.child({ component: 'llm-flows' }) }),
    summarizer: createExplanationSummarizer({ endpoint, logger: log.child({ component: 'llm-summary' }) }),
  };
}

export interface OpenRuntimeOptions {
  migrate?: boolean;
  seed?: boolean;
  /** Embedded: the data-directory lock was lost while open; the process must stop writing. */
  onLockLost?: (error: Error) => void;
}

/** Opens the database the settings name and, by default, migrates it and seeds the registry. */
export async function openRuntime(settings: Settings, log: Logger, options: OpenRuntimeOptions = {}): Promise<Runtime> {
  const database = await openDatabase({
    databaseUrl: settings.databaseUrl,
    dataDir: settings.dataDir,
    onQuery: settings.sqlEcho ? (text, durationMs) => log.info({ sql: text, durationMs }, 'sql') : undefined,
    onLockLost: options.onLockLost,
  });
  try {
    if (options.migrate ?? true) {
      const applied = await migrate(database.db);
      if (applied.length > 0) log.info({ applied }, 'migrations applied');
      const interrupted = database.kind === 'embedded' ? await failInterruptedRuns(database.db) : 0;
      if (interrupted > 0) log.warn({ runs: interrupted }, 'runs left unfinished by an earlier process marked failed');
      const deliveries = database.kind === 'embedded' ? await releaseInterruptedDeliveries(database.db) : 0;
      if (deliveries > 0) log.warn({ alerts: deliveries }, 'alert deliveries cut short by an earlier process are due again');
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
  return { settings, log, database, ...createLlmTiers(settings, log), close: () => database.close() };
}

export async function checkReady(database: Database): Promise<{ ready: boolean; reason?: string }> {
  await sql`SELECT 1`.execute(database.db);
  const pending = (await getMigrationStatus(database.db)).filter((m) => m.state !== 'applied');
  return pending.length === 0 ? { ready: true } : { ready: false, reason: `${pending.length} migration(s) not applied` };
}
