import { createRoute, z } from '@hono/zod-openapi';
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import { getMentionCountsBySource, getSourceHealth } from '../../db/queries/runs.ts';
import type { App, RouteDeps } from '../app.ts';
import { errorResponses, json } from '../errors.ts';
import { instant, nullableInstant } from '../schemas.ts';

const mentionDay = (which: 'oldest' | 'newest', example: string) =>
  z
    .string()
    .nullable()
    .openapi({ description: `the UTC day (YYYY-MM-DD) of the ${which} stored mention from this source; null when none is`, example });

export const SourceStatus = z
  .object({
    name: z.string().openapi({ description: 'the source name, as posts and filters name it', example: 'hn' }),
    enabled: z.boolean().openapi({
      description:
        'whether the configuration turns it on here (it may still be skipped: see skipReason); false for a source this server has no collector for',
    }),
    intervalSeconds: z
      .number()
      .nullable()
      .openapi({ description: 'seconds between scheduled runs; null for a source this server has no collector for' }),
    skipReason: z.string().nullable().openapi({ description: 'why the source cannot run (missing credentials, nothing configured)' }),
    lastRunAt: nullableInstant('when its latest run started; null when it never ran'),
    lastStatus: z
      .enum(['running', 'succeeded', 'failed', 'skipped'])
      .nullable()
      .openapi({ description: 'the status of its latest run; null when it never ran' }),
    lastSuccessAt: nullableInstant('when its latest successful run finished; null when none succeeded'),
    lastError: z.string().nullable().openapi({ description: 'the cause recorded by its latest failed run; null when none failed' }),
    lastErrorAt: nullableInstant('when its latest failed run finished; null when none failed'),
    runs: z.number().int().openapi({ description: 'collection runs recorded (polls and backfills, whatever their status)' }),
    itemsCollected: z.number().int().openapi({ description: 'posts its collection runs stored' }),
    mentionsStored: z.number().int().openapi({
      description:
        'mentions of tracked entities from this source stored by any path (collection, backfill, import); a post naming two entities counts twice',
    }),
    firstMentionDay: mentionDay('oldest', '2025-01-31'),
    lastMentionDay: mentionDay('newest', '2026-03-01'),
  })
  .openapi('SourceStatus');

export const SourceList = z
  .object({
    collection: z.boolean().openapi({
      description:
        'whether this server runs the collection schedule (false under serve --no-collect); with a PostgreSQL server, workers may run it too',
    }),
    items: z
      .array(SourceStatus)
      .openapi({ description: 'every source this server has a collector for, and any other with runs or mentions stored' }),
  })
  .openapi('SourceList');

/** How many items a preview may ask for, and how long it may fetch. */
export const PREVIEW_MAX_ITEMS = 50;
export const PREVIEW_TIMEOUT_MS = 30_000;

const PreviewBody = z
  .object({
    query: z.string().trim().min(1).max(200).optional().openapi({ description: 'look for this text instead of the tracked entities' }),
    limit: z
      .number()
      .int()
      .min(1)
      .max(PREVIEW_MAX_ITEMS)
      .default(20)
      .openapi({ description: `at most this many items (1-${PREVIEW_MAX_ITEMS}); fetching stops once they are in hand` }),
  })
  .strict()
  .openapi('SourcePreviewRequest');

export const PreviewItem = z
  .object({
    externalId: z.string().openapi({ description: "the item's id at the source" }),
    url: z.string().nullable().openapi({ description: 'the link to the item, or null' }),
    title: z.string().nullable().openapi({ description: 'its title; null for an item without one' }),
    body: z.string().openapi({ description: 'its text' }),
    createdAt: instant('when it was written, as the source dates it'),
    author: z.string().nullable().openapi({ description: "the author's name at the source, or null" }),
    entities: z.array(z.string()).openapi({ description: 'slugs of the tracked entities the item names' }),
    kind: z.enum(['post', 'event', 'ignored']).openapi({
      description: 'post: a collection would store it; event: recorded as a release or incident only; ignored: read, but neither',
    }),
    event: z
      .string()
      .nullable()
      .openapi({ description: 'the kind of event (release or incident) the item records, whatever kind the item is; null for none' }),
    feed: z.string().nullable().openapi({ description: 'the feed an rss item came from; null for other sources' }),
  })
  .openapi('SourcePreviewItem');

export const SourcePreview = z
  .object({
    source: z.string().openapi({ description: 'the source tested' }),
    items: z.array(PreviewItem).openapi({ description: 'every item read, in the order the source gave them, at most limit' }),
    errors: z
      .array(
        z.object({
          where: z.string().openapi({ description: 'the feed, forum, instance or query that failed, or the source name' }),
          message: z.string().openapi({ description: 'what went wrong' }),
        }),
      )
      .openapi({ description: 'the failures of the poll; empty when it succeeded' }),
    rejected: z
      .array(
        z.object({
          where: z.string().openapi({ description: 'the feed, or the query (search, forum, instance), whose answer held the item' }),
          externalId: z.string().nullable().openapi({ description: "the item's id at the source, when it could be read" }),
          reason: z.string().openapi({ description: 'why the item could not be used' }),
        }),
      )
      .openapi({ description: 'items read but refused: a collection would skip them' }),
  })
  .openapi('SourcePreview');

const SourceNameParam = z.object({
  name: z
    .string()
    .min(1)
    .max(40)
    .openapi({ param: { name: 'name', in: 'path' }, example: 'hn' }),
});

const iso = (date: Date | null): string | null => (date ? new Date(date).toISOString() : null);

export function registerSourceRoutes(app: App, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/sources',
      operationId: 'listSources',
      tags: ['sources'],
      summary:
        'Each collector: enabled, skipped and why, last run, last success, last error, what it collected and what is stored from it by any path',
      responses: {
        200: {
          description: 'sources',
          content: {
            'application/json': {
              schema: SourceList,
            },
          },
        },
        ...errorResponses(429),
      },
    }),
    async (c) => {
      const [healthRows, mentions] = await Promise.all([getSourceHealth(deps.db), getMentionCountsBySource(deps.db)]);
      const health = new Map(healthRows.map((h) => [h.source, h]));
      const names = [...new Set([...deps.sources.map((s) => s.name), ...health.keys(), ...mentions.keys()])];
      const items = names.map((name) => {
        const configured = deps.sources.find((s) => s.name === name);
        const h = health.get(name);
        const stored = mentions.get(name);
        return {
          name,
          enabled: configured?.enabled ?? false,
          intervalSeconds: configured ? Math.round(configured.intervalMs / 1000) : null,
          skipReason: configured?.skipReason ?? (h?.lastStatus === 'skipped' ? h.lastSkipReason : null),
          lastRunAt: iso(h?.lastRunAt ?? null),
          lastStatus: h?.lastStatus ?? null,
          lastSuccessAt: iso(h?.lastSuccessAt ?? null),
          lastError: h?.lastError ?? null,
          lastErrorAt: iso(h?.lastErrorAt ?? null),
          runs: h?.runs ?? 0,
          itemsCollected: h?.itemsStored ?? 0,
          mentionsStored: stored?.n ?? 0,
          firstMentionDay: stored?.firstDay ?? null,
          lastMentionDay: stored?.lastDay ?? null,
        };
      });
      return c.json({ collection: deps.collecting ?? false, items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/sources/{name}/preview',
      operationId: 'previewSource',
      tags: ['sources'],
      summary: `Test a source (admin token): one poll as its schedule would run it now, over the tracked entities, every item read with the entities it names and what a collection would make of it; nothing is stored. Fetching stops after ${PREVIEW_TIMEOUT_MS / 1000} s`,
      security: [{ adminToken: [] }],
      middleware: deps.adminWrite,
      request: { params: SourceNameParam, body: { content: json(PreviewBody), required: true } },
      responses: {
        200: { description: 'what the source returns now; failures are in errors', content: json(SourcePreview) },
        ...errorResponses(400, 401, 403, 413, 429),
        404: { ...errorResponses(404)[404], description: 'no such source' },
        409: {
          ...errorResponses(409)[409],
          description: 'the source cannot run here (missing credentials, nothing configured); the message says why',
        },
      },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      const { query, limit } = c.req.valid('json');
      const timeout = AbortSignal.timeout(PREVIEW_TIMEOUT_MS);
      const outcome = deps.previewSource
        ? await deps.previewSource(name, { query, limit, signal: AbortSignal.any([timeout, c.req.raw.signal]) })
        : ({ status: 'unknown' } as const);
      if (outcome.status === 'unknown') throw new NotFoundError(`no source named "${name}" on this server`);
      if (outcome.status === 'skipped') throw new ConflictError(`cannot test ${name}: ${outcome.reason}`);
      const { result } = outcome;
      const errors = timeout.aborted
        ? result.errors.map((e) =>
            e.message === 'interrupted'
              ? { ...e, message: `stopped after ${PREVIEW_TIMEOUT_MS / 1000} s; the items read until then are shown` }
              : e,
          )
        : result.errors;
      deps.log.info({ source: name, items: result.items.length, errors: errors.length }, 'source previewed');
      return c.json({ source: name, items: result.items, errors, rejected: result.rejected }, 200);
    },
  );
}
