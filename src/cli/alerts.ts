import { InvalidArgumentError, type Command } from 'commander';
import {
  addAlertRule,
  listAlertRuleViews,
  presentAlertRule,
  removeAlertRuleById,
  sendTestAlert,
  type AlertRuleView,
} from '../alerts/manage.ts';
import { NewAlertRuleInput } from '../alerts/rules.ts';
import { runAlerts } from '../alerts/run.ts';
import { AppError, ValidationError } from '../core/errors.ts';
import { printJson, withRuntime } from './context.ts';
import { collect } from './options.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';

interface AddOptions {
  kind: string;
  entity?: string;
  entityKind?: string;
  channel: string;
  secret?: string;
  name?: string;
  source?: string;
  aspect?: string;
  polarity?: string;
  minEngagement?: number;
  include: string[];
  exclude: string[];
  metric?: string;
  direction?: string;
  threshold?: number;
  window?: number;
  minMentions?: number;
  cooldown?: number;
  maxPerDay?: number;
  json?: boolean;
}

/** The flag each field of a rule comes from, so an error names what the user typed. */
const FLAG_OF: Record<string, string> = {
  entityKind: '--entity-kind',
  minEngagement: '--min-engagement',
  windowHours: '--window',
  minMentions: '--min-mentions',
  cooldownMinutes: '--cooldown',
  maxPerDay: '--max-per-day',
};

function parseInteger(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

function parseNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) throw new InvalidArgumentError('expected a number, such as 0.15');
  return number;
}

const UNIT_MINUTES: Record<string, number> = { m: 1, h: 60, d: 1_440 };

/** "90m", "6h", "7d" (or 0) in minutes. */
function parseDurationMinutes(value: string): number {
  if (value === '0') return 0;
  const match = /^(\d{1,6})([mhd])$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a duration such as 90m, 6h or 7d');
  return Number(match[1]) * UNIT_MINUTES[match[2]!]!;
}

function parseWindowHours(value: string): number {
  const minutes = parseDurationMinutes(value);
  if (minutes === 0 || minutes % 60 !== 0) throw new InvalidArgumentError('expected whole hours or days, such as 48h or 7d');
  return minutes / 60;
}

function describeRule(rule: AlertRuleView): string {
  const what = [rule.kind, rule.metric, rule.filters.aspect].filter(Boolean).join(' ');
  const stats = `${rule.alerts.fired} fired, ${rule.alerts.delivered} delivered, ${rule.alerts.dead} dead, ${rule.alerts.pending} waiting`;
  const watched = rule.entity ?? `every ${rule.entityKind} (${rule.entities})`;
  return `${String(rule.id).padStart(4)}  ${what.padEnd(24)} ${watched.padEnd(20)} ${rule.channel}  (${stats})`;
}

export function registerAlerts(program: Command): void {
  const alerts = program.command('alerts').description(COMMAND_SUMMARIES.alerts);

  alerts
    .command('list')
    .description('list alert rules (channels masked)')
    .option('--json', 'print one JSON object')
    .action(async (options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const items = await listAlertRuleViews(runtime.database.db);
        if (options.json) return printJson({ items });
        for (const rule of items) process.stdout.write(`${describeRule(rule)}\n`);
        process.stdout.write(`${items.length} alert rule${items.length === 1 ? '' : 's'}\n`);
      });
    });

  alerts
    .command('add')
    .description('add an alert rule')
    .requiredOption('--kind <kind>', 'shift, spike, aspect, mention or regression')
    .option('--entity <slug>', 'the entity it watches')
    .option('--entity-kind <kind>', 'instead of --entity: every model, tool or vendor, those added later too')
    .requiredOption('--channel <url>', 'http(s) webhook, Slack or Discord webhook URL, or mailto:ADDRESS')
    .option('--secret <secret>', 'signing secret for webhooks (16+ characters); generated and printed once when left out')
    .option('--name <name>', 'a name for the rule')
    .option('--source <name>', 'only mentions from this source')
    .option('--aspect <name>', 'aspect: the aspect watched (default: every aspect); mention: posts naming it')
    .option('--polarity <label>', 'mention: only positive, neutral or negative mentions')
    .option('--min-engagement <n>', 'mention: only posts with at least this score', parseInteger)
    .option('--include <word>', 'mention: any of these words (repeatable)', collect, [])
    .option('--exclude <word>', 'mention: none of these words (repeatable)', collect, [])
    .option('--metric <metric>', 'shift: mean or net; aspect: share or polarity; spike: volume or negativity')
    .option('--direction <dir>', 'up, down or both')
    .option('--threshold <x>', 'shift/aspect: the least change that fires, e.g. 0.15', parseNumber)
    .option('--window <duration>', 'shift/aspect: the window compared with the one before it (default 7d)', parseWindowHours)
    .option('--min-mentions <n>', 'shift/aspect: mentions each window needs (default 20)', parseInteger)
    .option('--cooldown <duration>', 'quiet time after an alert, e.g. 0, 30m, 6h', parseDurationMinutes)
    .option('--max-per-day <n>', 'alerts per 24 hours at most', parseInteger)
    .option('--json', 'print the rule as JSON (with the secret when generated)')
    .action(async (options: AddOptions) => {
      const parsed = NewAlertRuleInput.safeParse({
        kind: options.kind,
        entity: options.entity,
        entityKind: options.entityKind,
        channel: options.channel,
        name: options.name,
        secret: options.secret,
        source: options.source,
        aspect: options.aspect,
        polarity: options.polarity,
        minEngagement: options.minEngagement,
        include: options.include.length ? options.include : undefined,
        exclude: options.exclude.length ? options.exclude : undefined,
        metric: options.metric,
        direction: options.direction,
        threshold: options.threshold,
        windowHours: options.window,
        minMentions: options.minMentions,
        cooldownMinutes: options.cooldown,
        maxPerDay: options.maxPerDay,
      });
      if (!parsed.success) {
        throw new ValidationError(
          parsed.error.issues
            .map((issue) => `${FLAG_OF[String(issue.path[0])] ?? `--${String(issue.path[0] ?? 'rule')}`}: ${issue.message}`)
            .join('; '),
        );
      }
      await withRuntime(async (runtime) => {
        const { rule, secret, secretGenerated } = await addAlertRule(runtime.database.db, parsed.data);
        const view = presentAlertRule(rule);
        if (options.json) return printJson({ ...view, secret: secretGenerated ? secret : null });
        const covers = view.entityKind ? ` (every ${view.entityKind}: ${view.entities} now)` : '';
        process.stdout.write(`added alert rule ${rule.id}: ${rule.name}${covers} -> ${view.channel}\n`);
        if (secretGenerated) process.stdout.write(`secret: ${secret}\n(shown once: receivers check X-VibeCheck-Signature with it)\n`);
      });
    });

  alerts
    .command('remove <id>')
    .description('remove an alert rule')
    .action(async (id: string) => {
      const ruleId = parseRuleId(id);
      await withRuntime(async (runtime) => {
        await removeAlertRuleById(runtime.database.db, ruleId);
        process.stdout.write(`removed alert rule ${ruleId}\n`);
      });
    });

  alerts
    .command('test <id>')
    .description("send a sample alert through the rule's channel now")
    .action(async (id: string) => {
      const ruleId = parseRuleId(id);
      await withRuntime(async (runtime) => {
        const { settings } = runtime;
        const outcome = await sendTestAlert(runtime.database.db, ruleId, { publicUrl: settings.publicUrl, smtp: settings.smtp });
        const took = `${Math.round(outcome.durationMs)} ms`;
        if (!outcome.ok) throw new AppError('delivery_failed', `test alert not delivered (${took}): ${outcome.cause}`);
        process.stdout.write(`test alert delivered (status ${outcome.status}, ${took})\n`);
      });
    });

  alerts
    .command('run')
    .description('evaluate every rule now and deliver what fires (what the schedule does)')
    .option('--json', 'print one JSON object')
    .action(async (options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const { settings } = runtime;
        const result = await runAlerts(runtime.database.db, { publicUrl: settings.publicUrl, smtp: settings.smtp });
        const fired = result.fired.map((f) => ({
          rule: f.ruleId,
          kind: f.kind,
          entity: f.entity,
          event: f.eventKey,
          delivered: f.delivered,
          failed: f.failed,
        }));
        if (options.json) return printJson({ fired });
        for (const f of result.fired) {
          const state =
            f.delivered > 0
              ? 'delivered'
              : f.failed > 0
                ? `not delivered yet (${f.failed} failed attempt${f.failed === 1 ? '' : 's'})`
                : 'queued';
          process.stdout.write(`rule ${f.ruleId} ${f.kind} ${f.entity}: ${f.headline} [${state}]\n`);
        }
        const held = result.suppressed.length
          ? `, ${result.suppressed.length} held back (cooldown, daily limit or a continuing spike)`
          : '';
        process.stdout.write(
          `${result.fired.length} alert${result.fired.length === 1 ? '' : 's'} fired${held}; deliveries: ${result.delivery.delivered} delivered, ${result.delivery.retried} to retry, ${result.delivery.dead} dead\n`,
        );
      });
    });
}

function parseRuleId(value: string): number {
  if (!/^[1-9]\d{0,8}$/.test(value))
    throw new ValidationError(`id: expected an alert rule id (a positive integer), got "${value.slice(0, 40)}"`);
  return Number(value);
}
