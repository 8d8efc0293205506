import { InvalidArgumentError, type Command } from 'commander';
import { buildEntityExport, toExportCsv } from '../api/views/export.ts';
import { NotFoundError } from '../core/errors.ts';
import { Bucket, TimeZone } from '../core/time-buckets.ts';
import { findEntity } from '../db/queries/entities.ts';
import { getNewestMentionAt } from '../db/queries/posts.ts';
import { withRuntime } from './context.ts';
import { parseDate } from './options.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';

interface ExportOptions {
  entity: string;
  format: 'csv' | 'json';
  from?: Date;
  to?: Date;
  bucket?: Bucket;
  tz?: string;
  source?: string;
}

const parseWith =
  <T>(parse: (value: string) => { success: true; data: T } | { success: false }, expected: string) =>
  (value: string): T => {
    const parsed = parse(value);
    if (!parsed.success) throw new InvalidArgumentError(expected);
    return parsed.data;
  };

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(COMMAND_SUMMARIES.export)
    .requiredOption('--entity <slug>', 'the entity to export')
    .option(
      '--format <format>',
      'csv or json',
      parseWith((v) => (v === 'csv' || v === 'json' ? { success: true, data: v } : { success: false }), 'expected csv or json'),
      'json',
    )
    .option('--from <date>', 'start of the window (default: 30 days before --to)', parseDate)
    .option('--to <date>', 'end of the window, exclusive (default: now)', parseDate)
    .option(
      '--bucket <bucket>',
      'hour, day, week or month (default day)',
      parseWith((v) => Bucket.safeParse(v), 'expected hour, day, week or month'),
    )
    .option(
      '--tz <zone>',
      'IANA time zone for day and week boundaries (default UTC)',
      parseWith((v) => TimeZone.safeParse(v), 'expected an IANA time-zone name'),
    )
    .option('--source <name>', 'only mentions from this source')
    .action(async (options: ExportOptions) => {
      await withRuntime(async (runtime) => {
        const { db } = runtime.database;
        const entity = await findEntity(db, options.entity);
        if (!entity) throw new NotFoundError(`no entity with slug "${options.entity}"`);
        const data = await buildEntityExport(db, entity, options);
        process.stdout.write(options.format === 'csv' ? toExportCsv(data) : `${JSON.stringify(data)}\n`);
        if (data.postsTruncated)
          process.stderr.write(`only the newest ${data.posts.length} posts were exported; narrow --from/--to for the rest\n`);
        if (data.posts.length === 0) {
          const newest = await getNewestMentionAt(db, entity.id, options.source);
          const where = options.source === undefined ? '' : ` from ${options.source}`;
          process.stderr.write(
            `no mentions of ${entity.slug}${where} from ${data.from} to ${data.to}` +
              (newest ? `; the newest is from ${newest.toISOString()} (set --from and --to)\n` : '; none is stored\n'),
          );
        }
      });
    });
}
