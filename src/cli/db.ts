import type { Command } from 'commander';
import { getMigrationStatus, migrate } from '../db/migrate.ts';
import { printJson, withRuntime } from './context.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';

export function registerDb(program: Command): void {
  const db = program.command('db').description(COMMAND_SUMMARIES.db);

  db.command('migrate')
    .description('apply pending migrations')
    .option('--json', 'print one JSON object: {"applied":[names]}')
    .action(async (options: { json?: boolean }) => {
      await withRuntime(
        async (runtime) => {
          const applied = await migrate(runtime.database.db);
          if (options.json) return printJson({ applied });
          process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'nothing to apply: the schema is current\n');
        },
        { migrate: false, seed: false },
      );
    });

  db.command('status')
    .description('list applied and pending migrations')
    .option('--json', 'print one JSON object')
    .action(async (options: { json?: boolean }) => {
      await withRuntime(
        async (runtime) => {
          const status = await getMigrationStatus(runtime.database.db);
          if (options.json) return printJson({ migrations: status });
          for (const m of status) {
            const when = m.appliedAt ? ` ${m.appliedAt.toISOString()}` : '';
            process.stdout.write(`${m.state.padEnd(8)} ${m.name}${when}\n`);
          }
        },
        { migrate: false, seed: false },
      );
    });
}
