import { createReadStream } from 'node:fs';
import type { Command } from 'commander';
import { classifyCsv } from '../understand/sentiment/index.ts';

export function registerSentiment(program: Command): void {
  const sentiment = program.command('sentiment').description('the developer-text sentiment model');
  sentiment
    .command('classify <file>')
    .description('read CSV with id and text columns (- for stdin); write CSV id,label,score,confidence to stdout')
    .action(async (file: string) => {
      const input = file === '-' ? process.stdin : createReadStream(file);
      await classifyCsv(input, process.stdout);
    });
}
