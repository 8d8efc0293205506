import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createClientIdentifier, identifyPeer, rateLimit } from './rate-limit.ts';

function createLimitedApp(limit: number, clock: { now: number }) {
  const app = new Hono();
  app.use('*', rateLimit({ limit, windowMs: 60_000, now: () => clock.now, identify: (c) => c.req.header('x-test-ip') ?? 'none' }));
  app.get('/r', (c) => c.text('ok'));
  app.post('/r', (c) => c.text('ok'));
  return app;
}

const get = (app: Hono, ip: string) => app.request('/r', { headers: { 'x-test-ip': ip } });

describe('rateLimit', () => {
  it('answers 429 with Retry-After and the error shape once a client passes its limit', async () => {
    const clock = { now: 120_000 + 45_000 };
    const app = createLimitedApp(2, clock);
    expect((await get(app, 'a')).status).toBe(200);
    expect((await get(app, 'a')).status).toBe(200);
    const refused = await get(app, 'a');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('15');
    expect(await refused.json()).toEqual({ error: { code: 'rate_limited', message: expect.stringContaining('at most 2 per 60 s') } });
  });

  it('counts each client separately and starts over in the next window', async () => {
    const clock = { now: 0 };
    const app = createLimitedApp(1, clock);
    expect((await get(app, 'a')).status).toBe(200);
    expect((await get(app, 'a')).status).toBe(429);
    expect((await get(app, 'b')).status).toBe(200);
    clock.now = 60_000;
    expect((await get(app, 'a')).status).toBe(200);
  });

  it('counts every method, writes and reads alike', async () => {
    const app = createLimitedApp(2, { now: 0 });
    const write = () => app.request('/r', { method: 'POST', headers: { 'x-test-ip': 'a' } });
    expect((await write()).status).toBe(200);
    expect((await get(app, 'a')).status).toBe(200);
    const refused = await write();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
  });

  it('identifies a client by the socket address @hono/node-server passes in env', async () => {
    const app = new Hono();
    app.get('/who', (c) => c.text(identifyPeer(c)));
    const res = await app.request('/who', {}, { incoming: { socket: { remoteAddress: '203.0.113.9' } } });
    expect(await res.text()).toBe('203.0.113.9');
    expect(await (await app.request('/who')).text()).toBe('unknown');
  });

  it('believes X-Forwarded-For only from trusted proxies, read from the right past each of them', async () => {
    const who = async (proxies: string[], peer: string, forwarded?: string): Promise<string> => {
      const app = new Hono();
      app.get('/who', (c) => c.text(createClientIdentifier(proxies)(c)));
      const res = await app.request('/who', forwarded ? { headers: { 'x-forwarded-for': forwarded } } : {}, {
        incoming: { socket: { remoteAddress: peer } },
      });
      return res.text();
    };
    // No proxy trusted: a client cannot pick its own address.
    expect(await who([], '10.0.0.2', '198.51.100.7')).toBe('10.0.0.2');
    // A peer that is not a trusted proxy is the client, whatever its header says.
    expect(await who(['10.0.0.2'], '203.0.113.5', '198.51.100.7')).toBe('203.0.113.5');
    // One proxy: it appended the client's address; what the client wrote before it is ignored.
    expect(await who(['10.0.0.2'], '10.0.0.2', '198.51.100.7')).toBe('198.51.100.7');
    expect(await who(['10.0.0.2'], '10.0.0.2', '1.2.3.4, 198.51.100.7')).toBe('198.51.100.7');
    // Two proxies: past both, the client; an IPv4 peer reported as ::ffff: is the same address.
    expect(await who(['10.0.0.1', '10.0.0.2'], '::ffff:10.0.0.2', '1.2.3.4, 198.51.100.7, 10.0.0.1')).toBe('198.51.100.7');
    // A trusted proxy with no header: the proxy itself is all there is.
    expect(await who(['10.0.0.2'], '10.0.0.2')).toBe('10.0.0.2');
  });
});
