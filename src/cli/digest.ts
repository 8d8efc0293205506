import { InvalidArgumentError, type Command } from 'commander';
import { buildDigest } from '../alerts/digest.ts';
import { ValidationError } from '../core/errors.ts';
import { renderDigest, type DigestFormat } from '../alerts/digest-render.ts';
import { withRuntime } from './context.ts';
import { collect, parseDate } from './options.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';

const HOUR_MS = 3_600_000;
const UNIT_MS = { h: HOUR_MS, d: 24 * HOUR_MS, w: 7 * 24 * HOUR_MS } as const;
/** Longer periods read years of mentions for a page nobody reads to the end. */
const MAX_SINCE_DAYS = 366;

/** `7d`, `24h`, `2w` before now, or an ISO date: when the period starts. */
export function parseSince(value: string, now = new Date()): Date {
  const match = /^([1-9]\d{0,4})([hdw])$/.exec(value);
  const since = match ? new Date(now.getTime() - Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]) : parseDate(value);
  if (since.getTime() >= now.getTime()) throw new InvalidArgumentError('expected a period such as 7d, 24h or 2w, or a date in the past');
  if (now.getTime() - since.getTime() > MAX_SINCE_DAYS * UNIT_MS.d) throw new InvalidArgumentError(`at most ${MAX_SINCE_DAYS} days back`);
  return since;
}

function parseFormat(value: string): DigestFormat {
  if (value === 'md' || value === 'html' || value === 'json') return value;
  throw new InvalidArgumentError('expected md, html or json');
}

interface DigestOptions {
  since?: string;
  entity: string[];
  format: DigestFormat;
}

export function registerDigest(program: Command): void {
  program
    .command('digest')
    .description(COMMAND_SUMMARIES.digest)
    .option('--since <period>', 'how far back: 7d, 24h, 2w, or an ISO date (default 7d)')
    .option('--entity <slug>', 'only this entity (repeat for several; default: every entity)', collect, [])
    .option('--format <format>', 'md, html or json', parseFormat, 'md')
    .action(async (options: DigestOptions) => {
      const to = new Date();
      // Parsed against the same instant the period ends at, so 7d is exactly seven days.
      let from: Date;
      try {
        from = parseSince(options.since ?? '7d', to);
      } catch (error) {
        throw error instanceof InvalidArgumentError ? new ValidationError(`--since: ${error.message}`) : error;
      }
      await withRuntime(async (runtime) => {
        const digest = await buildDigest(runtime.database.db, { from, to, entities: options.entity });
        process.stdout.write(renderDigest(digest, options.format));
      });
    });
}
