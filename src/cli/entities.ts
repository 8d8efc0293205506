import type { Command } from 'commander';
import { ValidationError } from '../core/errors.ts';
import { EntityChanges, NewEntityInput } from '../core/entity.ts';
import { listEntities, type EntityRecord } from '../db/queries/entities.ts';
import { addEntity, editEntity, removeEntity } from '../pipeline/entities.ts';
import { printJson, withRuntime } from './context.ts';
import { collect } from './options.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';

/** zod's first complaint as a ValidationError naming the field (`what` when the whole input is wrong). */
function firstIssue(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }, what: string): ValidationError {
  const issue = error.issues[0];
  return new ValidationError(`${issue?.path.join('.') || what}: ${issue?.message}`);
}

interface EditOptions {
  name?: string;
  parent?: string;
  alias?: string[];
  context?: string[];
  homepage?: string;
  json?: boolean;
}

interface AddOptions {
  name: string;
  kind: string;
  parent?: string;
  alias: string[];
  context: string[];
  homepage?: string;
}

/** An entity as `--json` prints it. */
const presentEntity = ({ slug, name, kind, parent, aliases, homepage, origin }: EntityRecord) => ({
  slug,
  name,
  kind,
  parent,
  aliases,
  homepage,
  origin,
});

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
      if (!parsed.success) throw firstIssue(parsed.error, 'entity');
      await withRuntime(async (runtime) => {
        const created = await addEntity(runtime.database.db, parsed.data);
        if (options.json) return printJson({ added: presentEntity(created) });
        process.stdout.write(`added ${created.slug} (${created.kind})\n`);
      });
    });

  entities
    .command('edit <slug>')
    .description('change a tracked entity; options left out stay as they are, and seeding never reverts the change')
    .option('--name <name>', 'display name')
    .option('--parent <slug>', 'parent entity, or "none" for no parent')
    .option('--alias <alias>', 'another name it goes by (repeatable; replaces the list)', collect)
    .option('--context <word>', 'a word that confirms an ambiguous name means this entity (repeatable; replaces the list)', collect)
    .option('--homepage <url>', 'homepage URL, or "none"')
    .option('--json', 'print the entity as changed as one JSON object')
    .action(async (slug: string, options: EditOptions) => {
      const parsed = EntityChanges.safeParse({
        name: options.name,
        parent: options.parent === 'none' ? null : options.parent,
        aliases: options.alias,
        context: options.context,
        homepage: options.homepage === 'none' ? null : options.homepage,
      });
      if (!parsed.success) throw firstIssue(parsed.error, 'changes');
      await withRuntime(async (runtime) => {
        const edited = await editEntity(runtime.database.db, slug, parsed.data);
        if (options.json) return printJson({ edited: presentEntity(edited) });
        process.stdout.write(`changed ${edited.slug}; run vibecheck rescore to link stored posts anew\n`);
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
