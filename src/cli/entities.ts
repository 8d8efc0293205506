import type { Command } from 'commander';
import { ValidationError } from '../core/errors.ts';
import { NewEntityInput } from '../core/entity.ts';
import { listEntities, type EntityRecord } from '../db/queries/entities.ts';
import { addEntity, removeEntity } from '../pipeline/entities.ts';
import { printJson, withRuntime } from './context.ts';
import { collect } from './options.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';

interface AddOptions {
  name: string;
  kind: string;
  parent?: string;
  alias: string[];
  context: string[];
  homepage?: string;
}

/** An entity as `--json` prints it. */
const presentEntity = ({ slug, name, kind, parent, aliases, homepage, origin }: EntityRecord) => ({ slug, name, kind, parent, aliases, homepage, origin });

export function registerEntities(program: Command): void {
  const entities = program.command('entities').description(COMMAND_SUMMARIES.entities);

  entities
    .command('list')
    .description('list tracked entities')
    .option('--json', 'print one JSON object')
    .action(async (options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const rows = await listEntities(runtime.database.db);
        if (options.json) {
          return printJson({
            items: rows.map(presentEntity),
          });
        }
        for (const e of rows) {
          process.stdout.write(`${e.slug.padEnd(22)} ${e.kind.padEnd(7)} ${(e.parent ?? '-').padEnd(16)} ${e.name}\n`);
        }
        process.stdout.write(`${rows.length} entities\n`);
      });
    });

  entities
    .command('add <slug>')
    .description('track a new entity')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--kind <kind>', 'model, tool or vendor')
    .option('--parent <slug>', 'parent entity (vendor or product)')
    .option('--alias <alias>', 'another name it goes by (repeatable)', collect, [])
    .option('--context <word>', 'a word that confirms an ambiguous name means this entity (repeatable)', collect, [])
    .option('--homepage <url>', 'homepage URL')
    .option('--json', 'print the entity added as one JSON object')
    .action(async (slug: string, options: AddOptions & { json?: boolean }) => {
      const parsed = NewEntityInput.safeParse({
        slug,
        name: options.name,
        kind: options.kind,
        parent: options.parent ?? null,
        aliases: options.alias,
        disambiguation: { context: options.context },
        homepage: options.homepage ?? null,
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ValidationError(`${issue?.path.join('.') || 'entity'}: ${issue?.message}`);
      }
      await withRuntime(async (runtime) => {
        const created = await addEntity(runtime.database.db, parsed.data);
        if (options.json) return printJson({ added: presentEntity(created) });
        process.stdout.write(`added ${created.slug} (${created.kind})\n`);
      });
    });

  entities
    .command('remove <slug>')
    .description('stop tracking an entity (it stays removed across restarts)')
    .option('--json', 'print one JSON object: {"removed":slug}')
    .action(async (slug: string, options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        await removeEntity(runtime.database.db, slug);
        if (options.json) return printJson({ removed: slug });
        process.stdout.write(`removed ${slug}\n`);
      });
    });
}
