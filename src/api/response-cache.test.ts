import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createResponseCache } from './response-cache.ts';

function createCountingApp(ttlMs: number, clock: { t: number }) {
  let computed = 0;
  let value = 'a';
  const cache = createResponseCache({ ttlMs, now: () => clock.t });
  const app = new Hono();
  app.use('*', cache.middleware);
  app.get('/read', async (c) => {
    computed++;
    await new Promise((r) => setTimeout(r, 20));
    return c.json({ value, q: c.req.query('q') ?? null });
  });
  app.get('/missing', (c) => c.json({ error: 'nope' }, 404));
  app.post('/write', (c) => {
    value = 'b';
    return c.json({ ok: true });
  });
  return { app, computed: () => computed };
}

describe('response cache', () => {
  it('serves a repeated read from memory until it expires', async () => {
    const clock = { t: 0 };
    const { app, computed } = createCountingApp(5_000, clock);
    expect(await (await app.request('/read')).json()).toEqual({ value: 'a', q: null });
    expect(await (await app.request('/read')).json()).toEqual({ value: 'a', q: null });
    expect(computed()).toBe(1);
    clock.t = 5_001;
    await app.request('/read');
    expect(computed()).toBe(2);
  });

  it('tags each stored body with an ETag, the same on every hit', async () => {
    const { app } = createCountingApp(5_000, { t: 0 });
    const first = (await app.request('/read')).headers.get('etag');
    expect(first).toMatch(/^W\/"[0-9a-f]{40}"$/);
    expect((await app.request('/read')).headers.get('etag')).toBe(first);
  });

  it('keys on the whole URL, query included', async () => {
    const { app, computed } = createCountingApp(5_000, { t: 0 });
    await app.request('/read?q=1');
    await app.request('/read?q=2');
    expect(computed()).toBe(2);
    expect(await (await app.request('/read?q=2')).json()).toEqual({ value: 'a', q: '2' });
  });

  it('lets concurrent misses share one computation', async () => {
    const { app, computed } = createCountingApp(5_000, { t: 0 });
    const bodies = await Promise.all(Array.from({ length: 10 }, async () => (await app.request('/read')).json()));
    expect(computed()).toBe(1);
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
  });

  it('forgets everything after a successful write and never keeps an error', async () => {
    const { app, computed } = createCountingApp(5_000, { t: 0 });
    await app.request('/read');
    await app.request('/write', { method: 'POST' });
    expect(await (await app.request('/read')).json()).toEqual({ value: 'b', q: null });
    expect(computed()).toBe(2);
    expect((await app.request('/missing')).status).toBe(404);
    expect((await app.request('/missing')).status).toBe(404);
  });

  it('holds at most maxBytes of bodies, dropping the oldest, and never keeps one over an eighth of it', async () => {
    const computed: string[] = [];
    const app = new Hono();
    app.use('*', createResponseCache({ ttlMs: 5_000, maxBytes: 8_000, now: () => 0 }).middleware);
    app.get('/sized/:n', (c) => {
      computed.push(c.req.param('n'));
      return c.text('x'.repeat(Number(c.req.param('n'))));
    });
    const sizes = [900, 901, 902, 903, 904, 905, 906, 907, 908];
    for (const n of sizes) await app.request(`/sized/${n}`);
    await app.request('/sized/908');
    await app.request('/sized/900');
    expect(computed).toEqual([...sizes.map(String), '900']);
    computed.length = 0;
    await app.request('/sized/1001');
    await app.request('/sized/1001');
    expect(computed).toEqual(['1001', '1001']);
  });
});
