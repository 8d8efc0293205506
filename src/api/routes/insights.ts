import { createRoute } from '@hono/zod-openapi';
import { NotFoundError } from '../../core/errors.ts';
import { planRange, planSeriesWindow, type SeriesWindowInput } from '../../core/series-window.ts';
import { findEntity, listEntities, type EntityRecord } from '../../db/queries/entities.ts';
import type { App, RouteDeps } from '../app.ts';
import { errorResponses, json } from '../errors.ts';
import {
  AspectBreakdown,
  AspectsQuery,
  Breakdown,
  BreakdownQuery,
  CompareQuery,
  CompareResult,
  EntityExport,
  EntitySlugParam,
  ExportQuery,
  PostPage,
  PostsQuery,
  SentimentSeries,
  SeriesQuery,
} from '../schemas.ts';
import { buildAspectBreakdown } from '../views/aspects.ts';
import { buildEntityExport, toExportCsv } from '../views/export.ts';
import { buildPostPage } from '../views/posts.ts';
import { buildBreakdown, buildComparison, buildSentimentSeries } from '../views/series.ts';

const errors = errorResponses(400, 404, 429);
/** Answers whose size grows with the window also wait for a heavy-read slot, or get 503. */
const heavyErrors = errorResponses(400, 404, 429, 503);

/** Refuses an oversized or malformed window before the request waits for a heavy-read slot; the time it planned for. */
function checkWindow(query: SeriesWindowInput, series = 1): Date {
  const now = new Date();
  planSeriesWindow(query, now, series);
  return now;
}

async function requireEntity(deps: RouteDeps, slug: string): Promise<EntityRecord> {
  const entity = await findEntity(deps.db, slug);
  if (!entity) throw new NotFoundError(`no entity with slug "${slug}"`);
  return entity;
}

export function registerInsightRoutes(app: App, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/entities/{slug}/sentiment',
      operationId: 'getSentimentSeries',
      tags: ['series'],
      summary: 'Sentiment series: every bucket present (n = 0 when empty), with 95% intervals, and the events of the window',
      request: { params: EntitySlugParam, query: SeriesQuery },
      responses: { 200: { description: 'the series', content: json(SentimentSeries) }, ...heavyErrors },
    }),
    async (c) => {
      const entity = await requireEntity(deps, c.req.valid('param').slug);
      const query = c.req.valid('query');
      const now = checkWindow(query);
      return deps.heavyReads.run(async () => c.json(await buildSentimentSeries(deps.db, entity, query, now), 200));
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/entities/{slug}/breakdown',
      operationId: 'getBreakdown',
      tags: ['series'],
      summary:
        'Mentions in exactly [from, to), in total and per source (adding up to the total) or per aspect, each with the statistics of a series point and its change',
      request: { params: EntitySlugParam, query: BreakdownQuery },
      responses: { 200: { description: 'the window per source or aspect', content: json(Breakdown) }, ...heavyErrors },
    }),
    async (c) => {
      const entity = await requireEntity(deps, c.req.valid('param').slug);
      const query = c.req.valid('query');
      const now = new Date();
      planRange(query, now);
      return deps.heavyReads.run(async () => c.json(await buildBreakdown(deps.db, entity, query, now), 200));
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/entities/{slug}/aspects',
      operationId: 'getAspects',
      tags: ['series'],
      summary: 'Per aspect: counts, mean score with its interval, and the change against the previous window of the same length',
      request: { params: EntitySlugParam, query: AspectsQuery },
      responses: { 200: { description: 'aspect scores', content: json(AspectBreakdown) }, ...errors },
    }),
    async (c) => {
      const entity = await requireEntity(deps, c.req.valid('param').slug);
      return c.json(await buildAspectBreakdown(deps.db, entity, c.req.valid('query')), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/entities/{slug}/posts',
      operationId: 'listPosts',
      tags: ['posts'],
      summary: 'Posts mentioning the entity, newest first; the cursor stays valid while new posts arrive',
      request: { params: EntitySlugParam, query: PostsQuery },
      responses: { 200: { description: 'one page', content: json(PostPage) }, ...errors },
    }),
    async (c) => {
      const entity = await requireEntity(deps, c.req.valid('param').slug);
      const query = c.req.valid('query');
      const { from, to } = planRange(query);
      return c.json(await buildPostPage(deps.db, { ...query, entityId: entity.id, from, to }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/compare',
      operationId: 'compareEntities',
      tags: ['series'],
      summary: 'Aligned series of 2 to 6 entities with share of voice per bucket and overall (at most 5,000 points: buckets x entities)',
      request: { query: CompareQuery },
      responses: { 200: { description: 'the comparison', content: json(CompareResult) }, ...heavyErrors },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const known = new Map((await listEntities(deps.db)).map((e) => [e.slug, e]));
      const missing = query.entities.filter((slug) => !known.has(slug));
      if (missing.length > 0) throw new NotFoundError(`no entity with slug ${missing.map((s) => `"${s}"`).join(', ')}`);
      const entities = query.entities.map((slug) => known.get(slug)!);
      const now = checkWindow(query, entities.length);
      return deps.heavyReads.run(async () => c.json(await buildComparison(deps.db, entities, query, now), 200));
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/entities/{slug}/export',
      operationId: 'exportEntity',
      tags: ['export'],
      summary: 'Series and posts of one entity as JSON, or as one CSV table (RFC 4180) with a record column',
      request: { params: EntitySlugParam, query: ExportQuery },
      responses: {
        200: { description: 'the export', content: { ...json(EntityExport), 'text/csv': { schema: { type: 'string' } } } },
        ...heavyErrors,
      },
    }),
    async (c) => {
      const entity = await requireEntity(deps, c.req.valid('param').slug);
      const query = c.req.valid('query');
      const now = checkWindow(query);
      return deps.heavyReads.run(async () => {
        const data = await buildEntityExport(deps.db, entity, query, now);
        if (query.format === 'json') return c.json(data, 200);
        c.header('Content-Disposition', `attachment; filename="${entity.slug}.csv"`);
        return c.body(toExportCsv(data), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
      });
    },
  );
}
