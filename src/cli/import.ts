import { ReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { finishRun, startRun } from '../db/queries/runs.ts';
import { concurrentCommitsFor, importPosts, openImportInput } from '../pipeline/import-posts.ts';
import { createIngestor } from '../pipeline/ingest.ts';
import { printJson, withRuntime } from './context.ts';
import { createProgress } from './progress.ts';

export function registerImport(program: Command): void {
  program
    .command('import <file>')
    .description('import posts from JSON Lines (- for stdin): link, score, store, update rollups')
    .option('--json', 'print one JSON object')
    .action(async (file: string, options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const db = runtime.database.db;
        const input = openImportInput(file);
        const opened = new Promise<void>((resolve, reject) => {
          input.once('error', reject);
          if (file === '-') resolve();
          else input.once('open', () => resolve());
        });
        await opened;
        const runId = await startRun(db, 'import', 'import');
        const ingestor = await createIngestor(db, {
          aspectTier: runtime.aspectTier,
          analysisThreads: runtime.settings.analysisThreads,
        });
        try {
          // Progress is the share of the file read; standard input has no known size.
          const progress = input instanceof ReadStream ? createProgress('import', Boolean(process.stderr.isTTY) && !options.json) : null;
          const size = input instanceof ReadStream ? Math.max(1, statSync(file).size) : 1;
          progress?.start(basename(file));
          const summary = await importPosts(input, ingestor, {
            concurrentCommits: concurrentCommitsFor(runtime.database.kind),
            onProgress: (sofar) => input instanceof ReadStream && progress?.update(input.bytesRead / size, sofar.stored, basename(file)),
          });
          progress?.stop();
          await finishRun(db, runId, 'succeeded', { fetched: summary.read, ...summary }, null, { file });
          if (options.json) return printJson(summary);
          process.stdout.write(
            `read ${summary.read}, stored ${summary.stored}, duplicates ${summary.duplicates}, rejected ${summary.rejected}\n`,
          );
          for (const error of summary.errors) process.stderr.write(`line ${error.line}: ${error.message}\n`);
        } catch (error) {
          await finishRun(db, runId, 'failed', { fetched: 0, stored: 0, duplicates: 0, rejected: 0 }, (error as Error).message);
          throw error;
        } finally {
          await ingestor.close();
        }
      });
    });
}
