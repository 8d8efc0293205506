import { InvalidArgumentError, type Command } from 'commander';
import {
  addDigestSubscription,
  listDigestSubscriptionViews,
  NewDigestSubscriptionInput,
  removeDigestSubscriptionById,
  sendDigestNow,
  type DigestSubscriptionView,
} from '../alerts/subscriptions.ts';
import { AppError, ValidationError } from '../core/errors.ts';
import { printJson, withRuntime } from './context.ts';
import { collect } from './options.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';

interface AddOptions {
  channel: string;
  cadence: string;
  entity: string[];
  kind: string[];
  hour?: number;
  name?: string;
  secret?: string;
  json?: boolean;
}

/** The flag each field comes from, so an error names what the user typed. */
const FLAG_OF: Record<string, string> = { entities: '--entity', kinds: '--kind', hourUtc: '--hour' };

function parseHour(value: string): number {
  if (!/^\d{1,2}$/.test(value) || Number(value) > 23) throw new InvalidArgumentError('expected an hour from 0 to 23 (UTC)');
  return Number(value);
}

function parseSubscriptionId(value: string): number {
  if (!/^[1-9]\d{0,8}$/.test(value))
    throw new ValidationError(`id: expected a digest subscription id (a positive integer), got "${value.slice(0, 40)}"`);
  return Number(value);
}

function describeSubscription(s: DigestSubscriptionView): string {
  const what = [...s.entities, ...s.kinds.map((k) => `kind:${k}`)].join(',') || 'all';
  const stats = `${s.digests.sent} sent, ${s.digests.delivered} delivered, ${s.digests.dead} dead, last period ${s.lastPeriod ?? 'none'}`;
  return `${String(s.id).padStart(4)}  ${`${s.cadence} ${String(s.hourUtc).padStart(2, '0')}:00 UTC`.padEnd(18)} ${what.padEnd(24)} ${s.channel}  (${stats})`;
}

export function registerDigests(program: Command): void {
  const digests = program.command('digests').description(COMMAND_SUMMARIES.digests);

  digests
    .command('list')
    .description('list digest subscriptions (channels masked)')
    .option('--json', 'print one JSON object')
    .action(async (options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const items = await listDigestSubscriptionViews(runtime.database.db);
        if (options.json) return printJson({ items });
        for (const s of items) process.stdout.write(`${describeSubscription(s)}\n`);
        process.stdout.write(`${items.length} digest subscription${items.length === 1 ? '' : 's'}\n`);
      });
    });

  digests
    .command('add')
    .description('subscribe a channel to the daily or weekly digest of some entities, kinds of entity, or all')
    .requiredOption('--channel <url>', 'http(s) webhook, Slack or Discord webhook URL, or mailto:ADDRESS')
    .option('--cadence <cadence>', 'daily (the previous UTC day) or weekly (the previous ISO week)', 'daily')
    .option('--entity <slug>', 'an entity to cover (repeatable)', collect, [])
    .option('--kind <kind>', 'every entity of this kind: model, tool or vendor (repeatable)', collect, [])
    .option('--hour <h>', 'the hour (UTC) after the period ends at which the digest goes out (default 8)', parseHour)
    .option('--name <name>', 'a name for the subscription')
    .option('--secret <secret>', 'signing secret for webhooks (16+ characters); generated and printed once when left out')
    .option('--json', 'print the subscription as JSON (with the secret when generated)')
    .action(async (options: AddOptions) => {
      const parsed = NewDigestSubscriptionInput.safeParse({
        channel: options.channel,
        cadence: options.cadence,
        entities: options.entity.length ? options.entity : undefined,
        kinds: options.kind.length ? options.kind : undefined,
        hourUtc: options.hour,
        name: options.name,
        secret: options.secret,
      });
      if (!parsed.success) {
        throw new ValidationError(
          parsed.error.issues
            .map((issue) => `${FLAG_OF[String(issue.path[0])] ?? `--${String(issue.path[0] ?? 'subscription')}`}: ${issue.message}`)
            .join('; '),
        );
      }
      await withRuntime(async (runtime) => {
        const { subscription, secret } = await addDigestSubscription(runtime.database.db, parsed.data);
        if (options.json) return printJson({ ...subscription, secret });
        process.stdout.write(`added digest subscription ${subscription.id}: ${subscription.name} -> ${subscription.channel}\n`);
        if (secret !== null) process.stdout.write(`secret: ${secret}\n(shown once: receivers check X-VibeCheck-Signature with it)\n`);
      });
    });

  digests
    .command('remove <id>')
    .description('remove a digest subscription')
    .action(async (id: string) => {
      const subscriptionId = parseSubscriptionId(id);
      await withRuntime(async (runtime) => {
        await removeDigestSubscriptionById(runtime.database.db, subscriptionId);
        process.stdout.write(`removed digest subscription ${subscriptionId}\n`);
      });
    });

  digests
    .command('send <id>')
    .description('send the digest of the last day (daily) or 7 days (weekly) up to now through the outbox, now; the schedule is untouched')
    .action(async (id: string) => {
      const subscriptionId = parseSubscriptionId(id);
      await withRuntime(async (runtime) => {
        const { settings } = runtime;
        const outcome = await sendDigestNow(runtime.database.db, subscriptionId, { publicUrl: settings.publicUrl, smtp: settings.smtp });
        if (!outcome.delivered) throw new AppError('delivery_failed', `digest not delivered yet (the outbox retries it): ${outcome.cause}`);
        process.stdout.write(`digest delivered (alert ${outcome.alertId})\n`);
      });
    });
}
