import { fstatSync, ReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { InvalidArgumentError } from 'commander';
import { parsePortNumber, PORT_EXPECTED } from '../config/settings.ts';
import { messageOf, ValidationError } from '../core/errors.ts';
import { EARLIEST_DATE } from '../core/series-window.ts';
import { escapeControls, parseIsoInstant } from '../core/storable.ts';

/** The same rule as the PORT variable: decimal 0-65535, nothing else. */
export function parsePort(value: string): number {
  const port = parsePortNumber(value);
  if (port === undefined) throw new InvalidArgumentError(PORT_EXPECTED);
  return port;
}

/** An ISO date or date-time (UTC unless it has an offset) that names a real day from 2000 on: 2026-02-30 is an error, not March 2. */
export function parseDate(value: string): Date {
  const parsed = parseIsoInstant(value);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.reason);
  if (parsed.value.getTime() < EARLIEST_DATE.getTime()) {
    throw new InvalidArgumentError(
      `${escapeControls(value)} is before ${EARLIEST_DATE.toISOString().slice(0, 10)}; nothing VibeCheck stores is older`,
    );
  }
  return parsed.value;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Resolves once `input` (a file named on the command line, or stdin) is readable; a file that cannot be opened is bad input. */
export function whenOpened(input: Readable, file: string): Promise<Readable> {
  if (!(input instanceof ReadStream)) return Promise.resolve(input);
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => reject(new ValidationError(`cannot read ${file}: ${messageOf(error)}`, { cause: error }));
    input.once('error', fail).once('open', (fd: number) => {
      input.off('error', fail);
      // Opening a directory succeeds; only reading it fails, later and less clearly.
      if (fstatSync(fd).isDirectory()) reject(new ValidationError(`cannot read ${file}: it is a directory`));
      else resolve(input);
    });
  });
}
