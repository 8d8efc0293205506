import { existsSync } from 'node:fs';
import { createLogger, type Logger } from '../config/logger.ts';
import { parseSettings, type Settings } from '../config/settings.ts';
import { openRuntime, type OpenRuntimeOptions, type Runtime } from '../pipeline/runtime.ts';

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

/** Runs a command body with an open runtime and always closes it (releasing the data-dir lock). */
export async function withRuntime<T>(body: (runtime: Runtime) => Promise<T>, options?: OpenRuntimeOptions): Promise<T> {
  const { settings, log } = loadSettings();
  const runtime = await openRuntime(settings, log, options);
  try {
    return await body(runtime);
  } finally {
    await runtime.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
