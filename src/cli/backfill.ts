import type { Command } from 'commander';
import { ValidationError } from '../core/errors.ts';
import type { CollectorSource } from '../core/post.ts';
import { findUnfinishedBackfill } from '../db/queries/runs.ts';
import { runSource } from '../pipeline/collect.ts';
import { buildSources } from '../pipeline/sources.ts';
import { ingestTiers } from '../pipeline/ingest.ts';
import { printJson, withRuntime } from './context.ts';
import { EXIT } from './errors.ts';
import { createProgress } from './progress.ts';
import { parseDate } from './options.ts';
import { parseSourceName } from './collect.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';

interface BackfillOptions {
  source: CollectorSource[];
  since: Date;
  until?: Date;
  json?: boolean;
}

export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description(COMMAND_SUMMARIES.backfill)
    .requiredOption('--source <name>', 'source to backfill', parseSourceName)
    .requiredOption('--since <date>', 'start of the window (ISO date)', parseDate)
    .option('--until <date>', 'end of the window (default now)', parseDate)
    .option('--json', 'print the summary as one JSON object')
    .action(async (options: BackfillOptions) => {
      if (options.source.length !== 1) throw new ValidationError('--source: backfill one source at a time');
      const name = options.source[0]!;
      await withRuntime(async (runtime) => {
        // Without --until, an unfinished backfill from the same date is resumed rather than restarted at now.
        const unfinished = options.until ? null : await findUnfinishedBackfill(runtime.database.db, name, options.since);
        const until = options.until ?? unfinished ?? new Date();
        if (options.since >= until) throw new ValidationError('--since must be before --until');
        if (unfinished) {
          process.stderr.write(
            `resuming the unfinished backfill of ${name} from ${options.since.toISOString()} to ${until.toISOString()}\n`,
          );
        }
        const entry = buildSources(runtime.settings).find((s) => s.source.name === name)!;
        if (!entry.source.backfill) throw new ValidationError(`--source: ${name} has no history to backfill`);
        const controller = new AbortController();
        const stop = (): void => controller.abort();
        process.once('SIGINT', stop).once('SIGTERM', stop);
        const progress = createProgress('backfill', Boolean(process.stderr.isTTY) && !options.json);
        progress.start(name);
        const summary = await runSource({
          db: runtime.database.db,
          source: entry.source,
          log: runtime.log,
          signal: controller.signal,
          ...ingestTiers(runtime),
          backfill: { since: options.since, until },
          onBatch: (batch, totals) => progress.update(batch.progress ?? 0, totals.stored, name),
        });
        progress.stop();
        process.off('SIGINT', stop).off('SIGTERM', stop);
        if (options.json) printJson({ sources: { [name]: summary } });
        else {
          const state = summary.skipped ? `skipped: ${summary.skipped}` : summary.error ? `stopped: ${summary.error}` : 'done';
          process.stdout.write(
            `backfill ${name} ${state}: fetched ${summary.fetched}, stored ${summary.stored}, duplicates ${summary.duplicates}, rejected ${summary.rejected}\n`,
          );
        }
        if (summary.error || summary.skipped) process.exitCode = EXIT.failed;
      });
    });
}
