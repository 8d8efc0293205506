import { createReadStream } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { defaultAnalysisThreads } from '../config/settings.ts';
import { classifyCsv } from '../understand/sentiment/index.ts';
import { whenOpened } from './options.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';

function parseThreads(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 256) throw new InvalidArgumentError('expected a whole number of threads, 0 to 256');
  return Number(value);
}

export function registerSentiment(program: Command): void {
  const sentiment = program.command('sentiment').description(COMMAND_SUMMARIES.sentiment);
  sentiment
    .command('classify <file>')
    .description('read CSV with id and text columns (- for stdin); write CSV id,label,score,confidence to stdout')
    .option(
      '--threads <n>',
      'worker threads that classify while the main thread reads and writes (0: none)',
      parseThreads,
      defaultAnalysisThreads(),
    )
    .action(async (file: string, options: { threads: number }) => {
      const input = await whenOpened(file === '-' ? process.stdin : createReadStream(file), file);
      await classifyCsv(input, process.stdout, { threads: options.threads });
    });
}
