import { ReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { finishRun, startRun } from '../db/queries/runs.ts';
import { escapeControls } from '../core/storable.ts';
import { concurrentCommitsFor, emptyImportSummary, importPosts, openImportInput, type ImportSummary } from '../pipeline/import-posts.ts';
import { createIngestor, type Ingestor, ingestTiers } from '../pipeline/ingest.ts';
import { printJson, withRuntime } from './context.ts';
import { EXIT, formatError } from './errors.ts';
import { whenOpened } from './options.ts';
import { createProgress } from './progress.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';

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
