import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { compress } from 'hono/compress';
import { cors } from 'hono/cors';
import { etag } from 'hono/etag';
import { requestId } from 'hono/request-id';
import { matchedRoutes } from 'hono/route';
import type { Kysely } from 'kysely';
import type { Logger } from '../config/logger.ts';
import type { Settings } from '../config/settings.ts';
import type { DB } from '../db/schema.ts';
import type { Metrics } from '../pipeline/metrics.ts';
import type { SourcePreviewer } from '../pipeline/preview.ts';
import { createAllowedMethods } from './allowed-methods.ts';
import { describeValidationError } from '../core/errors.ts';
import { errorBody, respondMethodNotAllowed, respondWithError } from './errors.ts';
import { createHeavyReadGate, DEFAULT_HEAVY_READS, type HeavyReadGate, type HeavyReadOptions } from './heavy-reads.ts';
import { createClientIdentifier, DEFAULT_RATE_LIMIT, rateLimit, type RateLimitOptions } from './rate-limit.ts';
import { DEFAULT_AUTH_BACKOFF, privateAnswer, requireAdmin, type AuthBackoffOptions } from './auth.ts';
import { limitBodySize, refuseNulInQuery, requireJsonBody } from './request-input.ts';
import { createResponseCache } from './response-cache.ts';
import { securityHeaders } from './security-headers.ts';
import { registerAlertRoutes } from './routes/alerts.ts';
import { registerDigestRoutes } from './routes/digests.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerFlowRoutes } from './routes/flows.ts';
import { registerExplainRoutes } from './routes/explain.ts';
import { registerInsightRoutes } from './routes/insights.ts';
import { registerEntityRoutes } from './routes/entities.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { isDashboardPath, registerDashboardRoutes } from './routes/dashboard.ts';
import { registerDocsRoutes } from './routes/docs.ts';
import { registerSourceRoutes } from './routes/sources.ts';
import { registerVersionRoutes } from './routes/versions.ts';
import type { ExplanationSummarizer } from '../understand/summary/explanation-summary.ts';

export interface AppDeps {
  db: Kysely<DB>;
  settings: Pick<Settings, 'adminToken' | 'corsOrigins'> & Partial<Pick<Settings, 'trustProxy' | 'publicUrl' | 'smtp'>>;
  log: Pick<Logger, 'error' | 'info' | 'warn'>;
  /** The configured collectors, for GET /api/v1/sources. */
  sources: Array<{ name: string; enabled: boolean; intervalMs: number; skipReason: string | null }>;
  /** Polls a configured source once without storing (POST /api/v1/sources/{name}/preview); left out: every name is unknown. */
  previewSource?: SourcePreviewer;
  /** Whether this process runs the collection schedule (serve without --no-collect); false when left out. */
  collecting?: boolean;
  /** Whether the database is reachable and migrated (GET /ready). */
  checkReady: () => Promise<{ ready: boolean; reason?: string }>;
  /** Per-client limit on /api/* requests of every method; 600 a minute when left out. */
  rateLimit?: RateLimitOptions;
  /** Backoff per address after wrong admin tokens; DEFAULT_AUTH_BACKOFF when left out. */
  authBackoff?: AuthBackoffOptions;
  /** How many series, comparisons and exports run and wait at once; DEFAULT_HEAVY_READS when left out. */
  heavyReads?: HeavyReadOptions | HeavyReadGate;
  /** Seconds-long memory cache of successful /api/v1 reads; left out or 0: off. */
  responseCacheMs?: number;
  /** Serves GET /metrics (outside the /api/* limits) and times every request. */
  metrics?: Metrics;
  /** The LLM tier's two-sentence summaries of explanations; left out: explanations carry none. */
  summarizer?: ExplanationSummarizer;
}

/** What route modules receive: the app's dependencies and the guards every route of a kind shares. */
export interface RouteDeps extends AppDeps {
  /** An admin route without a body: the admin token (with its per-address backoff); the answer is private, never cached. */
  adminOnly: MiddlewareHandler[];
  /** Every write with a JSON body: adminOnly, then a JSON body check. */
  adminWrite: MiddlewareHandler[];
  heavyReads: HeavyReadGate;
}

export type App = OpenAPIHono;

/** The route pattern a request matched (`/api/v1/entities/:slug/sentiment`), or `other`: bounded labels for metrics. */
function routeLabel(c: Parameters<MiddlewareHandler>[0]): string {
  return matchedRoutes(c).findLast((route) => route.method !== 'ALL' && !route.path.includes('*'))?.path ?? 'other';
}

const gzip = compress();

/** Compresses answers (JSON, CSV, the dashboard's files) for clients that accept gzip or deflate, saying so in Vary. */
const compressResponses: MiddlewareHandler = async (c, next) => {
  await gzip(c, next);
  if (c.res.headers.has('Content-Encoding')) c.res.headers.append('Vary', 'Accept-Encoding');
};

export function createApp(deps: AppDeps): App {
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) return c.json(errorBody('invalid_parameter', describeValidationError(result.error.issues)), 400);
    },
  });
  // Who a request counts against, for the rate limit and the admin-token backoff alike.
  const identify = createClientIdentifier(deps.settings.trustProxy ?? []);
  const adminOnly = [requireAdmin(deps.settings.adminToken, { identify, ...(deps.authBackoff ?? DEFAULT_AUTH_BACKOFF) }), privateAnswer];
  const routeDeps: RouteDeps = {
    ...deps,
    adminOnly,
    adminWrite: [...adminOnly, requireJsonBody],
    heavyReads: deps.heavyReads && 'run' in deps.heavyReads ? deps.heavyReads : createHeavyReadGate(deps.heavyReads ?? DEFAULT_HEAVY_READS),
  };

  const allowedMethods = createAllowedMethods(() => app.routes);
  app.onError((error, c) =>
    respondWithError(c, error, { error: (obj, msg) => deps.log.error({ reqId: c.get('requestId'), ...obj }, msg) }),
  );
  app.notFound((c) => {
    const allowed = isDashboardPath(c.req.path) ? ['GET', 'HEAD'] : allowedMethods(c.req.path);
    if (allowed.length > 0) return respondMethodNotAllowed(c, allowed);
    return c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404);
  });

  // Outermost: every answer carries X-Request-Id (the caller's, when it sent a sane one) and one
  // access log line with it, so a user's report finds the server's lines.
  app.use('*', requestId({ limitLength: 64 }));
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    deps.log.info(
      {
        reqId: c.get('requestId'),
        method: c.req.method,
        route: routeLabel(c),
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  });

  const metrics = deps.metrics;
  if (metrics) {
    app.use('*', async (c, next) => {
      const started = performance.now();
      await next();
      metrics.httpSeconds.observe(
        { method: c.req.method, route: routeLabel(c), status: String(c.res.status) },
        (performance.now() - started) / 1000,
      );
    });
    app.get('/metrics', async (c) => c.body(await metrics.render(), 200, { 'Content-Type': metrics.contentType }));
  }
  // Outside everything below, so the page's CSP hashes, the ETags and the response cache all see the
  // plain body; ETags are weak because the gzip and plain answers are the same representation.
  app.use('*', compressResponses);
  app.use('*', securityHeaders());

  if (deps.settings.corsOrigins.length > 0) {
    app.use('/api/*', cors({ origin: deps.settings.corsOrigins, allowHeaders: ['Authorization', 'Content-Type'] }));
  }
  app.use('/api/*', rateLimit({ identify, ...(deps.rateLimit ?? DEFAULT_RATE_LIMIT) }));
  app.use('/api/*', limitBodySize);
  app.use('/api/*', refuseNulInQuery);
  app.use('/api/*', etag({ weak: true }));
  if (deps.responseCacheMs) app.use('/api/v1/*', createResponseCache({ ttlMs: deps.responseCacheMs }).middleware);
  app.use('/api/*', async (c, next) => {
    await next();
    if (c.req.method === 'GET' && c.res.status === 200 && !c.res.headers.has('cache-control')) {
      c.header('Cache-Control', 'public, max-age=30');
    }
  });

  registerHealthRoutes(app, routeDeps);
  registerEntityRoutes(app, routeDeps);
  registerSourceRoutes(app, routeDeps);
  registerInsightRoutes(app, routeDeps);
  registerVersionRoutes(app, routeDeps);
  registerEventRoutes(app, routeDeps);
  registerFlowRoutes(app, routeDeps);
  registerAlertRoutes(app, routeDeps);
  registerDigestRoutes(app, routeDeps);
  registerExplainRoutes(app, routeDeps);
  registerDocsRoutes(app);
  registerDashboardRoutes(app);
  return app;
}
