import type { Command } from 'commander';
import { sql, type Kysely } from 'kysely';
import { describeDatabase, type Settings } from '../config/settings.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { describeOwner, inspectDataDirLock } from '../db/lock-file.ts';
import { getMigrationStatus } from '../db/migrate.ts';
import { getSourceHealth } from '../db/queries/runs.ts';
import type { DB } from '../db/schema.ts';
import { analysisVersion } from '../pipeline/analysis-version.ts';
import { buildSources, type ConfiguredSource } from '../pipeline/sources.ts';
import { loadSettings, printJson } from './context.ts';
import { EXIT, exitWithError, formatError } from './errors.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';

export type CheckState = 'ok' | 'warn' | 'fail';
export interface Check {
  name: string;
  state: CheckState;
  detail: string;
}

async function checkDatabase(settings: Settings, checks: Check[]): Promise<Database | undefined> {
  if (!settings.databaseUrl) {
    const lock = inspectDataDirLock(settings.dataDir);
    if (lock.state === 'held') {
      checks.push({ name: 'lock', state: 'warn', detail: `held by ${describeOwner(lock.owner)}; database checks need it stopped` });
      return undefined;
    }
    checks.push({
      name: 'lock',
      state: 'ok',
      detail: lock.state === 'stale' ? `stale lock of ${describeOwner(lock.owner)} will be taken over` : 'free',
    });
  }
  try {
    const database = await openDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir, onLockLost: exitWithError });
    const version = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(database.db);
    checks.push({ name: 'database', state: 'ok', detail: `${describeDatabase(settings)}, PostgreSQL ${version.rows[0]?.v}` });
    return database;
  } catch (error) {
    checks.push({ name: 'database', state: 'fail', detail: formatError(error) });
    return undefined;
  }
}

async function checkRuns(database: Database, checks: Check[]): Promise<void> {
  for (const h of await getSourceHealth(database.db)) {
    const last = h.lastRunAt ? new Date(h.lastRunAt).toISOString() : 'never';
    const state: CheckState = h.lastStatus === 'failed' ? 'warn' : 'ok';
    const error = h.lastStatus === 'failed' && h.lastError ? `; error: ${h.lastError}` : '';
    checks.push({ name: `runs ${h.source}`, state, detail: `last run ${last} (${h.lastStatus}), ${h.itemsStored} items stored${error}` });
  }
}

/** True when the schema is current, so the run history can be read. */
async function checkMigrations(database: Database, checks: Check[]): Promise<boolean> {
  const status = await getMigrationStatus(database.db);
  const changed = status.filter((m) => m.state === 'changed');
  const pending = status.filter((m) => m.state === 'pending');
  if (changed.length)
    checks.push({ name: 'migrations', state: 'fail', detail: `edited after being applied: ${changed.map((m) => m.name).join(', ')}` });
  else if (pending.length)
    checks.push({
      name: 'migrations',
      state: 'warn',
      detail: `${pending.length} pending (applied at the next start or by \`vibecheck db migrate\`)`,
    });
  else checks.push({ name: 'migrations', state: 'ok', detail: `${status.length} applied, none pending` });
  return changed.length === 0 && pending.length === 0;
}

/** Stored posts read by an older sentiment or aspect model than this one: `vibecheck rescore` re-reads them. */
export async function checkAnalysis(db: Kysely<DB>, checks: Check[]): Promise<void> {
  const version = analysisVersion();
  const { older, total } = (
    await sql<{ older: number; total: number }>`
      SELECT count(*) FILTER (WHERE model_version IS DISTINCT FROM ${version})::int AS older, count(*)::int AS total FROM posts`.execute(db)
  ).rows[0]!;
  checks.push(
    older === 0
      ? { name: 'analysis', state: 'ok', detail: `${total} posts read by ${version}` }
      : {
          name: 'analysis',
          state: 'warn',
          detail: `${older} of ${total} posts read by an older model than ${version}; \`vibecheck rescore\` re-reads them`,
        },
  );
}

/** Any HTTP answer means the API is reachable; a source being down warns, it does not fail VibeCheck. */
async function probe(url: string): Promise<string | null> {
  try {
    const response = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(5_000), headers: { 'user-agent': 'vibecheck-doctor' } });
    await response.body?.cancel();
    return null;
  } catch (error) {
    return error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
  }
}

/** How many unreachable hosts a check names before it counts the rest. */
const NAMED_FAILURES = 3;

/**
 * One line per collector: disabled, skipped and why, or whether its hosts answer (every forum,
 * instance and feed of a source of several).
 */
export async function checkSources(
  settings: Settings,
  checks: Check[],
  sources: ConfiguredSource[] = buildSources(settings),
): Promise<void> {
  const results = await Promise.all(
    sources.map(async (entry) => {
      const name = `source ${entry.source.name}`;
      const every = `every ${Math.round(entry.intervalMs / 60_000)} min`;
      if (!entry.enabled) return { name, state: 'ok' as const, detail: 'disabled (VIBECHECK_SOURCES)' };
      const skip = entry.source.skipReason();
      if (skip) return { name, state: 'warn' as const, detail: `skipped: ${skip}` };
      const urls = entry.source.probeUrls?.() ?? [];
      if (urls.length === 0) return { name, state: 'ok' as const, detail: every };
      const problems = (await Promise.all(urls.map(async (url) => ({ url, problem: await probe(url) })))).filter((r) => r.problem !== null);
      if (problems.length === 0)
        return { name, state: 'ok' as const, detail: urls.length === 1 ? `reachable, ${every}` : `all ${urls.length} reachable, ${every}` };
      if (urls.length === 1) return { name, state: 'warn' as const, detail: `unreachable: ${problems[0]!.problem}` };
      const named = problems.slice(0, NAMED_FAILURES).map((r) => `${r.url} (${r.problem})`);
      if (problems.length > NAMED_FAILURES) named.push(`${problems.length - NAMED_FAILURES} more`);
      return { name, state: 'warn' as const, detail: `${problems.length} of ${urls.length} unreachable: ${named.join('; ')}` };
    }),
  );
  checks.push(...results);
}

/** The endpoint's address without credentials a URL may carry. */
const hostOf = (url: string): string => {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
};

/**
 * The optional LLM tiers: off, or whether the endpoint answers and lists the model, with what the
 * tiers ask it about. Asks GET {LLM_BASE_URL}/models, which costs no completion and no budget; the
 * API key is sent, never shown.
 */
export async function checkLlm(settings: Settings, checks: Check[]): Promise<void> {
  const llm = settings.llm;
  if (!llm) {
    checks.push({ name: 'llm', state: 'ok', detail: 'off (LLM_BASE_URL unset): the local models read every mention' });
    return;
  }
  const asks = `sentiment asks ${llm.sentiment === 'every' ? 'every mention' : 'unsure mentions'}, aspects ${llm.aspects === 'every' ? 'every mention' : 'unsure mentions'}, flows cued posts; ${llm.dailyBudget} calls a day`;
  const where = `${llm.model} at ${hostOf(llm.baseUrl)}`;
  let response: Response;
  try {
    response = await fetch(`${llm.baseUrl.replace(/\/+$/, '')}/models`, {
      headers: { accept: 'application/json', ...(llm.apiKey ? { authorization: `Bearer ${llm.apiKey}` } : {}) },
      signal: AbortSignal.timeout(5_000),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    checks.push({ name: 'llm', state: 'warn', detail: `${where} unreachable: ${cause}; the local models answer alone` });
    return;
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    checks.push({ name: 'llm', state: 'warn', detail: `${where} refused the key (${response.status}): check LLM_API_KEY` });
    return;
  }
  let listed: string[] | null = null;
  if (response.ok) listed = await response.json().then(modelIds, () => null);
  else await response.body?.cancel();
  if (listed && listed.length > 0 && !listed.includes(llm.model)) {
    const some = listed.slice(0, 5).join(', ') + (listed.length > 5 ? `, ${listed.length - 5} more` : '');
    checks.push({ name: 'llm', state: 'warn', detail: `${hostOf(llm.baseUrl)} does not list ${llm.model} (it lists ${some}); ${asks}` });
    return;
  }
  const answered = listed ? 'model listed' : `reachable, no model list (${response.status})`;
  checks.push({ name: 'llm', state: 'ok', detail: `${where}: ${answered}; ${asks}` });
}

/** The ids of an OpenAI-style model list ({data:[{id}]}), or null for any other shape. */
function modelIds(body: unknown): string[] | null {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return null;
  return data.flatMap((m) => (typeof (m as { id?: unknown } | null)?.id === 'string' ? [(m as { id: string }).id] : []));
}

export async function runDoctor(): Promise<Check[]> {
  const checks: Check[] = [];
  let settings: Settings;
  try {
    settings = loadSettings().settings;
    checks.push({
      name: 'config',
      state: 'ok',
      detail: `environment valid (NODE_ENV=${settings.nodeEnv}, LOG_LEVEL=${settings.logLevel})`,
    });
  } catch (error) {
    checks.push({ name: 'config', state: 'fail', detail: formatError(error) });
    return checks;
  }
  const database = await checkDatabase(settings, checks);
  if (database) {
    try {
      if (await checkMigrations(database, checks)) {
        await checkAnalysis(database.db, checks);
        await checkRuns(database, checks);
      }
    } finally {
      await database.close();
    }
  }
  await checkSources(settings, checks);
  await checkLlm(settings, checks);
  return checks;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(COMMAND_SUMMARIES.doctor)
    .option('--json', 'print one JSON object')
    .action(async (options: { json?: boolean }) => {
      const checks = await runDoctor();
      if (options.json) printJson({ checks });
      else for (const c of checks) process.stdout.write(`${c.state.padEnd(4)} ${c.name.padEnd(20)} ${c.detail}\n`);
      if (checks.some((c) => c.state === 'fail')) process.exitCode = EXIT.failed;
    });
}
