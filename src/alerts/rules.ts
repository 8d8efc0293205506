import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { EntityKind, EntitySlug } from '../core/entity.ts';
import { SourceName } from '../core/post.ts';
import { SentimentLabel } from '../core/stats.ts';
import type { AlertRuleKind, AlertDirection, NewAlertRuleRow } from '../db/queries/alerts.ts';

export const AlertKind = z.enum(['shift', 'spike', 'aspect', 'mention', 'regression']);

const METRICS: Record<AlertRuleKind, readonly string[]> = {
  shift: ['mean', 'net'],
  aspect: ['share', 'polarity'],
  spike: ['volume', 'negativity'],
  mention: [],
  regression: [],
};

/** What a rule of each kind watches and how loud it may be, when the caller leaves it out. */
const DEFAULTS: Record<
  AlertRuleKind,
  { metric: string | null; threshold: number | null; direction: AlertDirection; cooldownMinutes: number; maxPerDay: number }
> = {
  shift: { metric: 'mean', threshold: 0.15, direction: 'both', cooldownMinutes: 360, maxPerDay: 4 },
  aspect: { metric: 'share', threshold: 0.1, direction: 'both', cooldownMinutes: 360, maxPerDay: 4 },
  spike: { metric: null, threshold: null, direction: 'up', cooldownMinutes: 60, maxPerDay: 10 },
  mention: { metric: null, threshold: null, direction: 'both', cooldownMinutes: 0, maxPerDay: 50 },
  // Regressions are drops, judged by their detector; one alert each however long it lasts.
  regression: { metric: null, threshold: null, direction: 'down', cooldownMinutes: 0, maxPerDay: 10 },
};

/** A webhook signing secret as the API and CLI take it (rules and digests). */
export const SigningSecret = z
  .string()
  .min(16, 'at least 16 characters')
  .max(200)
  .optional()
  .describe('the secret receivers check X-VibeCheck-Signature with (16+ characters); one is generated and returned once when left out');

const word = z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters');

/** A channel URL as the API and CLI accept it; the channel module judges what it points at. */
export const ChannelUrl = z
  .string()
  .trim()
  .max(2000, 'at most 2,000 characters')
  .refine((value) => /^(https?:\/\/|mailto:)/i.test(value) && URL.canParse(value), 'expected an http(s) URL or mailto:ADDRESS')
  .describe(
    'where messages go: a generic webhook (any http or https URL), a Slack or Discord incoming-webhook URL (known by its host), or mailto:ADDRESS (sent over SMTP_URL); never shown back in full',
  );

/** A new rule as the API body and the CLI flags give it. */
export const NewAlertRuleInput = z
  .object({
    kind: AlertKind.describe(
      'shift: mean or net sentiment moves against the window before, significantly; spike: volume or negativity spikes; aspect: an aspect’s share or sentiment moves; mention: every new matching post; regression: the regression detector flags the entity',
    ),
    /** The entity watched, or `entityKind` for every entity of a kind (those added later too). */
    entity: EntitySlug.optional().describe('the slug of the one entity watched; give this or entityKind'),
    entityKind: EntityKind.optional().describe(
      'instead of entity: every entity of this kind, those added later too, each judged on its own with its own cooldown and daily limit',
    ),
    channel: ChannelUrl,
    name: z.string().trim().min(1).max(200).optional().describe('a name for the rule (default: the entity or kind and what it watches)'),
    secret: SigningSecret,
    source: SourceName.optional().describe('only mentions from this source (not for regression rules)'),
    aspect: z
      .string()
      .trim()
      .regex(/^[a-z0-9_-]{1,60}$/, 'an aspect name such as limits or cost')
      .optional()
      .describe('aspect rules: the aspect watched (default every aspect); mention rules: only posts naming it'),
    polarity: SentimentLabel.optional().describe('mention rules: only mentions read with this polarity'),
    minEngagement: z
      .number()
      .int()
      .min(0)
      .max(1_000_000_000)
      .optional()
      .describe('mention rules: only posts with at least this score (votes, points or reactions, as the source counts them)'),
    include: z.array(word).max(50).optional().describe('mention rules: only posts containing any of these words or phrases (any case)'),
    exclude: z.array(word).max(50).optional().describe('mention rules: no post containing any of these words or phrases (any case)'),
    metric: z
      .string()
      .optional()
      .describe('shift: mean (default) or net; aspect: share (default) or polarity; spike: volume or negativity (default both)'),
    direction: z
      .enum(['up', 'down', 'both'])
      .optional()
      .describe('which moves fire: up, down or both (default both; spikes up; regressions only down)'),
    threshold: z
      .number()
      .positive('must be above 0')
      .max(2)
      .optional()
      .describe(
        'shift and aspect rules: the least change that fires, on the metric’s scale (default 0.15 for a shift, 0.1 for a share, 0.2 for an aspect’s sentiment)',
      ),
    windowHours: z
      .number()
      .int()
      .min(1)
      .max(8760)
      .optional()
      .describe('shift and aspect rules: the window in hours compared with the one of the same length before it (default 168)'),
    minMentions: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe('shift and aspect rules: the mentions each window needs before it is judged (default 20)'),
    cooldownMinutes: z
      .number()
      .int()
      .min(0)
      .max(525_600)
      .optional()
      .describe(
        'minutes after an alert during which the rule sends no other (default by kind: 360 shift and aspect, 60 spike, 0 mention and regression)',
      ),
    maxPerDay: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe('alerts the rule sends in 24 hours at most; the rest are recorded as suppressed (default by kind)'),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if ((rule.entity === undefined) === (rule.entityKind === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['entity'],
        message: 'give one entity, or instead an entity kind (model, tool or vendor) for every entity of that kind',
      });
    }
    const allowed = METRICS[rule.kind];
    if (rule.metric !== undefined && !allowed.includes(rule.metric)) {
      ctx.addIssue({
        code: 'custom',
        path: ['metric'],
        message: allowed.length ? `for a ${rule.kind} rule, one of ${allowed.join(', ')}` : `a ${rule.kind} rule takes no metric`,
      });
    }
    if (rule.threshold !== undefined && DEFAULTS[rule.kind].threshold === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: `a ${rule.kind} rule takes no threshold (spikes and regressions use their detector's own)`,
      });
    }
    if (rule.kind === 'regression' && rule.direction !== undefined && rule.direction !== 'down') {
      ctx.addIssue({ code: 'custom', path: ['direction'], message: 'a regression is a drop: a regression rule takes no other direction' });
    }
    if (rule.kind === 'regression' && rule.source !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['source'],
        message: 'a regression rule watches every source: the detector judges the entity as a whole',
      });
    }
    const mentionOnly = ['polarity', 'minEngagement', 'include', 'exclude'] as const;
    for (const field of mentionOnly) {
      if (rule[field] !== undefined && rule.kind !== 'mention') {
        ctx.addIssue({ code: 'custom', path: [field], message: 'only a mention rule filters posts this way' });
      }
    }
    if (rule.aspect !== undefined && rule.kind !== 'aspect' && rule.kind !== 'mention') {
      ctx.addIssue({ code: 'custom', path: ['aspect'], message: 'only aspect and mention rules take an aspect' });
    }
  });
export type NewAlertRuleInput = z.infer<typeof NewAlertRuleInput>;

/** A secret for webhook signatures: 32 random bytes, hex. */
export function generateSecret(): string {
  return randomBytes(32).toString('hex');
}

/** A rule as it will be stored, before it is tied to its entity's id and given its evaluation state. */
export type ResolvedRule = Omit<NewAlertRuleRow, 'entityId' | 'state'>;

/** What a kind rule's default name calls its entities. */
export const KIND_PLURAL: Record<EntityKind, string> = { model: 'Models', tool: 'Tools', vendor: 'Vendors' };

/**
 * The rule with every default filled in, and a generated secret when none was given. `target` names
 * what it watches: the entity's name, or the kind's plural for a kind rule.
 */
export function resolveRule(input: NewAlertRuleInput, target: string): ResolvedRule & { secretGenerated: boolean } {
  const defaults = DEFAULTS[input.kind];
  const metric = input.metric ?? defaults.metric;
  const threshold = input.threshold ?? (input.kind === 'aspect' && metric === 'polarity' ? 0.2 : defaults.threshold);
  const what = [input.kind, metric, input.aspect].filter(Boolean).join(' ');
  return {
    name: input.name ?? `${target}: ${what}`,
    kind: input.kind,
    entityKind: input.entityKind ?? null,
    source: input.source ?? null,
    aspect: input.aspect ?? null,
    polarity: input.polarity ?? null,
    minEngagement: input.minEngagement ?? null,
    includeWords: input.include ?? [],
    excludeWords: input.exclude ?? [],
    metric,
    direction: input.direction ?? defaults.direction,
    threshold,
    windowHours: input.windowHours ?? 168,
    minMentions: input.minMentions ?? 20,
    channel: input.channel,
    secret: input.secret ?? generateSecret(),
    secretGenerated: input.secret === undefined,
    cooldownMinutes: input.cooldownMinutes ?? defaults.cooldownMinutes,
    maxPerDay: input.maxPerDay ?? defaults.maxPerDay,
  };
}
