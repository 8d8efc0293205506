import { createRoute, z } from '@hono/zod-openapi';
import { getSourceHealth } from '../../db/queries/runs.ts';
import type { App, RouteDeps } from '../app.ts';
import { errorResponses } from '../errors.ts';

const SourceStatus = z
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
    itemsCollected: z.number().int(),
  })
  .openapi('SourceStatus');

const iso = (date: Date | null): string | null => (date ? new Date(date).toISOString() : null);

export function registerSourceRoutes(app: App, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/sources',
      tags: ['sources'],
      summary: 'Each collector: enabled, last run, last success, last error, items collected',
      responses: {
        200: { description: 'sources', content: { 'application/json': { schema: z.object({ items: z.array(SourceStatus) }) } } },
        ...errorResponses(429),
      },
    }),
    async (c) => {
      const health = new Map((await getSourceHealth(deps.db)).map((h) => [h.source, h]));
      const names = [...new Set([...deps.sources.map((s) => s.name), ...health.keys()])];
      const items = names.map((name) => {
        const configured = deps.sources.find((s) => s.name === name);
        const h = health.get(name);
        return {
          name,
          enabled: configured?.enabled ?? false,
          intervalSeconds: configured ? Math.round(configured.intervalMs / 1000) : null,
          skipReason: configured?.skipReason ?? null,
          lastRunAt: iso(h?.lastRunAt ?? null),
          lastStatus: h?.lastStatus ?? null,
          lastSuccessAt: iso(h?.lastSuccessAt ?? null),
          lastError: h?.lastError ?? null,
          lastErrorAt: iso(h?.lastErrorAt ?? null),
          runs: h?.runs ?? 0,
          itemsCollected: h?.itemsStored ?? 0,
        };
      });
      return c.json({ items }, 200);
    },
  );
}
