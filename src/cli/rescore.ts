import type { Command } from 'commander';
import { rescorePosts } from '../pipeline/rescore.ts';
import { printJson, withRuntime } from './context.ts';
import { EXIT } from './errors.ts';
import { parseDate } from './options.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';

export function registerRescore(program: Command): void {
  program
    .command('rescore')
    .description(COMMAND_SUMMARIES.rescore)
    .option('--since <date>', 'only posts created at or after this date', parseDate)
    .option('--json', 'print one JSON object: {"posts":N,"mentions":N,"interrupted":bool}')
    .action(async (options: { since?: Date; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const controller = new AbortController();
        const stop = (): void => controller.abort();
        process.once('SIGINT', stop).once('SIGTERM', stop);
        const result = await rescorePosts(runtime.database.db, options.since ?? null, {
          analysisThreads: runtime.settings.analysisThreads,
          onProgress: (p) => process.stderr.write(`rescored ${p.posts} posts, ${p.mentions} mentions\n`),
          signal: controller.signal,
        });
        const interrupted = controller.signal.aborted;
        // Stopped half-way is not done: the finished batches are kept and a rerun picks up the rest.
        if (interrupted) process.exitCode = EXIT.interrupted;
        if (options.json) return printJson({ ...result, interrupted });
        process.stdout.write(`${interrupted ? 'interrupted' : 'done'}: rescored ${result.posts} posts, ${result.mentions} mentions\n`);
      });
    });
}
