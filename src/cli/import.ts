import { ReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { finishRun, startRun } from '../db/queries/runs.ts';
import { escapeControls } from '../core/storable.ts';
import { concurrentCommitsFor, emptyImportSummary, importPosts, openImportInput, type ImportSummary } from '../pipeline/import-posts.ts';
import { createIngestor, type Ingestor, ingestTiers } from '../pipeline/ingest.ts';
import { SCHEDULED_SPIKE_DAYS } from '../pipeline/scheduler.ts';
import { printJson, withRuntime } from './context.ts';
import { EXIT, formatError } from './errors.ts';
import { whenOpened } from './options.ts';
import { createProgress } from './progress.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';

/** The first day of imported posts when they reach back past the days the spike schedule judges; null otherwise. */
function historyBeyondSchedule(summary: Pick<ImportSummary, 'oldest' | 'stored'>, now = new Date()): string | null {
  if (summary.stored === 0 || summary.oldest === null) return null;
  return Date.parse(summary.oldest) < now.getTime() - SCHEDULED_SPIKE_DAYS * 86_400_000 ? summary.oldest.slice(0, 10) : null;
}

export function registerImport(program: Command): void {
  program
    .command('import <file>')
    .description(COMMAND_SUMMARIES.import)
    .option('--json', 'print one JSON object')
    .action(async (file: string, options: { json?: boolean }) => {
      const input = await whenOpened(openImportInput(file), file);
      await withRuntime(async (runtime) => {
        const db = runtime.database.db;
        const runId = await startRun(db, 'import', 'import');
        // Progress is the share of the file read; standard input has no known size.
        const progress = input instanceof ReadStream ? createProgress('import', Boolean(process.stderr.isTTY) && !options.json) : null;
        let sofar: ImportSummary = emptyImportSummary();
        let ingestor: Ingestor | undefined;
        try {
          ingestor = await createIngestor(db, {
            ...ingestTiers(runtime),
            analysisThreads: runtime.settings.analysisThreads,
          });
          const size = input instanceof ReadStream ? Math.max(1, statSync(file).size) : 1;
          const name = escapeControls(basename(file));
          progress?.start(name);
          const summary = await importPosts(input, ingestor, {
            concurrentCommits: concurrentCommitsFor(runtime.database.kind),
            onProgress: (summary) => {
              sofar = summary;
              if (input instanceof ReadStream) progress?.update(input.bytesRead / size, summary.stored, name);
            },
          });
          progress?.stop();
          await finishRun(db, runId, 'succeeded', { fetched: summary.read, ...summary }, null, { file });
          if (options.json) printJson(summary);
          else {
            const invalid = summary.invalidUtf8 > 0 ? `, not valid UTF-8 ${summary.invalidUtf8}` : '';
            process.stdout.write(
              `read ${summary.read}, stored ${summary.stored}, duplicates ${summary.duplicates}, rejected ${summary.rejected}${invalid}\n`,
            );
            for (const error of summary.errors) process.stderr.write(`line ${error.line}: ${error.message}\n`);
            for (const warning of summary.warnings) process.stderr.write(`line ${warning.line}: warning: ${warning.message}\n`);
            const since = historyBeyondSchedule(summary);
            if (since)
              process.stderr.write(
                `posts from ${since} on: the schedule looks for spikes in the last ${SCHEDULED_SPIKE_DAYS} days only; \`vibecheck spikes --since ${since}\` finds them in this history\n`,
              );
          }
          // The good lines are stored; a script still learns that some input was bad.
          if (summary.rejected > 0) process.exitCode = EXIT.badInput;
        } catch (error) {
          progress?.stop();
          // Recorded even when the disk filled up: the database keeps a reserve for this.
          await runtime.database
            .withinReserve(() => finishRun(db, runId, 'failed', { fetched: sofar.read, ...sofar }, formatError(error), { file }))
            .catch((recordError: unknown) => runtime.log.error({ err: recordError, runId }, 'could not record the failed import run'));
          throw error;
        } finally {
          await ingestor?.close();
        }
      });
    });
}
