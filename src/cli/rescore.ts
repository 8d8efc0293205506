import type { Command } from 'commander';
import { rescorePosts } from '../pipeline/rescore.ts';
import { withRuntime } from './context.ts';
import { parseDate } from './options.ts';

export function registerRescore(program: Command): void {
  program
    .command('rescore')
    .description('re-run linking and scoring with the current model version (resumable)')
    .option('--since <date>', 'only posts created at or after this date', parseDate)
    .action(async (options: { since?: Date }) => {
      await withRuntime(async (runtime) => {
        const controller = new AbortController();
        const stop = (): void => controller.abort();
        process.once('SIGINT', stop).once('SIGTERM', stop);
        const result = await rescorePosts(
          runtime.database.db,
          options.since ?? null,
          (p) => process.stderr.write(`rescored ${p.posts} posts, ${p.mentions} mentions\n`),
          controller.signal,
        );
        process.stdout.write(
          `${controller.signal.aborted ? 'interrupted' : 'done'}: rescored ${result.posts} posts, ${result.mentions} mentions\n`,
        );
      });
    });
}
