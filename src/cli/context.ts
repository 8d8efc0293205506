import { existsSync } from 'node:fs';
import { createLogger, type Logger } from '../config/logger.ts';
import { parseSettings, type Settings } from '../config/settings.ts';
import { openRuntime, type OpenRuntimeOptions, type Runtime } from '../pipeline/runtime.ts';
import { exitWithError } from './errors.ts';

let cached: { settings: Settings; log: Logger } | undefined;

/** `.env` in the working directory fills variables the environment does not set. */
export function loadSettings(): { settings: Settings; log: Logger } {
  if (!cached) {
    if (existsSync('.env')) process.loadEnvFile('.env');
    const settings = parseSettings(process.env);
    cached = { settings, log: createLogger(settings) };
  }
  return cached;
}

/**
 * Opens the runtime of a command. Losing the data-directory lock ends the process at once, without
 * closing the database: the directory may now be another process's.
 */
export function openCommandRuntime(options?: OpenRuntimeOptions): Promise<Runtime> {
  const { settings, log } = loadSettings();
  return openRuntime(settings, log, { ...options, onLockLost: exitWithError });
}

/** Runs a command body with an open runtime and always closes it (releasing the data-dir lock). */
export async function withRuntime<T>(body: (runtime: Runtime) => Promise<T>, options?: OpenRuntimeOptions): Promise<T> {
  const runtime = await openCommandRuntime(options);
  try {
    return await body(runtime);
  } finally {
    await runtime.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
