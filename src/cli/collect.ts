import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { COLLECTOR_SOURCES, type CollectorSource } from '../core/post.ts';
import { runSource, type SourceRunSummary } from '../pipeline/collect.ts';
import { InProcessJobRunner } from '../pipeline/jobs.ts';
import { listPeriodicJobs, startScheduler } from '../pipeline/scheduler.ts';
import { buildSources } from '../pipeline/sources.ts';
import { createJobHandlers } from '../pipeline/worker.ts';
import { ingestTiers } from '../pipeline/ingest.ts';
import { printJson, withRuntime } from './context.ts';
import { EXIT } from './errors.ts';
import { untilSignal } from './signals.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';

export function parseSourceName(value: string, previous: CollectorSource[] = []): CollectorSource[] {
  if (!(COLLECTOR_SOURCES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`unknown source; expected one of ${COLLECTOR_SOURCES.join(', ')}`);
  }
  return [...previous, value as CollectorSource];
}

function formatSummary(name: string, s: SourceRunSummary): string {
  if (s.skipped) return `${name.padEnd(14)} skipped: ${s.skipped}`;
  const counts = `fetched ${s.fetched}, stored ${s.stored}, duplicates ${s.duplicates}, rejected ${s.rejected}`;
  return `${name.padEnd(14)} ${counts}${s.error ? `; error: ${s.error}` : ''}`;
}

export function registerCollect(program: Command): void {
  program
    .command('collect')
    .description(COMMAND_SUMMARIES.collect)
    .option('--source <name>', 'only this source (repeatable)', parseSourceName)
    .option('--once', 'one pass, then exit')
    .option('--json', 'print the summary as one JSON object')
    .action(async (options: { source?: CollectorSource[]; once?: boolean; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const { db } = runtime.database;
        const all = buildSources(runtime.settings);
        const chosen = options.source ? all.filter((s) => options.source!.includes(s.source.name)) : all.filter((s) => s.enabled);
        if (!options.once) {
          const runner = new InProcessJobRunner(
            createJobHandlers(db, chosen, runtime.log, {
              ...ingestTiers(runtime),
            }),
          );
          const scheduler = startScheduler(listPeriodicJobs(chosen), runner, runtime.log, 0);
          await untilSignal(runtime.log);
          await scheduler.stop();
          return;
        }
        const controller = new AbortController();
        const stop = (): void => controller.abort();
        process.once('SIGINT', stop).once('SIGTERM', stop);
        // Different APIs, so sources run side by side; one failing never stops the others.
        const results = await Promise.all(
          chosen.map(
            async (entry) =>
              [
                entry.source.name,
                await runSource({
                  db,
                  source: entry.source,
                  log: runtime.log,
                  signal: controller.signal,
                  ...ingestTiers(runtime),
                }),
              ] as const,
          ),
        );
        process.off('SIGINT', stop).off('SIGTERM', stop);
        if (options.json) printJson({ sources: Object.fromEntries(results) });
        else for (const [name, summary] of results) process.stdout.write(`${formatSummary(name, summary)}\n`);
        if (results.some(([, s]) => s.error)) process.exitCode = EXIT.failed;
      });
    });
}
