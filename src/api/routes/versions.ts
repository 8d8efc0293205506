import { createRoute, z } from '@hono/zod-openapi';
import { NotFoundError } from '../../core/errors.ts';
import { SourceName } from '../../core/post.ts';
import { planRange, planSeriesWindow } from '../../core/series-window.ts';
import { SeriesPoint } from '../../core/stats.ts';
import { Bucket, TimeZone } from '../../core/time-buckets.ts';
import { findEntity } from '../../db/queries/entities.ts';
import type { App, RouteDeps } from '../app.ts';
import { errorResponses, json } from '../errors.ts';
import {
  BucketStartField,
  EntitySlugField,
  EntitySlugParam,
  EventIdField,
  EventTimeField,
  EventTitleField,
  EventUrlField,
  IsoInstant,
  SourceFilterField,
  WindowFromField,
  WindowToField,
} from '../schemas.ts';
import { buildVersionBreakdown } from '../views/versions.ts';

const param = (name: string, description: string, example?: string) => ({ param: { name, in: 'query' as const }, description, example });

export const VersionsQuery = z.object({
  from: IsoInstant.optional().openapi(param('from', 'start of the window (default: 30 days before to)', '2026-01-01')),
  to: IsoInstant.optional().openapi(param('to', 'end of the window, exclusive (default: now)', '2026-02-01')),
  source: SourceName.optional().openapi(param('source', 'only mentions from this source', 'reddit')),
  bucket: Bucket.optional().openapi(param('bucket', "with it, each version's series in buckets of this size; without it, none")),
  tz: TimeZone.optional().openapi(param('tz', 'IANA time zone for day, week and month boundaries (default UTC)', 'Europe/Berlin')),
});

const Release = z
  .object({ id: EventIdField, title: EventTitleField, url: EventUrlField, occurredAt: EventTimeField })
  .openapi('VersionRelease', { description: 'the earliest release event of the entity whose title names the version: when it arrived' });

export const VersionRow = SeriesPoint.extend({
  version: z
    .string()
    .openapi({ description: 'normalised: a model generation ("4.5", "5.1", "v3.1", "r1") or a client release ("2.0.55")', example: '4.5' }),
  share: z.number().nullable().openapi({ description: "this version's mentions over the window's mentions that name a version" }),
  firstSeen: z.string().nullable().openapi({ description: 'the first mention naming this version, at any time' }),
  lastSeen: z.string().nullable().openapi({ description: 'the last mention naming this version, at any time' }),
  release: Release.nullable(),
  series: z
    .array(SeriesPoint.extend({ bucketStart: BucketStartField }))
    .nullable()
    .openapi({
      description:
        'with bucket: the mentions of [from, to) per bucket (those before the first bucket start count in the first), adding up to the row; else null',
    }),
}).openapi('VersionRow');

export const VersionBreakdown = z
  .object({
    entity: EntitySlugField,
    from: WindowFromField,
    to: WindowToField,
    source: SourceFilterField,
    bucket: Bucket.nullable().describe('the bucket size of the series; null when none was asked for'),
    tz: z.string().nullable().openapi({ description: 'the IANA time zone of the bucket boundaries; null without bucket' }),
    n: z.number().int().openapi({ description: "the entity's mentions in [from, to)" }),
    versionedN: z.number().int().openapi({ description: 'those that name a version: the sum of the rows' }),
    unversioned: SeriesPoint.extend({}).openapi({ description: 'the mentions that name no version' }),
    items: z.array(VersionRow).openapi({ description: 'one row per version, newest version first' }),
  })
  .openapi('VersionBreakdown');

export function registerVersionRoutes(app: App, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/entities/{slug}/versions',
      operationId: 'getVersionBreakdown',
      tags: ['series'],
      summary:
        'Sentiment per named version in exactly [from, to): counts, mean score with its 95% interval, first and last seen, the release that marks its arrival; per-bucket series with bucket',
      request: { params: EntitySlugParam, query: VersionsQuery },
      responses: {
        200: { description: 'the versions of the window', content: json(VersionBreakdown) },
        ...errorResponses(400, 404, 429, 503),
      },
    }),
    async (c) => {
      const slug = c.req.valid('param').slug;
      const entity = await findEntity(deps.db, slug);
      if (!entity) throw new NotFoundError(`no entity with slug "${slug}"`);
      const query = c.req.valid('query');
      const now = new Date();
      // A bad window or bucket is refused before the request waits for a heavy-read slot.
      if (query.bucket === undefined) planRange(query, now);
      else planSeriesWindow(query, now);
      return deps.heavyReads.run(async () => c.json(await buildVersionBreakdown(deps.db, entity, query, now), 200));
    },
  );
}
