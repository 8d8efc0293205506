import { z } from '@hono/zod-openapi';
import { Attribution } from '../../core/attribution.ts';
import { EXCERPT_CHARS, MAX_ASPECTS } from '../../core/explain.ts';
import { SourceName } from '../../core/post.ts';
import { planRange } from '../../core/series-window.ts';
import { SeriesPoint } from '../../core/stats.ts';
import {
  AspectNameField,
  ChangeFields,
  EntitySlugField,
  EventDetailsField,
  EventIdField,
  EventSourceField,
  EventTimeField,
  EventTitleField,
  EventUrlField,
  IsoInstant,
  PostItem,
  WindowFromField,
} from '../schemas.ts';

/** The window an entity explanation reads when the caller names none: the last 7 days. */
export const DEFAULT_EXPLAIN_DAYS = 7;
const DAY_MS = 86_400_000;

const param = (name: string, description: string, example?: string) => ({ param: { name, in: 'query' as const }, description, example });

export const ExplainQuery = z.object({
  from: IsoInstant.optional().openapi(param('from', 'start of the window (default: 7 days before to)', '2026-03-01')),
  to: IsoInstant.optional().openapi(param('to', 'end of the window, exclusive (default: now)', '2026-03-08')),
  source: SourceName.optional().openapi(param('source', 'only mentions from this source', 'hn')),
});

export const EventIdParam = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, 'expected an event id (a positive integer)')
    .transform(Number)
    .openapi({ param: { name: 'id', in: 'path' }, type: 'string', example: '42' }),
});

/** [from, to) with the 7-day default, refused (naming the parameter) when reversed or absurd. */
export function planExplainWindow(query: { from?: Date | undefined; to?: Date | undefined }, now = new Date()): { from: Date; to: Date } {
  const to = query.to ?? now;
  return planRange({ from: query.from ?? new Date(to.getTime() - DEFAULT_EXPLAIN_DAYS * DAY_MS), to }, now);
}

const nullable = (description?: string) => (description ? z.number().nullable().openapi({ description }) : z.number().nullable());

const ExplainedWindow = SeriesPoint.extend({
  from: WindowFromField,
  to: z.string().openapi({ description: 'exclusive' }),
  days: z.number().openapi({ description: 'length of the window in days' }),
  negativeShare: nullable('negative / n'),
  perDay: z.number().openapi({ description: 'mentions a day' }),
}).openapi('ExplainedWindow');

const ExplanationChange = z
  .object({
    measure: z.enum(['score', 'negativeShare', 'volume']).openapi({
      description:
        'what the posts, sources and headline are ranked by: the mean score (entity windows, releases, incidents, notes), the negative share (negativity spikes) or mentions a day (volume spikes)',
    }),
    direction: z
      .enum(['up', 'down', 'flat'])
      .openapi({ description: "direction of the measure's change; flat when it did not move or cannot be compared" }),
    measureChange: nullable('change of the measure: of the mean score, the negative share or mentions a day'),
    score: nullable('mean score in the window'),
    ...ChangeFields,
    pValue: nullable("two-sided p-value of Welch's t-test on the mean scores; null unless both windows have 2 mentions or more"),
    netSentiment: nullable('positive share minus negative share in the window'),
    previousNetSentiment: nullable('netSentiment in the previous window'),
    netSentimentChange: nullable('netSentiment - previousNetSentiment; null when either window is empty'),
    negativeShare: nullable('negative mentions over all mentions in the window, in [0, 1]; null without mentions'),
    previousNegativeShare: nullable('negativeShare in the previous window'),
    volumeRatio: nullable('mentions a day in the window over mentions a day before; null when there were none before'),
  })
  .openapi('ExplanationChange');

const ContributingPost = z
  .object({
    postId: z.number().int().openapi({ description: "the post's id in this database" }),
    source: PostItem.shape.source,
    url: PostItem.shape.url,
    title: PostItem.shape.title,
    excerpt: z.string().openapi({ description: `plain text around the mention, at most ${EXCERPT_CHARS} characters` }),
    createdAt: PostItem.shape.createdAt,
    label: PostItem.shape.label,
    score: PostItem.shape.score,
    engagement: PostItem.shape.engagement,
    aspects: z.array(z.string()).openapi({ description: 'the aspects the post speaks of about the entity' }),
    contribution: z.number().openapi({
      description:
        "this mention's part of measureChange. score: (score - previous mean) / n; negativeShare: ([negative] - previous negative share) / n; the parts of every mention in the window add up to the change exactly. volume: 1 / days (the posts are then ranked by engagement)",
    }),
  })
  .openapi('ContributingPost');

const AspectMove = z
  .object({
    aspect: AspectNameField,
    n: z.number().int().openapi({ description: 'mentions naming the aspect in the window' }),
    share: nullable("mentions naming the aspect over the window's mentions (a mention may name several)"),
    previousShare: nullable('share in the previous window; null when it had no mentions'),
    shareChange: nullable('share - previousShare; null when either is null'),
    score: nullable('mean polarity of the aspect in the window'),
    ...ChangeFields,
    pull: z.number().openapi({ description: "share x mean polarity now minus before: the aspect's signed pull on the mean score" }),
  })
  .openapi('AspectMove');

const SourceMove = z
  .object({
    source: z.string().openapi({ description: 'the source' }),
    n: z.number().int().openapi({ description: 'mentions from the source in the window' }),
    score: nullable('mean score of its mentions in the window, in [-1, 1]; null without mentions'),
    ...ChangeFields,
    contribution: z.number().openapi({
      description:
        "this source's part of measureChange: the sum of its mentions' contributions (volume: its change in mentions a day); the sources add up to the change",
    }),
    shareOfChange: nullable('contribution / measureChange; null when the measure did not move'),
  })
  .openapi('SourceMove');

const NearbyEvent = z
  .object({
    id: EventIdField,
    entity: z.string().nullable().openapi({ description: 'the explained entity, or its parent (such as its vendor)' }),
    kind: z
      .enum(['release', 'incident', 'note', 'spike', 'regression'])
      .openapi({ description: 'release, incident or note; for the event explained, spike or regression too' }),
    source: EventSourceField,
    title: EventTitleField,
    url: EventUrlField,
    occurredAt: EventTimeField,
  })
  .openapi('NearbyEvent');

export const ExplanationSummary = z
  .object({
    text: z.string().openapi({ description: 'model-written from untrusted posts: escape it wherever it is shown' }),
    postIds: z.array(z.number().int()).openapi({ description: 'the posts (of `posts`) the sentences rest on' }),
    model: z.string().openapi({ description: 'the model that wrote it, as configured for the LLM endpoint' }),
  })
  .openapi('ExplanationSummary');

export const Explanation = z
  .object({
    entity: z
      .object({ slug: EntitySlugField, name: z.string().openapi({ description: 'the name shown' }) })
      .openapi({ description: 'the entity explained' }),
    source: z.string().nullable().openapi({ description: 'only mentions from this source were read; null for all' }),
    event: NearbyEvent.extend({ details: EventDetailsField }).nullable().openapi({ description: 'the event explained; null for a window' }),
    window: ExplainedWindow,
    previousWindow: ExplainedWindow.openapi({ description: 'the window compared against; it ends where the window starts' }),
    change: ExplanationChange,
    headline: z.string().openapi({
      description:
        'one line built from the figures, e.g. "Cursor: sentiment fell from +0.12 to -0.08 (significant), driven by hn; rate limits complaints up"',
      example: 'Cursor: sentiment fell from +0.12 to -0.08 (significant), driven by hn; rate limits complaints up',
    }),
    posts: z
      .array(ContributingPost)
      .openapi({ description: 'the mentions that moved the measure most in the direction of its change, largest contribution first' }),
    opposingPosts: z
      .array(ContributingPost)
      .openapi({ description: 'the mentions that pulled hardest the other way; empty when the measure is flat, and for volume' }),
    aspects: z
      .array(AspectMove)
      .openapi({ description: `the aspects that moved most (by |pull|; by |shareChange| for volume), at most ${MAX_ASPECTS}` }),
    sources: z
      .array(SourceMove)
      .openapi({ description: "every source with mentions in either window, the largest contribution in the change's direction first" }),
    events: z.array(NearbyEvent).openapi({
      description: 'releases, incidents and notes of the entity or its parent from 2 days before the window to 2 days after it',
    }),
    summary: ExplanationSummary.nullable().openapi({
      description:
        'two sentences written by the LLM tier from `posts` only; null when no LLM endpoint is configured, its daily budget is spent, or its answer failed the checks',
    }),
    attribution: Attribution.nullable().openapi({
      description:
        'for a regression or a negativity spike: the layer likely to have changed (model, tool, quota, outage, or unclear when the evidence is thin), its confidence and the evidence (aspects and phrase families whose complaints rose, a version carrying them, incidents and releases near); null otherwise',
    }),
  })
  .openapi('Explanation');
