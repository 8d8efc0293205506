import { OpenAPIHono } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { etag } from 'hono/etag';
import { routePath } from 'hono/route';
import type { Kysely } from 'kysely';
import type { Logger } from '../config/logger.ts';
import type { Settings } from '../config/settings.ts';
import { ValidationError } from '../core/errors.ts';
import type { DB } from '../db/schema.ts';
import type { Metrics } from '../pipeline/metrics.ts';
import { describeValidationError, errorBody, respondWithError } from './errors.ts';
import { DEFAULT_RATE_LIMIT, rateLimit, type RateLimitOptions } from './rate-limit.ts';
import { createResponseCache } from './response-cache.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerInsightRoutes } from './routes/insights.ts';
import { registerEntityRoutes } from './routes/entities.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerDashboardRoutes } from './routes/dashboard.ts';
import { registerDocsRoutes } from './routes/docs.ts';
import { registerSourceRoutes } from './routes/sources.ts';

export interface AppDeps {
  db: Kysely<DB>;
  settings: Pick<Settings, 'adminToken' | 'corsOrigins'>;
  log: Pick<Logger, 'error' | 'info' | 'warn'>;
  /** The configured collectors, for GET /api/v1/sources. */
  sources: Array<{ name: string; enabled: boolean; intervalMs: number; skipReason: string | null }>;
  /** Whether the database is reachable and migrated (GET /ready). */
  checkReady: () => Promise<{ ready: boolean; reason?: string }>;
  /** Per-client limit on /api/* reads; 600 a minute when left out. */
  rateLimit?: RateLimitOptions;
  /** Seconds-long memory cache of successful /api/v1 reads; left out or 0: off. */
  responseCacheMs?: number;
  /** Serves GET /metrics (outside the /api/* limits) and times every request. */
  metrics?: Metrics;
}

export type App = OpenAPIHono;

export function createApp(deps: AppDeps): App {
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) return c.json(errorBody('invalid_parameter', describeValidationError(result.error.issues)), 400);
    },
  });

  app.onError((error, c) => respondWithError(c, error, deps.log));
  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404));

  const metrics = deps.metrics;
  if (metrics) {
    app.use('*', async (c, next) => {
      const started = performance.now();
      await next();
      const route = routePath(c, -1);
      metrics.httpSeconds.observe(
        { method: c.req.method, route: route === '*' || route === '/*' ? 'other' : route, status: String(c.res.status) },
        (performance.now() - started) / 1000,
      );
    });
    app.get('/metrics', async (c) => c.body(await metrics.render(), 200, { 'Content-Type': metrics.contentType }));
  }

  if (deps.settings.corsOrigins.length > 0) {
    app.use('/api/*', cors({ origin: deps.settings.corsOrigins, allowHeaders: ['Authorization', 'Content-Type'] }));
  }
  app.use('/api/*', rateLimit(deps.rateLimit ?? DEFAULT_RATE_LIMIT));
  app.use('/api/*', etag());
  if (deps.responseCacheMs) app.use('/api/v1/*', createResponseCache({ ttlMs: deps.responseCacheMs }).middleware);
  app.use('/api/*', async (c, next) => {
    await next();
    if (c.req.method === 'GET' && c.res.status === 200 && !c.res.headers.has('cache-control')) {
      c.header('Cache-Control', 'public, max-age=30');
    }
  });
  // A body that is not JSON never reaches a handler as something else.
  app.use('/api/*', async (c, next) => {
    if (c.req.method === 'POST' && !c.req.header('content-type')?.includes('application/json')) {
      throw new ValidationError('body: expected Content-Type application/json');
    }
    await next();
  });

  registerHealthRoutes(app, deps);
  registerEntityRoutes(app, deps);
  registerSourceRoutes(app, deps);
  registerInsightRoutes(app, deps);
  registerEventRoutes(app, deps);
  registerDocsRoutes(app);
  registerDashboardRoutes(app);
  return app;
}
