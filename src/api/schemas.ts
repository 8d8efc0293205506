import { z } from '@hono/zod-openapi';
import { EntityChanges, NewEntityInput } from '../core/entity.ts';
import { SourceName } from '../core/post.ts';
import { parseIsoInstant } from '../core/storable.ts';
import { SentimentLabel, SeriesPoint } from '../core/stats.ts';
import { Bucket, TimeZone } from '../core/time-buckets.ts';

export const EntitySlugParam = z.object({
  slug: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected an entity slug (lowercase letters, digits, dashes)')
    .openapi({ param: { name: 'slug', in: 'path' }, example: 'claude-code' }),
});

export const EntitySummary = z
  .object({
    window: z.string().openapi({ example: '7d', description: 'length of the current and of the previous window' }),
    from: z.string().openapi({ description: 'start of the current window' }),
    to: z.string().openapi({ description: 'end of the current window, exclusive; the previous window is as long and ends at from' }),
    source: z.string().nullable().openapi({ description: 'the only source counted, or null for every source' }),
    n: z.number().int().openapi({ description: 'mentions in the current window' }),
    positive: z.number().int(),
    neutral: z.number().int(),
    negative: z.number().int(),
    previousN: z.number().int(),
    score: z.number().nullable().openapi({ description: 'mean sentiment score in [-1, 1], null without mentions' }),
    scoreLow: z.number().nullable(),
    scoreHigh: z.number().nullable(),
    previousScore: z.number().nullable(),
    change: z.number().nullable(),
    significant: z.boolean().openapi({ description: 'the change is beyond noise (Welch t-test, 95%)' }),
    netSentiment: z.number().nullable(),
    weightedScore: z.number().nullable(),
    changeLow: z.number().nullable().openapi({ description: '95% Welch interval of the change' }),
    changeHigh: z.number().nullable(),
    pValue: z.number().nullable(),
    shareOfVoice: z
      .number()
      .nullable()
      .openapi({ description: "this entity's share of the current window's mentions among entities of its kind" }),
    aspectsMoving: z
      .array(
        z.object({
          aspect: z.string(),
          n: z.number().int(),
          score: z.number().nullable(),
          previousScore: z.number().nullable(),
          change: z.number().nullable(),
        }),
      )
      .openapi({ description: 'the aspects whose mean score changed most against the previous window (at most 3)' }),
    sparkline: z.array(z.object({ bucketStart: z.string(), n: z.number().int(), score: z.number().nullable() })).openapi({
      description:
        'without from/to, the last 30 UTC days, the current day partial; with them, the window by day (by week past 92 days, by month past 2 years; the first bucket may start before from); oldest first',
    }),
  })
  .openapi('EntitySummary');

export const Entity = z
  .object({
    slug: z.string(),
    name: z.string(),
    kind: z.enum(['model', 'tool', 'vendor']),
    parent: z.string().nullable(),
    aliases: z.array(z.string()),
    context: z.array(z.string()).openapi({ description: 'words that confirm an ambiguous name means this entity' }),
    homepage: z.string().nullable(),
    origin: z.enum(['registry', 'user']),
    summary: EntitySummary,
  })
  .openapi('Entity');

export const EntityList = z.object({ items: z.array(Entity) }).openapi('EntityList');

/** The core schema used as it is: the same rules validate the CLI and the API. */
export const NewEntityBody = NewEntityInput;
export const EntityChangesBody = EntityChanges;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO 8601 date or date-time (UTC when no offset is given), read as an instant; 2026-02-30 is refused, not March 2. */
export const IsoInstant = z
  .string()
  .regex(ISO_INSTANT, 'expected an ISO 8601 date or date-time such as 2026-01-31 or 2026-01-31T12:00:00Z')
  .transform((value, ctx) => {
    const parsed = parseIsoInstant(value);
    if (parsed.ok) return parsed.value;
    ctx.issues.push({ code: 'custom', message: parsed.reason, input: value });
    return z.NEVER;
  });

const param = (name: string, description: string, example?: string) => ({ param: { name, in: 'query' as const }, description, example });

const FromParam = IsoInstant.optional().openapi(param('from', 'start of the window (default: 30 days before to)', '2026-01-01'));
const ToParam = IsoInstant.optional().openapi(param('to', 'end of the window, exclusive (default: now)', '2026-02-01'));
const BucketParam = Bucket.optional().openapi(param('bucket', 'bucket size (default day)'));
const TzParam = TimeZone.optional().openapi(
  param('tz', 'IANA time zone for day, week and month boundaries (default UTC)', 'Europe/Berlin'),
);
const SourceParam = SourceName.optional().openapi(param('source', 'only mentions from this source', 'hn'));

/** The summary's period: with neither bound, the last 7 UTC days (today included); with either, planRange's defaults. */
export const EntitiesQuery = z.object({
  from: IsoInstant.optional().openapi(
    param('from', 'start of the summary window (default: the last 7 UTC days; 30 days before to when only to is given)', '2026-01-01'),
  ),
  to: IsoInstant.optional().openapi(param('to', 'end of the summary window, exclusive (default: now)', '2026-02-01')),
  source: SourceParam,
});

export const SeriesQuery = z.object({ from: FromParam, to: ToParam, bucket: BucketParam, tz: TzParam, source: SourceParam });
export const AspectsQuery = z.object({ from: FromParam, to: ToParam, source: SourceParam });

export const PostsQuery = z.object({
  from: FromParam,
  to: ToParam,
  source: SourceParam,
  polarity: SentimentLabel.optional().openapi(param('polarity', 'only mentions with this label')),
  aspect: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,39}$/, 'expected an aspect name such as speed or pricing')
    .optional()
    .openapi(param('aspect', 'only mentions with this aspect', 'pricing')),
  q: z.string().trim().min(1).max(200).optional().openapi(param('q', 'text searched in title and body (case-insensitive substring)')),
  version: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.]{0,31}$/, 'expected a version as the versions endpoint names it, such as 4.5, r1 or 2.0.55')
    .optional()
    .openapi(param('version', 'only mentions naming this version (see /api/v1/entities/{slug}/versions)', '4.5')),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,200}$/, 'expected a cursor returned as nextCursor')
    .optional()
    .openapi(param('cursor', 'nextCursor of the previous page')),
  limit: z.coerce.number().int().min(1).max(100).default(25).openapi(param('limit', 'items per page, 1-100 (default 25)')),
});

export const CompareQuery = z.object({
  entities: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((slug) => slug.trim())
        .filter((slug) => slug.length > 0),
    )
    .pipe(
      z
        .array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected entity slugs separated by commas'))
        .min(2, 'expected 2 to 6 entity slugs separated by commas')
        .max(6, 'expected 2 to 6 entity slugs separated by commas')
        .refine((slugs) => new Set(slugs).size === slugs.length, 'each entity at most once'),
    )
    .openapi({
      param: { name: 'entities', in: 'query' },
      description: '2 to 6 entity slugs separated by commas',
      example: 'cursor,claude-code',
      type: 'string',
    }),
  from: FromParam,
  to: ToParam,
  bucket: BucketParam,
  tz: TzParam,
  source: SourceParam,
});

const EventKindParam = z.enum(['release', 'incident', 'spike', 'note', 'regression']);

export const EventsQuery = z.object({
  entity: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected an entity slug')
    .optional()
    .openapi(param('entity', 'only events of this entity', 'cursor')),
  from: FromParam,
  to: ToParam,
  kind: EventKindParam.optional().openapi(param('kind', 'only events of this kind')),
});

export const ExportQuery = z.object({
  format: z.enum(['csv', 'json']).default('json').openapi(param('format', 'csv or json (default json)')),
  from: FromParam,
  to: ToParam,
  bucket: BucketParam,
  tz: TzParam,
  source: SourceParam,
});

export const NewEventBody = z
  .object({
    entity: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected an entity slug')
      .nullable()
      .default(null),
    kind: z.enum(['release', 'incident', 'note']),
    title: z.string().trim().min(1).max(300),
    url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .nullable()
      .default(null),
    body: z.string().max(10_000).nullable().default(null),
    occurredAt: IsoInstant.openapi({ type: 'string', example: '2026-02-01T09:00:00Z' }),
    externalId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,200}$/, 'letters, digits and . _ : - (at most 200)')
      .optional()
      .openapi({ description: 'your id for the note; posting the same id again updates it' }),
  })
  .openapi('NewEvent');

export const Event = z
  .object({
    id: z.number().int(),
    entity: z.string().nullable(),
    kind: EventKindParam,
    source: z.string(),
    externalId: z.string(),
    title: z.string(),
    url: z.string().nullable(),
    body: z.string().nullable(),
    occurredAt: z.string(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('Event');

export const EventList = z.object({ items: z.array(Event) }).openapi('EventList');

export const SeriesPointWithStart = SeriesPoint.extend({ bucketStart: z.string() }).openapi('SeriesPoint');

const WindowFields = {
  from: z.string(),
  to: z.string(),
  bucket: Bucket,
  tz: z.string(),
  source: z.string().nullable(),
};

export const SentimentSeries = z
  .object({ entity: z.string(), ...WindowFields, series: z.array(SeriesPointWithStart), events: z.array(Event) })
  .openapi('SentimentSeries');

export const BreakdownQuery = z.object({
  from: FromParam,
  to: ToParam,
  by: z
    .enum(['source', 'aspect'])
    .default('source')
    .openapi(
      param('by', 'rows per source (they add up to the total) or per aspect (a mention may name several aspects, or none)', 'source'),
    ),
});

/** A window against the one of the same length before it (src/api/views/change.ts). */
export const ChangeFields = {
  previousN: z.number().int().openapi({ description: 'mentions in the window of the same length before' }),
  previousScore: z.number().nullable(),
  change: z.number().nullable().openapi({ description: 'score - previousScore; null when either window is empty' }),
  changeLow: z.number().nullable(),
  changeHigh: z.number().nullable(),
  significant: z.boolean().openapi({ description: "Welch's t-test of the two means, p < 0.05" }),
};

const WindowFigures = SeriesPoint.extend(ChangeFields);

export const Breakdown = z
  .object({
    entity: z.string(),
    from: z.string(),
    to: z.string(),
    previousFrom: z.string(),
    by: z.enum(['source', 'aspect']),
    total: WindowFigures.openapi({ description: "the entity's mentions in the window, whatever the rows" }),
    items: z.array(
      WindowFigures.extend({
        key: z.string().openapi({ description: 'the source name, or the aspect name' }),
        share: z
          .number()
          .nullable()
          .openapi({ description: "this row's mentions over the window's: sources add up to 1; aspects need not" }),
      }),
    ),
  })
  .openapi('Breakdown');

export const AspectScore = z
  .object({
    aspect: z.string(),
    n: z.number().int(),
    positive: z.number().int(),
    neutral: z.number().int(),
    negative: z.number().int(),
    score: z.number().nullable(),
    scoreLow: z.number().nullable(),
    scoreHigh: z.number().nullable(),
    ...ChangeFields,
  })
  .openapi('AspectScore');

export const AspectBreakdown = z
  .object({
    entity: z.string(),
    from: z.string(),
    to: z.string(),
    previousFrom: z.string(),
    source: z.string().nullable(),
    items: z.array(AspectScore),
  })
  .openapi('AspectBreakdown');

export const PostItem = z
  .object({
    source: z.string(),
    externalId: z.string(),
    url: z.string().nullable(),
    createdAt: z.string(),
    title: z.string().nullable(),
    body: z.string(),
    author: z.string().nullable(),
    engagement: z.number().int(),
    direct: z.boolean(),
    label: SentimentLabel,
    score: z.number(),
    confidence: z.number(),
    sentimentTier: z.enum(['local', 'llm']).openapi({
      description:
        'which tier produced label, score and confidence: local (the committed model) or llm (the optional LLM endpoint, asked when the local model is unsure)',
    }),
    matchedText: z.string(),
    start: z.number().int(),
    end: z.number().int(),
    version: z
      .string()
      .nullable()
      .optional()
      .openapi({ description: 'the version the post names for the entity ("4.5", "2.0.55"), null when none' }),
    aspects: z.array(
      z.object({
        aspect: z.string(),
        polarity: SentimentLabel,
        score: z.number(),
        confidence: z.number(),
        evidence: z.string(),
        start: z.number().int(),
        end: z.number().int(),
      }),
    ),
  })
  .openapi('PostItem');

export const PostPage = z.object({ items: z.array(PostItem), nextCursor: z.string().nullable() }).openapi('PostPage');

export const CompareResult = z
  .object({
    ...WindowFields,
    entities: z.array(
      z.object({
        slug: z.string(),
        name: z.string(),
        kind: z.enum(['model', 'tool', 'vendor']),
        n: z.number().int(),
        shareOfVoice: z.number().nullable(),
        series: z.array(SeriesPointWithStart.extend({ shareOfVoice: z.number().nullable() })),
      }),
    ),
  })
  .openapi('Comparison');

export const EntityExport = z
  .object({
    entity: z.string(),
    ...WindowFields,
    series: z.array(SeriesPointWithStart),
    posts: z.array(PostItem),
    postsTruncated: z.boolean(),
  })
  .openapi('EntityExport');
