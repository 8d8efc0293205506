import { z } from '@hono/zod-openapi';
import { EntityChanges, NewEntityInput } from '../core/entity.ts';
import { SourceName } from '../core/post.ts';
import { parseIsoInstant } from '../core/storable.ts';
import { SentimentLabel, SeriesPoint } from '../core/stats.ts';
import { Bucket, TimeZone } from '../core/time-buckets.ts';
import { MAX_EXPORT_POSTS } from './views/export.ts';

/**
 * Fields that recur across answers, each described once. Counts and statistics of a bucket or window
 * carry the descriptions of the core SeriesPoint (src/core/stats.ts).
 */
const point = SeriesPoint.shape;
/** An instant as every answer writes it: ISO 8601 in UTC, milliseconds included. */
export const instant = (description: string) => z.string().openapi({ description: `${description}; ISO 8601, UTC` });
export const nullableInstant = (description: string) =>
  z
    .string()
    .nullable()
    .openapi({ description: `${description}; ISO 8601, UTC` });
export const EntitySlugField = z.string().openapi({ description: 'the entity slug', example: 'claude-code' });
export const SourceFilterField = z.string().nullable().openapi({ description: 'the only source counted, or null for every source' });
export const WindowFromField = instant('start of the window, inclusive');
export const WindowToField = instant('end of the window, exclusive: the window is [from, to)');
export const PreviousFromField = instant('start of the previous window [previousFrom, from), as long as the window');
export const BucketStartField = instant(
  'start of the bucket; a bucket runs to the next start (the last one to `to`, so it may be partial), and the first may start before from',
);
// Schemas made in core may predate zod's openapi extension (module order), so they take describe().
export const BucketField = Bucket.describe('the bucket size of the series');
export const TzField = z.string().openapi({ description: 'the IANA time zone of the day, week and month boundaries', example: 'UTC' });
export const EntityKindField = z
  .enum(['model', 'tool', 'vendor'])
  .openapi({ description: 'what the entity is: a model, a tool or a vendor' });
const PreviousScoreField = z
  .number()
  .nullable()
  .openapi({ description: 'mean score in the previous window, in [-1, 1]; null when it had no mentions' });
const ChangeLowField = z
  .number()
  .nullable()
  .openapi({ description: 'lower bound of the 95% Welch interval of change; null unless both windows have 2 mentions or more' });
const ChangeHighField = z
  .number()
  .nullable()
  .openapi({ description: 'upper bound of the 95% Welch interval of change; null unless both windows have 2 mentions or more' });

/** A window against the one of the same length before it (src/api/views/change.ts). */
export const ChangeFields = {
  previousN: z.number().int().openapi({ description: 'mentions in the window of the same length before' }),
  previousScore: PreviousScoreField,
  change: z.number().nullable().openapi({ description: 'score - previousScore; null when either window is empty' }),
  changeLow: ChangeLowField,
  changeHigh: ChangeHighField,
  significant: z.boolean().openapi({ description: "Welch's t-test of the two means, p < 0.05" }),
};
export const PValueField = z.number().nullable().openapi({
  description: "two-sided p-value of Welch's t-test on the mean scores; null unless both windows have 2 mentions or more",
});
export const AspectNameField = z
  .string()
  .openapi({ description: 'the aspect: what a mention talks about, such as speed or pricing', example: 'pricing' });

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
    source: SourceFilterField,
    n: z.number().int().openapi({ description: 'mentions in the current window' }),
    positive: point.positive,
    neutral: point.neutral,
    negative: point.negative,
    previousN: ChangeFields.previousN,
    score: z.number().nullable().openapi({ description: 'mean sentiment score in [-1, 1], null without mentions' }),
    scoreLow: point.scoreLow,
    scoreHigh: point.scoreHigh,
    previousScore: ChangeFields.previousScore,
    change: ChangeFields.change,
    significant: z.boolean().openapi({ description: 'the change is beyond noise (Welch t-test, 95%)' }),
    netSentiment: point.netSentiment,
    weightedScore: point.weightedScore,
    changeLow: ChangeFields.changeLow,
    changeHigh: ChangeFields.changeHigh,
    pValue: PValueField,
    shareOfVoice: z
      .number()
      .nullable()
      .openapi({ description: "this entity's share of the current window's mentions among entities of its kind" }),
    aspectsMoving: z
      .array(
        z.object({
          aspect: AspectNameField,
          n: z.number().int().openapi({ description: 'mentions naming the aspect in the current window' }),
          score: z
            .number()
            .nullable()
            .openapi({ description: "mean of the aspect's own polarity scores in the current window, in [-1, 1]; null without mentions" }),
          previousScore: z.number().nullable().openapi({ description: 'the same in the previous window' }),
          change: ChangeFields.change,
        }),
      )
      .openapi({ description: 'the aspects whose mean score changed most against the previous window (at most 3)' }),
    sparkline: z
      .array(
        z.object({
          bucketStart: instant('start of the UTC day, week or month'),
          n: z.number().int().openapi({ description: 'mentions in the bucket' }),
          score: z.number().nullable().openapi({ description: 'mean sentiment score in the bucket, in [-1, 1]; null without mentions' }),
        }),
      )
      .openapi({
        description:
          'without from/to, the last 30 UTC days, the current day partial; with them, the window by day (by week past 92 days, by month past 2 years; the first bucket may start before from); oldest first; empty with sparkline=false',
      }),
  })
  .openapi('EntitySummary');

export const Entity = z
  .object({
    slug: EntitySlugField,
    name: z.string().openapi({ description: 'the name shown', example: 'Claude Code' }),
    kind: EntityKindField,
    parent: z.string().nullable().openapi({
      description: "the parent entity's slug (such as a tool's vendor), whose counts include this entity's mentions; null for none",
    }),
    aliases: z.array(z.string()).openapi({ description: 'other names that link a post to this entity' }),
    context: z.array(z.string()).openapi({ description: 'words that confirm an ambiguous name means this entity' }),
    homepage: z.string().nullable().openapi({ description: 'the URL of its homepage, or null' }),
    origin: z
      .enum(['registry', 'user'])
      .openapi({ description: 'registry: shipped with VibeCheck; user: added through the API or the CLI' }),
    summary: EntitySummary,
  })
  .openapi('Entity');

export const EntityList = z.object({ items: z.array(Entity).openapi({ description: 'the tracked entities' }) }).openapi('EntityList');

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
  sparkline: z
    .enum(['true', 'false'])
    .optional()
    .openapi(param('sparkline', 'false leaves every sparkline empty, for callers that show only the figures (default: true)', 'false')),
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
export const EventIdField = z.number().int().openapi({ description: 'the event id' });
export const EventSourceField = z.string().openapi({
  description:
    'where it comes from: the collector that read it (such as a status page or a release feed), manual (added by hand) or vibecheck (a detected spike or regression)',
});
export const EventTitleField = z.string().openapi({ description: 'one line saying what happened' });
export const EventUrlField = z.string().nullable().openapi({ description: 'a link to more, or null' });
export const EventTimeField = instant('when it happened (for a spike: the start of its day; for a regression: the start of its window)');
export const EventDetailsField = z.record(z.string(), z.unknown()).openapi({
  description:
    'what the detector recorded: for a spike its kind, value, baseline and z-score, for a regression its size and windows, with the attribution when there is one; empty for other events',
});

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
      .default(null)
      .openapi({ description: 'the slug of the entity it concerns; null (the default) for an event of no one entity' }),
    kind: z.enum(['release', 'incident', 'note']).openapi({ description: 'release, incident or note' }),
    title: z.string().trim().min(1).max(300).openapi({ description: 'one line, 1-300 characters' }),
    url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .nullable()
      .default(null)
      .openapi({ description: 'an http(s) link to more, at most 2,048 characters; null (the default) for none' }),
    body: z
      .string()
      .max(10_000)
      .nullable()
      .default(null)
      .openapi({ description: 'text, at most 10,000 characters; null (the default) for none' }),
    occurredAt: IsoInstant.openapi({
      type: 'string',
      example: '2026-02-01T09:00:00Z',
      description: 'when it happened: an ISO 8601 date or date-time, UTC when no offset is given',
    }),
    externalId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,200}$/, 'letters, digits and . _ : - (at most 200)')
      .optional()
      .openapi({ description: 'your id for the note; posting the same id again updates it' }),
  })
  .openapi('NewEvent');

export const Event = z
  .object({
    id: EventIdField,
    entity: z.string().nullable().openapi({ description: 'the slug of the entity it concerns; null for an event of no one entity' }),
    kind: EventKindParam.openapi({
      description: 'release or incident (collected or added by hand), note (added by hand), spike or regression (detected)',
    }),
    source: EventSourceField,
    externalId: z.string().openapi({ description: "the event's id at its source; with source and kind, it identifies the event" }),
    title: EventTitleField,
    url: EventUrlField,
    body: z.string().nullable().openapi({ description: 'text of the event, or null' }),
    occurredAt: EventTimeField,
    details: EventDetailsField,
  })
  .openapi('Event');

export const EventList = z
  .object({ items: z.array(Event).openapi({ description: 'the events of [from, to), oldest first, at most 1,000' }) })
  .openapi('EventList');

export const SeriesPointWithStart = SeriesPoint.extend({ bucketStart: BucketStartField }).openapi('SeriesPoint');

const WindowFields = {
  from: WindowFromField,
  to: WindowToField,
  bucket: BucketField,
  tz: TzField,
  source: SourceFilterField,
};

export const SentimentSeries = z
  .object({
    entity: EntitySlugField,
    ...WindowFields,
    series: z.array(SeriesPointWithStart).openapi({ description: 'every bucket of the window, oldest first' }),
    events: z
      .array(Event)
      .openapi({ description: "the entity's events from the first bucket's start to the end of the window, for overlays" }),
  })
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

const WindowFigures = SeriesPoint.extend(ChangeFields);

export const Breakdown = z
  .object({
    entity: EntitySlugField,
    from: WindowFromField,
    to: WindowToField,
    previousFrom: PreviousFromField,
    by: z.enum(['source', 'aspect']).openapi({ description: 'what a row is: a source or an aspect' }),
    total: WindowFigures.openapi({ description: "the entity's mentions in the window, whatever the rows" }),
    items: z
      .array(
        WindowFigures.extend({
          key: z.string().openapi({ description: 'the source name, or the aspect name' }),
          share: z
            .number()
            .nullable()
            .openapi({ description: "this row's mentions over the window's: sources add up to 1; aspects need not" }),
        }),
      )
      .openapi({
        description:
          "one row per source or aspect with mentions in the window or the one before, most mentions first; an aspect row's score is the aspect's own polarity",
      }),
  })
  .openapi('Breakdown');

export const AspectScore = z
  .object({
    aspect: AspectNameField,
    n: z.number().int().openapi({ description: 'mentions naming the aspect in the window' }),
    positive: z.number().int().openapi({ description: 'of those, the ones where the aspect is spoken of positively' }),
    neutral: z.number().int().openapi({ description: 'the ones where it is spoken of neutrally' }),
    negative: z.number().int().openapi({ description: 'the ones where it is spoken of negatively; positive + neutral + negative = n' }),
    score: z.number().nullable().openapi({ description: "mean of the aspect's own polarity scores, in [-1, 1]; null when n = 0" }),
    scoreLow: point.scoreLow,
    scoreHigh: point.scoreHigh,
    ...ChangeFields,
  })
  .openapi('AspectScore');

export const AspectBreakdown = z
  .object({
    entity: EntitySlugField,
    from: WindowFromField,
    to: WindowToField,
    previousFrom: PreviousFromField,
    source: SourceFilterField,
    items: z.array(AspectScore).openapi({ description: 'every aspect named in the window or the one before, most mentioned first' }),
  })
  .openapi('AspectBreakdown');

export const ConfidenceField = z.number().openapi({ description: "the model's confidence in the label, in [0, 1]" });
const TEXT_OFFSETS = 'in UTF-16 code units into "title\\n\\nbody" for a post with a title that is not a reply, else into body';
export const OffsetStartField = z
  .number()
  .int()
  .openapi({ description: `where the words start, ${TEXT_OFFSETS}` });
export const OffsetEndField = z
  .number()
  .int()
  .openapi({ description: `where the words end (exclusive), ${TEXT_OFFSETS}` });
/** A page of a list read newest first. */
export const NextCursorField = z
  .string()
  .nullable()
  .openapi({ description: 'pass as cursor to read the next page; null on the last page' });

export const PostItem = z
  .object({
    source: z.string().openapi({ description: 'the source the post was collected from', example: 'hn' }),
    externalId: z.string().openapi({ description: "the post's id at its source" }),
    url: z.string().nullable().openapi({ description: 'the link to the post, or null' }),
    createdAt: instant('when the post was written'),
    title: z.string().nullable().openapi({ description: 'its title; null for a post without one (a comment, a reply)' }),
    body: z.string().openapi({ description: 'its text' }),
    author: z.string().nullable().openapi({ description: "the author's name at the source, or null" }),
    engagement: z.number().int().openapi({ description: 'points plus replies at the source when collected, at least 0' }),
    direct: z.boolean().openapi({
      description: 'true when the post names this entity; false when it names only a child of it (such as one of its models)',
    }),
    label: SentimentLabel.describe('the sentiment toward this entity'),
    score: z.number().openapi({ description: 'the sentiment score toward this entity, in [-1, 1]' }),
    confidence: ConfidenceField,
    sentimentTier: z.enum(['local', 'llm']).openapi({
      description:
        'which tier produced label, score and confidence: local (the committed model) or llm (the optional LLM endpoint, asked when the local model is unsure, or about every mention with LLM_SENTIMENT=every)',
    }),
    matchedText: z.string().openapi({ description: 'the words that named the entity (the first mention in the post)' }),
    start: OffsetStartField,
    end: OffsetEndField,
    version: z
      .string()
      .nullable()
      .optional()
      .openapi({ description: 'the version the post names for the entity ("4.5", "2.0.55"), null when none' }),
    aspects: z
      .array(
        z.object({
          aspect: AspectNameField,
          polarity: SentimentLabel.describe('how the post speaks of the aspect'),
          score: z.number().openapi({ description: "the aspect's polarity score, in [-1, 1]" }),
          confidence: ConfidenceField,
          evidence: z.string().openapi({ description: 'the words that name the aspect' }),
          start: OffsetStartField,
          end: OffsetEndField,
        }),
      )
      .openapi({ description: 'the aspects the post speaks of about this entity, in text order' }),
  })
  .openapi('PostItem');

export const PostPage = z
  .object({
    items: z.array(PostItem).openapi({ description: "the entity's mentions, newest first" }),
    nextCursor: NextCursorField,
  })
  .openapi('PostPage');

export const CompareResult = z
  .object({
    ...WindowFields,
    entities: z
      .array(
        z.object({
          slug: EntitySlugField,
          name: z.string().openapi({ description: 'the name shown' }),
          kind: EntityKindField,
          n: z.number().int().openapi({ description: 'mentions of the entity in the series (every bucket)' }),
          shareOfVoice: z.number().nullable().openapi({
            description: "n over the compared entities' mentions, in [0, 1]; null when none of them has any",
          }),
          series: z
            .array(
              SeriesPointWithStart.extend({
                shareOfVoice: z.number().nullable().openapi({
                  description: "n over the compared entities' mentions in the bucket, in [0, 1]; null when none has any",
                }),
              }),
            )
            .openapi({ description: 'every bucket of the window, oldest first, aligned across the entities' }),
        }),
      )
      .openapi({ description: 'the compared entities in the order asked' }),
  })
  .openapi('Comparison');

export const EntityExport = z
  .object({
    entity: EntitySlugField,
    ...WindowFields,
    series: z.array(SeriesPointWithStart).openapi({ description: 'every bucket of the window, oldest first' }),
    posts: z.array(PostItem).openapi({ description: "the entity's mentions in the window, newest first" }),
    postsTruncated: z.boolean().openapi({
      description: `true when the window has more than ${MAX_EXPORT_POSTS.toLocaleString('en')} mentions: posts then holds the newest ${MAX_EXPORT_POSTS.toLocaleString('en')}`,
    }),
  })
  .openapi('EntityExport');
