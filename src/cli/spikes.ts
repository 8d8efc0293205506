import type { Command } from 'commander';
import { ValidationError } from '../core/errors.ts';
import { detectAndStoreSpikes } from '../pipeline/spikes.ts';
import { printJson, withRuntime } from './context.ts';
import { parseDate } from './options.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';

const DAY_MS = 86_400_000;
/** Ten years of days: more is a mistyped date, not history. */
const MAX_DAYS = 3_660;

/** The whole UTC days from the one holding `since` to the one before `until` (the detector judges complete days). */
function daysBetween(since: Date, until: Date): number {
  const first = Math.floor(since.getTime() / DAY_MS);
  const end = Math.floor(until.getTime() / DAY_MS);
  return end - first;
}

export function registerSpikes(program: Command): void {
  program
    .command('spikes')
    .description(COMMAND_SUMMARIES.spikes)
    .requiredOption('--since <date>', 'the first day judged', parseDate)
    .option('--until <date>', 'the day after the last one judged (default: today, so yesterday is the last)', parseDate)
    .option('--json', 'print one JSON object: {"days":N,"entities":N,"spikes":N,"regressions":N}')
    .action(async (options: { since: Date; until?: Date; json?: boolean }) => {
      const until = options.until ?? new Date();
      const days = daysBetween(options.since, until);
      if (days < 1) throw new ValidationError('--since must name a day before --until (or before today)');
      if (days > MAX_DAYS) throw new ValidationError(`at most ${MAX_DAYS} days at once (asked for ${days})`);
      await withRuntime(async (runtime) => {
        const result = await detectAndStoreSpikes(runtime.database.db, { now: until, days });
        if (options.json) return printJson({ days, ...result });
        process.stdout.write(
          `judged ${days} days of ${result.entities} entities: ${result.spikes} spikes and ${result.regressions} regressions stored (a rerun refreshes them)\n`,
        );
      });
    });
}
