import { Command } from 'commander';
import { VIBECHECK_VERSION } from '../core/version.ts';
import { registerBackfill } from './backfill.ts';
import { registerCollect } from './collect.ts';
import { registerDb } from './db.ts';
import { registerDoctor } from './doctor.ts';
import { registerEntities } from './entities.ts';
import { registerImport } from './import.ts';
import { exitCodeFor, formatError, isCommanderExit } from './errors.ts';
import { registerExport } from './export.ts';
import { registerRescore } from './rescore.ts';
import { registerSentiment } from './sentiment.ts';
import { registerServe } from './serve.ts';
import { registerWorker } from './worker.ts';

const program = new Command('vibecheck')
  .description('How developers feel about AI models and developer tools, from the places they talk.')
  .version(VIBECHECK_VERSION)
  // One line on stderr for bad input, like every other error the CLI reports.
  .configureOutput({ outputError: (message, write) => write(`vibecheck: ${message}`) })
  .exitOverride();

registerServe(program);
registerWorker(program);
registerCollect(program);
registerBackfill(program);
registerImport(program);
registerSentiment(program);
registerRescore(program);
registerDb(program);
registerEntities(program);
registerDoctor(program);
registerExport(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Help and version exit 0; a bad flag or argument is bad input, like any other (exit 2).
  if (isCommanderExit(error)) process.exit(error.exitCode === 0 ? 0 : 2);
  process.stderr.write(`vibecheck: error: ${formatError(error)}\n`);
  process.exit(exitCodeFor(error));
}
