import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { respondWithError } from './errors.ts';
import { requireAdmin } from './auth.ts';

const TOKEN = 'right-token-0123456789';

function createGuardedApp(clock: { now: number }, adminToken: string | undefined = TOKEN) {
  const app = new Hono();
  app.onError((error, c) => respondWithError(c, error, { error: () => undefined }));
  const guard = requireAdmin(adminToken, {
    freeFailures: 2,
    baseDelayMs: 1_000,
    maxDelayMs: 8_000,
    now: () => clock.now,
    identify: (c) => c.req.header('x-test-ip') ?? 'none',
  });
  app.post('/write', guard, (c) => c.text('written'));
  return app;
}

const attempt = (app: Hono, token: string | undefined, ip = 'a') =>
  app.request('/write', {
    method: 'POST',
    headers: { 'x-test-ip': ip, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
  });

describe('requireAdmin', () => {
  it('answers 401 without a token, 403 with a wrong one and lets the right one through', async () => {
    const app = createGuardedApp({ now: 0 });
    expect((await attempt(app, undefined)).status).toBe(401);
    expect((await attempt(app, 'wrong')).status).toBe(403);
    expect((await attempt(app, TOKEN)).status).toBe(200);
  });

  it('makes an address that keeps sending wrong tokens wait, doubling the wait each time, with Retry-After', async () => {
    const clock = { now: 0 };
    const app = createGuardedApp(clock);
    expect((await attempt(app, 'guess-1')).status).toBe(403);
    expect((await attempt(app, 'guess-2')).status).toBe(403);
    expect((await attempt(app, 'guess-3')).status).toBe(403);
    const blocked = await attempt(app, TOKEN);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('1');
    expect(await blocked.json()).toEqual({
      error: { code: 'rate_limited', message: 'too many wrong admin tokens from this address; retry in 1 s' },
    });
    clock.now = 1_000;
    expect((await attempt(app, 'guess-4')).status).toBe(403);
    expect((await attempt(app, 'guess-5')).headers.get('retry-after')).toBe('2');
    expect((await attempt(app, 'guess-5', 'b')).status).toBe(403);
    clock.now = 3_000;
    expect((await attempt(app, TOKEN)).status).toBe(200);
    expect((await attempt(app, 'guess-6')).status).toBe(403);
    expect((await attempt(app, 'guess-7')).status).toBe(403);
  });

  it('never waits longer than maxDelayMs and forgets an address quiet for that long', async () => {
    const clock = { now: 0 };
    const app = createGuardedApp(clock);
    await attempt(app, 'guess-1');
    await attempt(app, 'guess-2');
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      expect((await attempt(app, `guess-${i + 3}`)).status).toBe(403);
      const wait = Number((await attempt(app, 'guess')).headers.get('retry-after'));
      waits.push(wait);
      clock.now += wait * 1_000;
    }
    expect(waits).toEqual([1, 2, 4, 8, 8]);
    clock.now += 8_001;
    expect([(await attempt(app, 'a')).status, (await attempt(app, 'b')).status, (await attempt(app, 'c')).status]).toEqual([403, 403, 403]);
    expect((await attempt(app, 'd')).headers.get('retry-after')).toBe('1');
  });

  it('counts attempts while no token is configured as failures too', async () => {
    const app = createGuardedApp({ now: 0 }, undefined);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await attempt(app, `anything-${i}`)).status);
    expect(statuses).toEqual([403, 403, 403, 429]);
  });
});
