import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { ValidationError } from '../core/errors.ts';
import type { CollectorSource } from '../core/post.ts';
import { runSource } from '../pipeline/collect.ts';
import { buildSources } from '../pipeline/sources.ts';
import { printJson, withRuntime } from './context.ts';
import { parseDate } from './options.ts';
import { parseSourceName } from './collect.ts';

interface BackfillOptions {
  source: CollectorSource[];
  since: Date;
  until?: Date;
  json?: boolean;
}

/** A bar with rate and ETA on a terminal; plain progress lines when output is a pipe or a file. */
function createProgress(interactive: boolean) {
  const bar = new SingleBar({
    format: 'backfill {source} |{bar}| {percentage}% | {stored} stored | {rate} posts/s | ETA {eta_formatted}',
    hideCursor: true,
    etaBuffer: 20,
  });
  const started = Date.now();
  let lastLine = 0;
  return {
    start: (source: string) => interactive && bar.start(1000, 0, { source, stored: 0, rate: '0.0' }),
    update: (fraction: number, stored: number, source: string) => {
      const rate = (stored / Math.max(1, (Date.now() - started) / 1000)).toFixed(1);
      if (interactive) bar.update(Math.round(fraction * 1000), { source, stored, rate });
      else if (Date.now() - lastLine > 5_000) {
        lastLine = Date.now();
        process.stderr.write(`backfill ${source}: ${(fraction * 100).toFixed(1)}% done, ${stored} stored, ${rate} posts/s\n`);
      }
    },
    stop: () => interactive && bar.stop(),
  };
}

export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description('collect history for a time window; resumable (run it again to continue)')
    .requiredOption('--source <name>', 'source to backfill', parseSourceName)
    .requiredOption('--since <date>', 'start of the window (ISO date)', parseDate)
    .option('--until <date>', 'end of the window (default now)', parseDate)
    .option('--json', 'print the summary as one JSON object')
    .action(async (options: BackfillOptions) => {
      const until = options.until ?? new Date();
      if (options.since >= until) throw new ValidationError('--since must be before --until');
      if (options.source.length !== 1) throw new ValidationError('--source: backfill one source at a time');
      const name = options.source[0]!;
      await withRuntime(async (runtime) => {
        const entry = buildSources(runtime.settings).find((s) => s.source.name === name)!;
        if (!entry.source.backfill) throw new ValidationError(`--source: ${name} has no history to backfill`);
        const controller = new AbortController();
        const stop = (): void => controller.abort();
        process.once('SIGINT', stop).once('SIGTERM', stop);
        const progress = createProgress(Boolean(process.stderr.isTTY) && !options.json);
        progress.start(name);
        const summary = await runSource({
          db: runtime.database.db,
          source: entry.source,
          log: runtime.log,
          signal: controller.signal,
          aspectTier: runtime.aspectTier,
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
        if (summary.error || summary.skipped) process.exitCode = 1;
      });
    });
}
