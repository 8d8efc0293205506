import { CommanderError } from 'commander';
import { ConfigError } from '../config/settings.ts';
import { AppError } from '../core/errors.ts';

/** Exit codes: 1 a failed run, 2 bad input, 78 bad configuration (sysexits EX_CONFIG). */
export function exitCodeFor(error: unknown): number {
  if (error instanceof ConfigError) return 78;
  if (error instanceof AppError && ['invalid_parameter', 'not_found', 'conflict'].includes(error.code)) return 2;
  return 1;
}

/** The one-line message a user sees on stderr. */
export function formatError(error: unknown): string {
  if (error instanceof AppError || error instanceof ConfigError) return error.message;
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

export function isCommanderExit(error: unknown): error is CommanderError {
  return error instanceof CommanderError;
}
