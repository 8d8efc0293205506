import { createRoute, z } from '@hono/zod-openapi';
import { getMentionCountsBySource, getSourceHealth } from '../../db/queries/runs.ts';
import type { App, RouteDeps } from '../app.ts';
import { errorResponses } from '../errors.ts';

export const SourceStatus = z
  .object({
    name: z.string(),
    enabled: z.boolean(),
    intervalSeconds: z.number().nullable(),
    skipReason: z.string().nullable().openapi({ description: 'why the source cannot run (missing credentials, nothing configured)' }),
    lastRunAt: z.string().nullable(),
    lastStatus: z.enum(['running', 'succeeded', 'failed', 'skipped']).nullable(),
    lastSuccessAt: z.string().nullable(),
    lastError: z.string().nullable(),
    lastErrorAt: z.string().nullable(),
    runs: z.number().int(),
    itemsCollected: z.number().int().openapi({ description: 'posts its collection runs stored' }),
    mentionsStored: z.number().int().openapi({ description: 'mentions of tracked entities from this source stored by any path (collection, backfill, import); a post naming two entities counts twice' }),
  })
  .openapi('SourceStatus');

export const SourceList = z
  .object({
    collection: z.boolean().openapi({ description: 'whether this server runs the collection schedule (false under serve --no-collect); with a PostgreSQL server, workers may run it too' }),
    items: z.array(SourceStatus),
  })
  .openapi('SourceList');

const iso = (date: Date | null): string | null => (date ? new Date(date).toISOString() : null);

export function registerSourceRoutes(app: App, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/sources',
      operationId: 'listSources',
      tags: ['sources'],
      summary: 'Each collector: enabled, skipped and why, last run, last success, last error, what it collected and what is stored from it by any path',
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
          mentionsStored: mentions.get(name) ?? 0,
        };
      });
      return c.json({ collection: deps.collecting ?? false, items }, 200);
    },
  );
}
