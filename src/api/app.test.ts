import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/client.ts';
import { createMetrics } from '../pipeline/metrics.ts';
import { migrate } from '../db/migrate.ts';
import { seedEntities } from '../pipeline/entities.ts';
import { checkReady } from '../pipeline/runtime.ts';
import { createDataDir } from '../../test/support/databases.ts';
import { VIBECHECK_VERSION } from '../core/version.ts';
import { createApp, type App, type AppDeps } from './app.ts';
import { SILENT_LOG } from '../../test/support/admin-app.ts';

const ADMIN = 'test-admin-token-123';
let database: Database;
let app: App;
let dataDir: ReturnType<typeof createDataDir>;

beforeAll(async () => {
  dataDir = createDataDir({ cluster: true });
  database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
  await migrate(database.db);
  await seedEntities(database.db);
  app = createApp({
    db: database.db,
    settings: { adminToken: ADMIN, corsOrigins: ['https://dash.example'] },
    log: SILENT_LOG,
    sources: [],
    checkReady: () => checkReady(database),
  });
});
afterAll(async () => {
  await database.close();
  dataDir.remove();
});

const post = (body: unknown, token?: string) =>
  app.request('/api/v1/entities', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

describe('health', () => {
  it('GET /health answers ok', async () => {
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', version: VIBECHECK_VERSION });
  });

  it('GET /ready is 200 when migrated and 503 when the check fails, logging the cause but never answering it', async () => {
    expect((await app.request('/ready')).status).toBe(200);
    const logged: unknown[] = [];
    const broken = createApp({
      db: database.db,
      settings: { adminToken: ADMIN, corsOrigins: [] },
      log: { ...SILENT_LOG, warn: (obj: unknown) => logged.push(obj) },
      sources: [],
      checkReady: () => Promise.reject(new Error('password authentication failed for user "vibecheck" at db.internal:5432')),
    });
    const res = await broken.request('/ready');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', reason: 'database unavailable' });
    expect(logged).toEqual([{ err: expect.objectContaining({ message: expect.stringContaining('password authentication failed') }) }]);
  });
});

describe('entities', () => {
  it('lists at least 40 entities with parent slugs and a summary', async () => {
    const res = await app.request('/api/v1/entities');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: Array<{ slug: string; parent: string | null; summary: { n: number } }> };
    expect(body.items.length).toBeGreaterThanOrEqual(40);
    expect(body.items.find((e) => e.slug === 'claude-code')?.parent).toBe('anthropic');
    expect(body.items.every((e) => e.summary.n === 0)).toBe(true);
  });

  it('answers reads with an ETag, honours If-None-Match, and sets Cache-Control', async () => {
    const first = await app.request('/api/v1/entities/cursor');
    const tag = first.headers.get('etag');
    expect(tag).toBeTruthy();
    expect(first.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const again = await app.request('/api/v1/entities/cursor', { headers: { 'if-none-match': tag! } });
    expect(again.status).toBe(304);
  });

  it('compresses a large answer for a client that accepts gzip, with the same weak ETag as the plain one', async () => {
    const plain = await app.request('/api/v1/entities');
    expect(plain.headers.get('content-encoding')).toBeNull();
    const plainBody = Buffer.from(await plain.arrayBuffer());
    const zipped = await app.request('/api/v1/entities', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toMatch(/Accept-Encoding/);
    const zippedBody = Buffer.from(await zipped.arrayBuffer());
    expect(gunzipSync(zippedBody).equals(plainBody)).toBe(true);
    expect(zippedBody.length).toBeLessThan(plainBody.length / 4);
    expect(zipped.headers.get('etag')).toMatch(/^W\//);
    expect(zipped.headers.get('etag')).toBe(plain.headers.get('etag'));
    const revalidated = await app.request('/api/v1/entities', {
      headers: { 'accept-encoding': 'gzip', 'if-none-match': zipped.headers.get('etag')! },
    });
    expect(revalidated.status).toBe(304);
  });

  it('404s an unknown entity and 400s a malformed slug, naming it', async () => {
    const missing = await app.request('/api/v1/entities/no-such-thing');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'no entity with slug "no-such-thing"' } });
    const bad = await app.request('/api/v1/entities/Bad_Slug');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^slug: /);
  });

  it('POST needs the admin token: 401 without, 403 wrong, 201 right', async () => {
    const entity = { slug: 'kilo-code', name: 'Kilo Code', kind: 'tool', aliases: ['Kilo Code'] };
    expect((await post(entity)).status).toBe(401);
    expect((await post(entity, 'wrong')).status).toBe(403);
    const created = await post(entity, ADMIN);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ slug: 'kilo-code', origin: 'user', parent: null });
    expect((await app.request('/api/v1/entities/kilo-code')).status).toBe(200);
  });

  it('POST refuses a taken slug with 409 and an invalid body with 400 naming the field', async () => {
    expect((await post({ slug: 'cursor', name: 'Cursor', kind: 'tool' }, ADMIN)).status).toBe(409);
    const bad = await post({ slug: 'x-y', name: 'X', kind: 'editor' }, ADMIN);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^kind: /);
    const notJson = await app.request('/api/v1/entities', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'text/plain' },
      body: 'slug=x',
    });
    expect(notJson.status).toBe(400);
  });

  it('write endpoints refuse when no admin token is configured', async () => {
    const locked = createApp({
      db: database.db,
      settings: { adminToken: undefined, corsOrigins: [] },
      log: SILENT_LOG,
      sources: [],
      checkReady: async () => ({ ready: true }),
    });
    const res = await locked.request('/api/v1/entities', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer anything' },
      body: JSON.stringify({ slug: 'zz', name: 'Z', kind: 'tool' }),
    });
    expect(res.status).toBe(403);
  });
});

describe('cross-cutting', () => {
  it('allows only configured CORS origins', async () => {
    const ok = await app.request('/api/v1/entities', { headers: { origin: 'https://dash.example' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://dash.example');
    const other = await app.request('/api/v1/entities', { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const res = await app.request('/api/v1/nothing');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('serves an OpenAPI 3.1 document listing every route', async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/v1/alerts',
      '/api/v1/alerts/{id}',
      '/api/v1/alerts/{id}/deliveries',
      '/api/v1/alerts/{id}/feed.atom',
      '/api/v1/alerts/{id}/test',
      '/api/v1/compare',
      '/api/v1/digests',
      '/api/v1/digests/{id}',
      '/api/v1/digests/{id}/deliveries',
      '/api/v1/digests/{id}/send',
      '/api/v1/entities',
      '/api/v1/entities/{slug}',
      '/api/v1/entities/{slug}/aspects',
      '/api/v1/entities/{slug}/breakdown',
      '/api/v1/entities/{slug}/explain',
      '/api/v1/entities/{slug}/export',
      '/api/v1/entities/{slug}/posts',
      '/api/v1/entities/{slug}/sentiment',
      '/api/v1/entities/{slug}/versions',
      '/api/v1/events',
      '/api/v1/events/{id}/explain',
      '/api/v1/flows',
      '/api/v1/flows/posts',
      '/api/v1/sources',
      '/api/v1/sources/{name}/preview',
      '/health',
      '/ready',
    ]);
    expect(Object.keys(doc.paths['/api/v1/entities']!).sort()).toEqual(['get', 'post']);
    const docs = await app.request('/api/docs');
    expect(await docs.text()).toContain('/api/openapi.json');
  });

  it('documents 429 and the default (500) error on every /api operation, 413 on every write and 503 on the heavy reads', async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      info: { description: string };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path]![method]!.responses);
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const method of Object.keys(operations)) {
        if (path.startsWith('/api/'))
          expect(statuses(path, method), `${method} ${path}`).toEqual(expect.arrayContaining(['429', 'default']));
        if (method === 'post')
          expect(statuses(path, method), `${method} ${path}`).toEqual(expect.arrayContaining(['400', '401', '403', '413', '429']));
      }
    }
    for (const path of ['/api/v1/entities/{slug}/sentiment', '/api/v1/compare', '/api/v1/entities/{slug}/export'])
      expect(statuses(path, 'get')).toContain('503');
    expect(doc.info.description).toMatch(/405 with an Allow header/);
  });

  it('gives every operation a unique operationId and a summary, for generated clients', async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { operationId?: string; summary?: string }>>;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ where: `${method} ${path}`, ...op })),
    );
    expect(operations.filter((op) => !op.operationId || !op.summary).map((op) => op.where)).toEqual([]);
    const ids = operations.map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('hostile clients', () => {
  const createTestApp = (overrides: Partial<AppDeps> = {}) =>
    createApp({
      db: database.db,
      settings: { adminToken: ADMIN, corsOrigins: [] },
      log: SILENT_LOG,
      sources: [],
      checkReady: async () => ({ ready: true }),
      ...overrides,
    });
  const postEntity = (target: App, token: string, init: RequestInit = {}) =>
    target.request('/api/v1/entities', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ slug: 'never-stored', name: 'Never', kind: 'tool' }),
      ...init,
    });

  it('answers a method a path does not have with 405 and Allow, and an unknown path with 404', async () => {
    for (const [method, path, allow] of [
      ['DELETE', '/api/v1/entities', 'GET, HEAD, POST'],
      ['PUT', '/api/v1/entities/cursor', 'DELETE, GET, HEAD, PATCH'],
      ['POST', '/api/v1/entities/cursor/sentiment', 'GET, HEAD'],
      ['PATCH', '/health', 'GET, HEAD'],
      ['POST', '/api/openapi.json', 'GET, HEAD'],
      ['DELETE', '/entity/cursor', 'GET, HEAD'],
    ] as const) {
      const res = await app.request(path, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow')).toBe(allow);
      expect(await res.json()).toEqual({
        error: { code: 'method_not_allowed', message: `${method} is not allowed on ${path}; allowed: ${allow}` },
      });
    }
    expect((await app.request('/api/v1/nothing', { method: 'POST' })).status).toBe(404);
    expect((await app.request('/api/v1/entities/cursor/nothing')).status).toBe(404);
  });

  it('rate-limits writes like reads', async () => {
    const limited = createTestApp({ rateLimit: { limit: 3, windowMs: 60_000 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await postEntity(limited, 'wrong-token')).status);
    statuses.push((await limited.request('/api/v1/entities')).status);
    expect(statuses).toEqual([403, 403, 403, 429]);
  });

  it('makes an address that keeps guessing the admin token wait: past 5 free wrong tokens, 429 with Retry-After', async () => {
    const guarded = createTestApp();
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push((await postEntity(guarded, `guess-${i}`)).status);
    expect(statuses.filter((status) => status === 403)).toHaveLength(6);
    expect(statuses.slice(6).every((status) => status === 429)).toBe(true);
    const refused = await postEntity(guarded, ADMIN);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await refused.json()) as object).toEqual({
      error: { code: 'rate_limited', message: expect.stringMatching(/^too many wrong admin tokens from this address; retry in \d+ s$/) },
    });
  });

  it('refuses a write body over 256 KiB with 413, from its Content-Length or while it streams, without reading it all', async () => {
    const huge = await postEntity(app, ADMIN, { body: 'x'.repeat(100 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({ error: { code: 'payload_too_large', message: 'body: larger than 256 KiB' } });
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024).fill(32);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        if (pulled > 100 * 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const streamed = await postEntity(app, ADMIN, { body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(pulled).toBeLessThan(1024 * 1024);
    expect(
      (await postEntity(app, ADMIN, { body: JSON.stringify({ slug: 'x-y', name: 'X', kind: 'tool', aliases: ['a'.repeat(200 * 1024)] }) }))
        .status,
    ).toBe(400);
  });

  it('sends nosniff, frame denial and a Content-Security-Policy with every answer; pages allow exactly their own inline code', async () => {
    const json = await app.request('/api/v1/entities');
    expect(json.headers.get('x-content-type-options')).toBe('nosniff');
    expect(json.headers.get('x-frame-options')).toBe('DENY');
    expect(json.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    // Compressed or not: the hashes are of the page's own code, not of its gzip bytes.
    const pages = ['/', '/entity/cursor', '/api/docs'].flatMap((path) => [
      { path, gzip: false },
      { path, gzip: true },
    ]);
    const compressed: string[] = [];
    for (const { path, gzip } of pages) {
      const page = await app.request(path, gzip ? { headers: { 'accept-encoding': 'gzip' } } : {});
      const bytes = Buffer.from(await page.arrayBuffer());
      if (page.headers.get('content-encoding') === 'gzip') compressed.push(path);
      const html = (page.headers.get('content-encoding') === 'gzip' ? gunzipSync(bytes) : bytes).toString('utf8');
      expect(page.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      const policy = page.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).toContain("object-src 'none'");
      expect(policy).not.toContain('unsafe-inline');
      for (const [tag, directive] of [
        ['script', 'script-src'],
        ['style', 'style-src'],
      ] as const) {
        const inline = [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map(
          (m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`,
        );
        const allowed = policy
          .split('; ')
          .find((d) => d.startsWith(`${directive} `))!
          .split(' ')
          .slice(2);
        expect(allowed, `${path} ${directive}`).toEqual(inline);
      }
    }
    // The docs page is large enough to be sent compressed (the test app's dashboard page is not).
    expect(compressed).toContain('/api/docs');
  });

  it('answers /favicon.ico and other missing files with 404, never the page', async () => {
    for (const path of ['/favicon.ico', '/robots.txt', '/apple-touch-icon.png']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('<html');
    }
  });

  it('labels /metrics by route pattern, GETs included', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const measured = createTestApp({ metrics });
    await measured.request('/api/v1/entities/cursor');
    await measured.request('/api/v1/entities/cursor/sentiment?bucket=week');
    await measured.request('/api/v1/compare?entities=cursor,claude-code');
    await measured.request('/health');
    await measured.request('/overview');
    await measured.request('/api/v1/entities/cursor/sentiment', { method: 'DELETE' });
    const text = await metrics.render();
    const routes = [...text.matchAll(/_count\{method="(\w+)",route="([^"]+)",status="(\d+)"\}/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /api/v1/entities/:slug 200',
        'GET /api/v1/entities/:slug/sentiment 200',
        'GET /api/v1/compare 200',
        'GET /health 200',
        'DELETE other 405',
      ]),
    );
    expect(routes.filter((r) => r.startsWith('GET other'))).toHaveLength(1);
  });
});

describe('request ids and the access log', () => {
  const createTestApp = (overrides: Partial<AppDeps> = {}) =>
    createApp({
      db: database.db,
      settings: { adminToken: ADMIN, corsOrigins: [] },
      log: SILENT_LOG,
      sources: [],
      checkReady: async () => ({ ready: true }),
      ...overrides,
    });

  it('answers every request with X-Request-Id, keeps a sane one the caller sent, and logs one line per request with it', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logged = createTestApp({ log: { ...SILENT_LOG, info: (obj: object) => lines.push(obj as Record<string, unknown>) } });
    const first = await logged.request('/api/v1/entities/cursor?from=2026-01-01');
    const id = first.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const second = await logged.request('/api/v1/entities/nobody', { headers: { 'X-Request-Id': 'trace-42' } });
    expect(second.headers.get('x-request-id')).toBe('trace-42');
    // A header that is not a plain token is replaced, never echoed into logs or answers.
    const third = await logged.request('/health', { headers: { 'X-Request-Id': 'x'.repeat(65) } });
    expect(third.headers.get('x-request-id')).not.toBe('x'.repeat(65));
    expect(lines.map((line) => [line.reqId, line.method, line.route, line.status])).toEqual([
      [id, 'GET', '/api/v1/entities/:slug', 200],
      ['trace-42', 'GET', '/api/v1/entities/:slug', 404],
      [third.headers.get('x-request-id'), 'GET', '/health', 200],
    ]);
    // The path without its query: search text stays out of the log.
    expect(lines[0]!.path).toBe('/api/v1/entities/cursor');
    expect(typeof lines[0]!.ms).toBe('number');
  });

  it('puts the request id on the error line of a request that failed', async () => {
    const errors: Array<Record<string, unknown>> = [];
    // A database never migrated makes any read fail inside its route.
    const bareDir = createDataDir({ cluster: true });
    const bare = await openDatabase({ databaseUrl: undefined, dataDir: bareDir.dir });
    const failing = createTestApp({
      db: bare.db,
      log: { ...SILENT_LOG, error: (obj: object) => errors.push(obj as Record<string, unknown>) },
    });
    const res = await failing.request('/api/v1/entities', { headers: { 'X-Request-Id': 'req-7' } });
    await bare.close();
    bareDir.remove();
    expect(res.status).toBe(500);
    expect(res.headers.get('x-request-id')).toBe('req-7');
    expect(errors).toEqual([expect.objectContaining({ reqId: 'req-7', path: '/api/v1/entities', err: expect.any(Error) })]);
  });
});

describe('one version', () => {
  it('package.json, /health, the OpenAPI document and vibecheck_build_info all name the same release', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VIBECHECK_VERSION).toBe(version);
    expect(((await (await app.request('/health')).json()) as { version: string }).version).toBe(version);
    expect(((await (await app.request('/api/openapi.json')).json()) as { info: { version: string } }).info.version).toBe(version);
    const metrics = createMetrics();
    const text = await metrics.render();
    expect(text).toContain(`vibecheck_build_info{version="${version}",node="${process.versions.node}"} 1`);
    // Process metrics under their standard names, as Node.js dashboards expect them.
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
    expect(text).not.toMatch(/^vibecheck_process_/m);
  });
});
