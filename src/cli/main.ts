import { Command, CommanderError } from 'commander';
import { VIBECHECK_VERSION } from '../core/version.ts';
import { EXIT } from './exit-codes.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';
import { keepBaselineWasm } from './wasm-tiering.ts';

const program = new Command('vibecheck')
  .description('How developers feel about AI models and developer tools, from the places they talk.')
  .version(VIBECHECK_VERSION)
  // One line on stderr for bad input, like every other error the CLI reports.
  .configureOutput({ outputError: (message, write) => write(`vibecheck: ${message}`) })
  .exitOverride();

// Each command's module is loaded only when it runs (none for --version, help or an unknown command):
// the database, server and queue code take seconds to load that `sentiment classify` never needs.
type Register = (program: Command) => void;
const COMMANDS: Record<string, () => Promise<Register>> = {
  serve: async () => (await import('./serve.ts')).registerServe,
  worker: async () => (await import('./worker.ts')).registerWorker,
  collect: async () => (await import('./collect.ts')).registerCollect,
  backfill: async () => (await import('./backfill.ts')).registerBackfill,
  import: async () => (await import('./import.ts')).registerImport,
  sentiment: async () => (await import('./sentiment.ts')).registerSentiment,
  rescore: async () => (await import('./rescore.ts')).registerRescore,
  spikes: async () => (await import('./spikes.ts')).registerSpikes,
  db: async () => (await import('./db.ts')).registerDb,
  entities: async () => (await import('./entities.ts')).registerEntities,
  doctor: async () => (await import('./doctor.ts')).registerDoctor,
  export: async () => (await import('./export.ts')).registerExport,
  digest: async () => (await import('./digest.ts')).registerDigest,
  preview: async () => (await import('./preview.ts')).registerPreview,
  alerts: async () => (await import('./alerts.ts')).registerAlerts,
  digests: async () => (await import('./digests.ts')).registerDigests,
};
// serve, worker and collect (a loop unless --once) keep V8's optimizing WebAssembly tier; the others run once (wasm-tiering.ts).
const LONG_RUNNING = new Set(['serve', 'worker', 'collect']);
const named = process.argv[2];
if (named !== undefined && Object.hasOwn(COMMANDS, named)) {
  if (!LONG_RUNNING.has(named)) keepBaselineWasm();
  (await COMMANDS[named]!())(program);
} else if (named !== '--version' && named !== '-V') {
  // Help, or a command that does not exist: the list needs only names and summaries.
  const summaries: Record<string, string> = COMMAND_SUMMARIES;
  for (const name of Object.keys(COMMANDS)) program.command(name).description(summaries[name] ?? '');
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Help and version exit 0; a bad flag or argument is bad input, like any other (exit 2).
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.badInput);
  // Loaded on the way out only: it names configuration and validation errors, and zod with the
  // settings schema is a third of a start-up that --version and --help do not need.
  (await import('./errors.ts')).exitWithError(error);
}
