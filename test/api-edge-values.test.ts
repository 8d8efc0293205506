import { beforeAll, expect, it } from 'vitest';
import { createApp, type App } from '../src/api/app.ts';
import { createHeavyReadGate } from '../src/api/heavy-reads.ts';
import { migrate } from '../src/db/migrate.ts';
import { insertTestEntity } from './support/mentions.ts';
import { describeOnBothTargets } from './support/targets.ts';

const ADMIN = 'edge-values-admin-token';

/** The API's write routes go through the same edge as imported and collected values (src/core/storable.ts). */
describeOnBothTargets('values at the edge of the API', (database) => {
  let app: App;

  beforeAll(async () => {
    const { db } = database();
    await migrate(db);
    await insertTestEntity(db, 'e1');
    app = createApp({
      db,
      settings: { adminToken: ADMIN, corsOrigins: [] },
      log: { error: () => undefined, info: () => undefined, warn: () => undefined },
      sources: [],
      checkReady: async () => ({ ready: true }),
      heavyReads: createHeavyReadGate({ concurrent: 2, queued: 8 }),
    });
  });

  const post = (path: string, body: unknown) =>
    app.request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const errorOf = async (res: Response) => ({
    status: res.status,
    message: ((await res.json()) as { error: { message: string } }).error.message,
  });

  it('refuses an event on a day the month does not have instead of storing it on the next month', async () => {
    expect(await errorOf(await post('/api/v1/events', { kind: 'note', title: 'n', occurredAt: '2026-02-30' }))).toEqual({
      status: 400,
      message: 'occurredAt: 2026-02 has no day 30',
    });
    expect(await errorOf(await post('/api/v1/events', { kind: 'note', title: 'n', occurredAt: '2026-04-31T10:00:00Z' }))).toMatchObject({
      status: 400,
      message: 'occurredAt: 2026-04 has no day 31',
    });
  });

  it('refuses an event dated before 2000 (0001-01-01 is not 2001) or more than a year ahead', async () => {
    expect(await errorOf(await post('/api/v1/events', { kind: 'note', title: 'n', occurredAt: '0001-01-01' }))).toEqual({
      status: 400,
      message: 'occurredAt: 0001-01-01T00:00:00.000Z is before 2000-01-01',
    });
    const later = new Date(Date.now() + 400 * 86_400_000).toISOString();
    expect(await errorOf(await post('/api/v1/events', { kind: 'note', title: 'n', occurredAt: later }))).toMatchObject({
      status: 400,
      message: /^occurredAt: .* is more than a year in the future$/,
    });
  });

  it('stores an event title without control or bidirectional-override characters', async () => {
    const res = await post('/api/v1/events', {
      kind: 'note',
      title: 'Release\u202E txe.gnp\u202C\u001b[2J',
      body: 'ok\u0007',
      occurredAt: '2026-02-28',
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ title: 'Release txe.gnp[2J', body: 'ok', occurredAt: '2026-02-28T00:00:00.000Z' });
    expect(await errorOf(await post('/api/v1/events', { kind: 'note', title: '\u202E\u202C', occurredAt: '2026-02-28' }))).toEqual({
      status: 400,
      message: 'title: empty',
    });
  });

  it('stores an entity name and aliases without bidirectional-override or control characters', async () => {
    const res = await post('/api/v1/entities', {
      slug: 'bidi-tool',
      name: 'Good\u202ETool',
      kind: 'tool',
      aliases: ['al\u2066ias\u2069', 'x\u0007y'],
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ name: 'GoodTool', aliases: ['alias', 'xy'] });
    expect((await post('/api/v1/entities', { slug: 'empty-name', name: '\u202E', kind: 'tool' })).status).toBe(400);
  });

  it('refuses from and to that name no real day, naming the parameter', async () => {
    expect(await errorOf(await app.request('/api/v1/entities/e1/sentiment?from=2026-02-31'))).toEqual({
      status: 400,
      message: 'from: 2026-02 has no day 31',
    });
    expect(await errorOf(await app.request('/api/v1/events?to=2026-02-29T00:00:00Z'))).toEqual({
      status: 400,
      message: 'to: 2026-02 has no day 29',
    });
    expect((await app.request('/api/v1/entities/e1/sentiment?from=2026-02-28&to=2026-03-01')).status).toBe(200);
  });
});
