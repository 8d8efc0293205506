import { CommanderError } from 'commander';
import { ZodError } from 'zod';
import { ConfigError } from '../config/settings.ts';
import { AppError, describeValidationError, messageOf } from '../core/errors.ts';
import { escapeControls } from '../core/storable.ts';

/**
 * Exit codes, the same for every command: 0 done; 1 a run failed (a source or the disk, the
 * database unreachable or in use); 2 bad input (flags, arguments, an unreadable input file,
 * rejected lines); 78 bad configuration (sysexits EX_CONFIG); 130 a second Ctrl-C.
 */
export const EXIT = { ok: 0, failed: 1, badInput: 2, config: 78, interrupted: 130 } as const;

export function exitCodeFor(error: unknown): number {
  if (error instanceof ConfigError) return EXIT.config;
  if (error instanceof AppError && ['invalid_parameter', 'not_found', 'conflict'].includes(error.code)) return EXIT.badInput;
  return EXIT.failed;
}

/** The one-line message a user sees on stderr; control characters quoted from input are escaped, never sent to the terminal. */
export function formatError(error: unknown): string {
  return escapeControls(describeError(error));
}

function describeError(error: unknown): string {
  if (error instanceof AppError || error instanceof ConfigError) return error.message;
  // A ZodError's message is its issues as multi-line JSON.
  if (error instanceof ZodError) return describeValidationError(error.issues);
  return messageOf(error).split('\n')[0] || (error instanceof Error ? error.name : 'unknown error');
}

/** Reports `error` on one line and ends the process with its code, without closing anything. */
export function exitWithError(error: unknown): never {
  process.stderr.write(`vibecheck: error: ${formatError(error)}\n`);
  process.exit(exitCodeFor(error));
}

export function isCommanderExit(error: unknown): error is CommanderError {
  return error instanceof CommanderError;
}
