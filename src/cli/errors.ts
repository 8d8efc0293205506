import { ZodError } from 'zod';
import { ConfigError } from '../config/settings.ts';
import { AppError, describeValidationError, messageOf } from '../core/errors.ts';
import { escapeControls } from '../core/storable.ts';
import { EXIT } from './exit-codes.ts';

export { EXIT };

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
