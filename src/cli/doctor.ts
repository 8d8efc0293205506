import type { Command } from 'commander';
import { sql } from 'kysely';
import { describeDatabase, type Settings } from '../config/settings.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { isStale, readLockOwner } from '../db/lock-file.ts';
import { getMigrationStatus } from '../db/migrate.ts';
import { loadSettings, printJson } from './context.ts';
import { formatError } from './errors.ts';

export type CheckState = 'ok' | 'warn' | 'fail';
export interface Check {
  name: string;
  state: CheckState;
  detail: string;
}

async function checkDatabase(settings: Settings, checks: Check[]): Promise<Database | undefined> {
  if (!settings.databaseUrl) {
    const owner = readLockOwner(settings.dataDir);
    if (owner && !isStale(owner)) {
      checks.push({
        name: 'lock',
        state: 'warn',
        detail: `held by process ${owner.pid} on ${owner.hostname} (vibecheck ${owner.command}) since ${owner.startedAt}; database checks need it stopped`,
      });
      return undefined;
    }
    checks.push({ name: 'lock', state: 'ok', detail: owner ? `stale lock of process ${owner.pid} will be taken over` : 'free' });
  }
  try {
    const database = await openDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
    const version = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(database.db);
    checks.push({ name: 'database', state: 'ok', detail: `${describeDatabase(settings)}, PostgreSQL ${version.rows[0]?.v}` });
    return database;
  } catch (error) {
    checks.push({ name: 'database', state: 'fail', detail: formatError(error) });
    return undefined;
  }
}

async function checkMigrations(database: Database, checks: Check[]): Promise<void> {
  const status = await getMigrationStatus(database.db);
  const changed = status.filter((m) => m.state === 'changed');
  const pending = status.filter((m) => m.state === 'pending');
  if (changed.length) checks.push({ name: 'migrations', state: 'fail', detail: `edited after being applied: ${changed.map((m) => m.name).join(', ')}` });
  else if (pending.length) checks.push({ name: 'migrations', state: 'warn', detail: `${pending.length} pending (applied at the next start or by \`vibecheck db migrate\`)` });
  else checks.push({ name: 'migrations', state: 'ok', detail: `${status.length} applied, none pending` });
}

export async function runDoctor(): Promise<Check[]> {
  const checks: Check[] = [];
  let settings: Settings;
  try {
    settings = loadSettings().settings;
    checks.push({ name: 'config', state: 'ok', detail: `environment valid (NODE_ENV=${settings.nodeEnv}, LOG_LEVEL=${settings.logLevel})` });
  } catch (error) {
    checks.push({ name: 'config', state: 'fail', detail: formatError(error) });
    return checks;
  }
  const database = await checkDatabase(settings, checks);
  if (database) {
    try {
      await checkMigrations(database, checks);
    } finally {
      await database.close();
    }
  }
  return checks;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check configuration, database, migrations and sources, one line each')
    .option('--json', 'print one JSON object')
    .action(async (options: { json?: boolean }) => {
      const checks = await runDoctor();
      if (options.json) printJson({ checks });
      else for (const c of checks) process.stdout.write(`${c.state.padEnd(4)} ${c.name.padEnd(12)} ${c.detail}\n`);
      if (checks.some((c) => c.state === 'fail')) process.exitCode = 1;
    });
}
