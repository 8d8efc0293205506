import { createRoute, z } from '@hono/zod-openapi';
import { VIBECHECK_VERSION } from '../../core/version.ts';
import type { App, RouteDeps } from '../app.ts';

const Health = z
  .object({
    status: z.literal('ok').openapi({ description: 'always ok: the process is running and answers' }),
    version: z.string().openapi({ description: 'the VibeCheck release this process runs' }),
  })
  .openapi('Health');
const Ready = z
  .object({
    status: z
      .enum(['ready', 'unavailable'])
      .openapi({ description: 'ready: the database answers and every migration is applied; unavailable otherwise' }),
    reason: z.string().optional().openapi({
      description: "why not ready ('database unavailable', or how many migrations are not applied); absent when ready",
    }),
  })
  .openapi('Ready');

export function registerHealthRoutes(app: App, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      operationId: 'getHealth',
      tags: ['health'],
      summary: 'The process is running',
      responses: { 200: { description: 'alive', content: { 'application/json': { schema: Health } } } },
    }),
    (c) => c.json({ status: 'ok' as const, version: VIBECHECK_VERSION }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/ready',
      operationId: 'getReady',
      tags: ['health'],
      summary: 'The database is reachable and migrated',
      responses: {
        200: { description: 'ready', content: { 'application/json': { schema: Ready } } },
        503: { description: 'not ready', content: { 'application/json': { schema: Ready } } },
      },
    }),
    async (c) => {
      // The database's own error text stays in the log: it can name hosts, users and schemas.
      const state = await deps.checkReady().catch((error: unknown) => {
        deps.log.warn({ err: error }, 'readiness check failed');
        return { ready: false, reason: 'database unavailable' };
      });
      return state.ready
        ? c.json({ status: 'ready' as const }, 200)
        : c.json({ status: 'unavailable' as const, reason: state.reason ?? 'not ready' }, 503);
    },
  );
}
