import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { seedEntities } from '../pipeline/entities.ts';
import { checkReady } from '../pipeline/runtime.ts';
import { createDataDir } from '../../test/support/databases.ts';
import { createApp, type App } from './app.ts';

const ADMIN = 'test-admin-token-123';
const silent = { error: () => undefined, info: () => undefined, warn: () => undefined };
let database: Database;
let app: App;
let dataDir: ReturnType<typeof createDataDir>;

beforeAll(async () => {
  dataDir = createDataDir();
  database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
  await migrate(database.db);
  await seedEntities(database.db);
  app = createApp({
    db: database.db,
    settings: { adminToken: ADMIN, corsOrigins: ['https://dash.example'] },
    log: silent,
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
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /ready is 200 when migrated and 503 when the check fails', async () => {
    expect((await app.request('/ready')).status).toBe(200);
    const broken = createApp({
      db: database.db,
      settings: { adminToken: ADMIN, corsOrigins: [] },
      log: silent,
    sources: [],
      checkReady: () => Promise.reject(new Error('connection refused')),
    });
    const res = await broken.request('/ready');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', reason: 'connection refused' });
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
    const locked = createApp({ db: database.db, settings: { adminToken: undefined, corsOrigins: [] }, log: silent,
    sources: [], checkReady: async () => ({ ready: true }) });
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
    const doc = (await (await app.request('/api/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/v1/compare',
      '/api/v1/entities',
      '/api/v1/entities/{slug}',
      '/api/v1/entities/{slug}/aspects',
      '/api/v1/entities/{slug}/export',
      '/api/v1/entities/{slug}/posts',
      '/api/v1/entities/{slug}/sentiment',
      '/api/v1/events',
      '/api/v1/sources',
      '/health',
      '/ready',
    ]);
    expect(Object.keys(doc.paths['/api/v1/entities']!).sort()).toEqual(['get', 'post']);
    const docs = await app.request('/api/docs');
    expect(await docs.text()).toContain('/api/openapi.json');
  });
});
