import { createRoute, z } from '@hono/zod-openapi';
import { NotFoundError } from '../../core/errors.ts';
import { SourceName } from '../../core/post.ts';
import { SentimentLabel } from '../../core/stats.ts';
import { planRange, planSeriesWindow } from '../../core/series-window.ts';
import { Bucket, TimeZone } from '../../core/time-buckets.ts';
import { listEntities, type EntityRecord } from '../../db/queries/entities.ts';
import type { App, RouteDeps } from '../app.ts';
import { errorResponses, json } from '../errors.ts';
import {
  AspectNameField,
  BucketField,
  BucketStartField,
  IsoInstant,
  NextCursorField,
  PostItem,
  SourceFilterField,
  TzField,
  WindowFromField,
  WindowToField,
} from '../schemas.ts';
import { buildFlowMatrix, buildFlowPostPage, NET_PAIRS } from '../views/flows.ts';

const param = (name: string, description: string, example?: string) => ({ param: { name, in: 'query' as const }, description, example });
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

const FlowKindName = z.enum(['switch', 'return', 'adds']).openapi('FlowKind', {
  description:
    'switch: moved from `from` to `to` (either may be null: untracked or unnamed); return: went back to `to`; adds: added `to` next to a kept `from`',
});

const From = IsoInstant.optional().openapi(param('from', 'start of the window (default: 30 days before to)', '2026-01-01'));
const To = IsoInstant.optional().openapi(param('to', 'end of the window, exclusive (default: now)', '2026-02-01'));
const Source = SourceName.optional().openapi(param('source', 'only flows stated in posts from this source', 'reddit'));
const EntityParam = z
  .string()
  .regex(SLUG, 'expected an entity slug')
  .optional()
  .openapi(param('entity', 'only flows with this entity on either side', 'cursor'));
/** A flow side: an entity slug, or `none` for the untracked or unnamed side. */
const Side = (name: string, what: string) =>
  z
    .string()
    .regex(SLUG, 'expected an entity slug, or none')
    .optional()
    .openapi(
      param(
        name,
        `only flows ${what} this entity; \`none\` for flows whose ${what === 'from' ? 'origin' : 'destination'} is untracked or unnamed`,
        'cursor',
      ),
    );

const TIERS = ['rules', 'llm'] as const;
const FlowTierName = z.enum(TIERS).openapi('FlowTier', {
  description:
    "which tier read a flow: rules (the word rules), or llm (the optional LLM tier, asked about posts with a movement cue or a rules flow when LLM_BASE_URL is set; it replaced the rules' flows of the post)",
});
const Tier = FlowTierName.optional().openapi(param('tier', 'only flows read by this tier (default: both)', 'llm'));

export const FlowsQuery = z.object({
  from: From,
  to: To,
  bucket: Bucket.optional().openapi(param('bucket', 'bucket of the net series (default week)')),
  tz: TimeZone.optional().openapi(param('tz', 'IANA time zone for day, week and month boundaries (default UTC)', 'Europe/Berlin')),
  entity: EntityParam,
  source: Source,
  tier: Tier,
});

export const FlowPostsQuery = z.object({
  from: From,
  to: To,
  from_entity: Side('from_entity', 'from'),
  to_entity: Side('to_entity', 'to'),
  kind: FlowKindName.optional().openapi(param('kind', 'only flows of this kind')),
  reason: z
    .string()
    .regex(/^[a-z_]{1,40}$/, 'expected an aspect name such as cost')
    .optional()
    .openapi(param('reason', 'only flows given this reason (an aspect name)', 'cost')),
  entity: EntityParam,
  source: Source,
  tier: Tier,
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,200}$/, 'expected a cursor returned as nextCursor')
    .optional()
    .openapi(param('cursor', 'nextCursor of the previous page')),
  limit: z.coerce.number().int().min(1).max(100).default(25).openapi(param('limit', 'items per page, 1-100 (default 25)')),
});

const NetFigures = {
  aToB: z.number().int().openapi({ description: 'moves (switch or return) from a to b' }),
  bToA: z.number().int().openapi({ description: 'moves from b to a' }),
  n: z.number().int().openapi({ description: 'aToB + bToA' }),
  net: z.number().int().openapi({ description: 'aToB - bToA: positive when b gains' }),
  share: z.number().nullable().openapi({ description: "aToB / n: the share of the pair's moves that go a -> b; null when n = 0" }),
  shareLow: z.number().nullable().openapi({ description: 'lower bound of the 95% Wilson score interval of share; null when n = 0' }),
  shareHigh: z.number().nullable().openapi({ description: 'upper bound of the 95% Wilson score interval of share; null when n = 0' }),
  netLow: z.number().nullable().openapi({ description: 'the Wilson interval carried to the net: n x (2 x shareLow - 1); null when n = 0' }),
  netHigh: z.number().nullable().openapi({ description: 'n x (2 x shareHigh - 1); null when n = 0' }),
  significant: z.boolean().openapi({ description: 'the 95% interval of share excludes 0.5' }),
};

export const FlowMatrix = z
  .object({
    from: WindowFromField,
    to: WindowToField,
    bucket: BucketField,
    tz: TzField,
    source: SourceFilterField,
    entity: z.string().nullable().openapi({ description: 'the entity on either side of every flow counted, or null for all flows' }),
    tier: z.enum(TIERS).nullable().openapi({ description: 'the tier every flow counted was read by, or null for both' }),
    items: z
      .array(
        z.object({
          from: z.string().nullable().openapi({ description: 'entity slug moved away from, or null (untracked or unnamed)' }),
          to: z.string().nullable().openapi({ description: 'entity slug moved to, or null (untracked or unnamed)' }),
          kind: FlowKindName,
          n: z.number().int().openapi({ description: 'flows in exactly [from, to); a post states a given (from, to, kind) at most once' }),
          llm: z.number().int().openapi({ description: 'of n, the flows read by the LLM tier (the rest were read by the rules)' }),
          reasons: z
            .array(z.object({ aspect: AspectNameField, n: z.number().int().openapi({ description: 'flows given this reason' }) }))
            .openapi({ description: 'the reasons given (aspect names), most frequent first; their n plus noReason is the item n' }),
          noReason: z.number().int().openapi({ description: 'flows stated without a reason' }),
        }),
      )
      .openapi({ description: 'one item per (from, to, kind) with flows in the window, most flows first' }),
    net: z
      .array(
        z.object({
          a: z.string().openapi({ description: 'the pair, a before b alphabetically' }),
          b: z.string().openapi({ description: 'the other entity of the pair' }),
          ...NetFigures,
          series: z
            .array(z.object({ bucketStart: BucketStartField, ...NetFigures }))
            .openapi({ description: 'every bucket of the window, oldest first' }),
        }),
      )
      .openapi({ description: `net moves between two tracked entities, for the ${NET_PAIRS} pairs with the most moves` }),
  })
  .openapi('FlowMatrix');

/** A post shown for one flow statement: the mention fields are the statement's, the sentiment the post's own. */
export const FlowPostItem = PostItem.extend({
  direct: z.boolean().openapi({ description: 'always true here' }),
  label: SentimentLabel.describe("the post's overall sentiment, not toward one entity; neutral when it has none"),
  score: z.number().openapi({ description: "the post's overall sentiment score, in [-1, 1]; 0 when it has none" }),
  confidence: z.number().openapi({ description: "the model's confidence in label, in [0, 1]; 0 when the post has no sentiment" }),
  sentimentTier: z.enum(['local', 'llm']).openapi({ description: 'always local here' }),
  matchedText: z.string().openapi({ description: 'the words of the flow statement, as flow.evidence' }),
  aspects: z.array(PostItem.shape.aspects.element).openapi({ description: 'always empty here' }),
  flow: z
    .object({
      from: z.string().nullable().openapi({ description: 'entity slug moved away from, or null (untracked or unnamed)' }),
      to: z.string().nullable().openapi({ description: 'entity slug moved to, or null (untracked or unnamed)' }),
      kind: FlowKindName,
      reason: z.string().nullable().openapi({ description: 'the reason given (an aspect name), or null for none' }),
      evidence: z.string().openapi({ description: 'the words of the statement; start and end locate them as they locate a mention' }),
      confidence: z.number().openapi({ description: 'how sure the extraction is that the words state this flow, in [0, 1]' }),
      tier: FlowTierName,
    })
    .openapi({ description: 'the flow statement the post is shown for' }),
}).openapi('FlowPostItem');

export const FlowPostPage = z
  .object({
    items: z.array(FlowPostItem).openapi({ description: 'the posts behind the flows asked for, newest post first, once per flow stated' }),
    nextCursor: NextCursorField,
  })
  .openapi('FlowPostPage');

export function registerFlowRoutes(app: App, deps: RouteDeps): void {
  /** The tracked entities, and the one a slug names (404 when none); `none` is the untracked side. */
  const resolve = async (slugs: Array<{ name: string; value: string | undefined; none?: boolean }>) => {
    const entities = await listEntities(deps.db);
    const bySlug = new Map(entities.map((e) => [e.slug, e]));
    const found = slugs.map(({ value, none }): EntityRecord | null | undefined => {
      if (value === undefined) return undefined;
      if (none && value === 'none') return null;
      const entity = bySlug.get(value);
      if (!entity) throw new NotFoundError(`no entity with slug "${value}"`);
      return entity;
    });
    return { entities, found };
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/flows',
      operationId: 'listFlows',
      tags: ['flows'],
      summary:
        'Switching flows between entities in exactly [from, to): per (from, to, kind) the count and the reasons given, and per pair of tracked entities the net moves per bucket with a 95% Wilson interval on the share of moves going a -> b',
      request: { query: FlowsQuery },
      responses: { 200: { description: 'the flows', content: json(FlowMatrix) }, ...errorResponses(400, 404, 429, 503) },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const now = new Date();
      planSeriesWindow({ ...query, bucket: query.bucket ?? 'week' }, now, NET_PAIRS);
      const { entities, found } = await resolve([{ name: 'entity', value: query.entity }]);
      return deps.heavyReads.run(async () => c.json(await buildFlowMatrix(deps.db, entities, query, found[0] ?? null, now), 200));
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/flows/posts',
      operationId: 'listFlowPosts',
      tags: ['flows', 'posts'],
      summary:
        'The posts behind a flow figure, newest first: the same window, source and entity filters as /api/v1/flows, narrowed to one cell with from_entity, to_entity and kind',
      request: { query: FlowPostsQuery },
      responses: { 200: { description: 'one page', content: json(FlowPostPage) }, ...errorResponses(400, 404, 429) },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const { from, to } = planRange(query);
      const { entities, found } = await resolve([
        { name: 'from_entity', value: query.from_entity, none: true },
        { name: 'to_entity', value: query.to_entity, none: true },
        { name: 'entity', value: query.entity },
      ]);
      const [fromEntity, toEntity, entity] = found;
      const page = await buildFlowPostPage(deps.db, entities, {
        from,
        to,
        source: query.source,
        entityId: entity?.id,
        fromEntity,
        toEntity,
        kind: query.kind,
        reason: query.reason,
        tier: query.tier,
        cursor: query.cursor,
        limit: query.limit,
      });
      return c.json(page, 200);
    },
  );
}
