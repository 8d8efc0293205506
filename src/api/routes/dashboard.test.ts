import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, describe, expect, it } from 'vitest';
import { registerDashboardRoutes } from './dashboard.ts';

const dist = mkdtempSync(join(tmpdir(), 'vibecheck-web-'));
mkdirSync(join(dist, 'assets'));
writeFileSync(join(dist, 'index.html'), '<!doctype html><title>VibeCheck</title><div id="root"></div>');
writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
afterAll(() => rmSync(dist, { recursive: true, force: true }));

function createTestApp(root: string) {
  const app = new OpenAPIHono();
  app.notFound((c) => c.json({ error: { code: 'not_found', message: 'no route' } }, 404));
  app.get('/api/v1/entities', (c) => c.json({ items: [] }));
  registerDashboardRoutes(app, { root });
  return app;
}

describe('dashboard routes', () => {
  const app = createTestApp(dist);

  it('serves index.html at / without long caching', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root">');
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers an app path such as /entity/cursor?range=90d with index.html', async () => {
    const res = await app.request('/entity/cursor?range=90d');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('<div id="root">');
  });

  it('serves hashed assets with an immutable cache header', async () => {
    const res = await app.request('/assets/index-abc123.js');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('console.log(1)');
    expect(res.headers.get('cache-control')).toContain('immutable');
  });

  it('answers a missing asset with 404, not with the page', async () => {
    const res = await app.request('/assets/gone-123.js');
    expect(res.status).toBe(404);
  });

  it('answers /favicon.ico and any other missing file with 404, and serves one that exists', async () => {
    for (const path of ['/favicon.ico', '/robots.txt', '/entity/cursor/logo.png']) expect((await app.request(path)).status, path).toBe(404);
    expect(await (await app.request('/index.html')).text()).toContain('<div id="root">');
  });

  it('leaves API paths to the API: a known one answers, an unknown one is a JSON 404', async () => {
    expect(await (await app.request('/api/v1/entities')).json()).toEqual({ items: [] });
    const res = await app.request('/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('says how to build the dashboard when web/dist is missing', async () => {
    const res = await createTestApp(join(dist, 'missing')).request('/overview');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:web');
  });
});
