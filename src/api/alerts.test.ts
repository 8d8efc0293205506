import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertReceiver, type AlertReceiver } from '../../test/support/alert-receiver.ts';
import { openAdminApp, type AdminApp } from '../../test/support/admin-app.ts';
import { insertTestEntity } from '../../test/support/mentions.ts';
import { insertAlert } from '../db/queries/alerts.ts';
import type { Database } from '../db/client.ts';
import type { App } from './app.ts';

const ADMIN = 'test-admin-token-123';
const SLACK = 'https://hooks.slack.com/services/T0001/B0002/VerySecretToken9876';
let opened: AdminApp;
let database: Database;
let app: App;
let receiver: AlertReceiver;

beforeAll(async () => {
  // As `serve` runs it, response cache included: admin answers must never come back from it to someone without the token.
  opened = await openAdminApp(ADMIN);
  ({ database, app } = opened);
  await insertTestEntity(database.db, 'alpha');
  receiver = await startAlertReceiver('a-receiver-secret-0123');
});

afterAll(async () => {
  await receiver?.close();
  await opened?.close();
});

const auth = (token = ADMIN) => ({ authorization: `Bearer ${token}` });
const create = (body: unknown, token = ADMIN) =>
  app.request('/api/v1/alerts', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? auth(token) : {}) },
    body: JSON.stringify(body),
  });

describe('alert rules over the API', () => {
  it('refuses every rule route without the admin token (401) or with a wrong one (403), the feed aside', async () => {
    expect((await create({ kind: 'spike', entity: 'alpha', channel: SLACK }, '')).status).toBe(401);
    expect((await create({ kind: 'spike', entity: 'alpha', channel: SLACK }, 'wrong-token-000000')).status).toBe(403);
    for (const [method, path] of [
      ['GET', '/api/v1/alerts'],
      ['DELETE', '/api/v1/alerts/1'],
      ['POST', '/api/v1/alerts/1/test'],
      ['GET', '/api/v1/alerts/1/deliveries'],
    ] as const) {
      expect((await app.request(path, { method })).status, `${method} ${path}`).toBe(401);
    }
  });

  it('creates a rule, returns a generated secret once, and never shows the channel URL or the secret again', async () => {
    const res = await create({ kind: 'shift', entity: 'alpha', channel: SLACK, threshold: 0.2, windowHours: 72 });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Record<string, unknown>;
    expect(created).toMatchObject({ kind: 'shift', entity: 'alpha', metric: 'mean', threshold: 0.2, windowHours: 72, direction: 'both' });
    expect(created.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(created.channel).toBe('slack https://hooks.slack.com/…/9876');
    const listed = await app.request('/api/v1/alerts', { headers: auth() });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('cache-control')).toBe('private, no-store');
    const text = await listed.text();
    expect(text).not.toContain('VerySecretToken');
    expect(text).not.toContain(String(created.secret));
    expect(JSON.parse(text).items).toHaveLength(1);
    // A given secret is not echoed either.
    const given = await create({ kind: 'spike', entity: 'alpha', channel: receiver.url, secret: 'my-own-secret-1234567' });
    expect(((await given.json()) as { secret: unknown }).secret).toBeNull();
    // The cached list is not served to a caller without the token.
    expect((await app.request('/api/v1/alerts')).status).toBe(401);
  });

  it('refuses bad rules with a 400 naming the field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ kind: 'flood', entity: 'alpha', channel: SLACK }, /kind/],
      [{ kind: 'shift', entity: 'alpha', channel: 'ftp://example.com/x' }, /channel/],
      [{ kind: 'shift', entity: 'alpha', channel: 'https://hooks.slack.com/nope' }, /channel: not a Slack incoming-webhook URL/],
      [{ kind: 'shift', entity: 'alpha', channel: SLACK, metric: 'share' }, /metric: for a shift rule, one of mean, net/],
      [{ kind: 'spike', entity: 'alpha', channel: SLACK, threshold: 0.3 }, /threshold/],
      [{ kind: 'shift', entity: 'alpha', channel: SLACK, include: ['x'] }, /include: only a mention rule/],
      [{ kind: 'mention', entity: 'alpha', channel: SLACK, secret: 'short' }, /secret: at least 16/],
      [{ kind: 'mention', entity: 'alpha', channel: SLACK, bogus: 1 }, /bogus/],
      [{ kind: 'regression', entity: 'alpha', channel: SLACK, direction: 'up' }, /direction: a regression is a drop/],
      [{ kind: 'regression', entity: 'alpha', channel: SLACK, source: 'hn' }, /source: a regression rule watches every source/],
      [{ kind: 'regression', entity: 'alpha', channel: SLACK, threshold: 0.2 }, /threshold: a regression rule takes no threshold/],
      [{ kind: 'shift', channel: SLACK }, /entity: give one entity, or instead an entity kind/],
      [{ kind: 'shift', entity: 'alpha', entityKind: 'tool', channel: SLACK }, /entity: give one entity, or instead an entity kind/],
      [{ kind: 'shift', entityKind: 'editor', channel: SLACK }, /entityKind/],
    ];
    for (const [body, message] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    const unknown = await create({ kind: 'shift', entity: 'nobody', channel: SLACK });
    expect(unknown.status).toBe(404);
  });

  it('sends a test through the channel, records it with the deliveries, and removes a rule', async () => {
    const res = await create({ kind: 'mention', entity: 'alpha', channel: receiver.url, secret: 'a-receiver-secret-0123' });
    const { id } = (await res.json()) as { id: number };
    const test = await app.request(`/api/v1/alerts/${id}/test`, { method: 'POST', headers: auth() });
    expect(test.status).toBe(200);
    expect(await test.json()).toMatchObject({ ok: true, status: 200, cause: null });
    const sent = receiver.received.at(-1)!;
    expect(sent.signatureValid).toBe(true);
    expect(JSON.parse(sent.body)).toMatchObject({ test: true, rule: { id }, dashboardUrl: 'https://vibes.example/entity/alpha' });

    receiver.script = [{ status: 500 }];
    const failed = await app.request(`/api/v1/alerts/${id}/test`, { method: 'POST', headers: auth() });
    expect(await failed.json()).toMatchObject({ ok: false, status: 500, retryable: true });

    const deliveries = await app.request(`/api/v1/alerts/${id}/deliveries`, { headers: auth() });
    const items = ((await deliveries.json()) as { items: Array<{ outcome: string; statusCode: number; alertId: null }> }).items;
    expect(items.map((d) => [d.outcome, d.statusCode, d.alertId])).toEqual([
      ['failed', 500, null],
      ['delivered', 200, null],
    ]);

    expect((await app.request(`/api/v1/alerts/${id}`, { method: 'DELETE', headers: auth() })).status).toBe(204);
    expect((await app.request(`/api/v1/alerts/${id}`, { method: 'DELETE', headers: auth() })).status).toBe(404);
    expect((await app.request(`/api/v1/alerts/${id}/test`, { method: 'POST', headers: auth() })).status).toBe(404);
    expect((await app.request('/api/v1/alerts/0/deliveries', { headers: auth() })).status).toBe(400);
  });

  it('adds a rule on a kind of entity: listed once with how many entities it watches, its entity rules neither listed nor removable alone', async () => {
    await insertTestEntity(database.db, 'kind-one', 'model');
    await insertTestEntity(database.db, 'kind-two', 'model');
    const res = await create({ kind: 'spike', entityKind: 'model', channel: SLACK });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: number };
    expect(created).toMatchObject({ name: 'Models: spike', entity: null, entityKind: 'model', entities: 2 });
    const items = ((await (await app.request('/api/v1/alerts', { headers: auth() })).json()) as { items: Array<{ id: number }> }).items;
    expect(items.filter((rule) => rule.id > created.id)).toEqual([]);
    expect(items.find((rule) => rule.id === created.id)).toMatchObject({ entityKind: 'model', entities: 2 });

    const removeChild = await app.request(`/api/v1/alerts/${created.id + 1}`, { method: 'DELETE', headers: auth() });
    expect(removeChild.status).toBe(400);
    expect(((await removeChild.json()) as { error: { message: string } }).error.message).toMatch(
      new RegExp(`is kind rule ${created.id}'s rule for kind-one: remove rule ${created.id}`),
    );
    expect((await app.request(`/api/v1/alerts/${created.id}`, { method: 'DELETE', headers: auth() })).status).toBe(204);
    const after = ((await (await app.request('/api/v1/alerts', { headers: auth() })).json()) as { items: Array<{ id: number }> }).items;
    expect(after.some((rule) => rule.id === created.id)).toBe(false);
  });

  it("serves a rule's alerts as an Atom feed, post text escaped", async () => {
    const res = await create({ kind: 'spike', entity: 'alpha', channel: SLACK });
    const { id } = (await res.json()) as { id: number };
    await insertAlert(database.db, {
      ruleId: id,
      eventKey: 'spike:volume:up:2026-05-01',
      status: 'queued',
      reason: null,
      idempotencyKey: 'key-1',
      firedAt: new Date('2026-05-02T01:00:00Z'),
      message: {
        id: 'key-1',
        rule: { id, kind: 'spike', name: 'alpha spike' },
        entity: { slug: 'alpha', name: 'alpha' },
        headline: 'alpha: mentions rose to 60 <script>alert(1)</script>',
        summary: 's',
        figures: [],
        posts: [],
        dashboardUrl: 'https://vibes.example/entity/alpha',
        firedAt: '2026-05-02T01:00:00Z',
      },
    });
    const feed = await app.request(`/api/v1/alerts/${id}/feed.atom`);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    const xml = await feed.text();
    expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(xml).toContain('&lt;script&gt;');
    expect(xml).not.toContain('<script>');
    expect(xml).toContain(`https://vibes.example/api/v1/alerts/${id}/feed.atom`);
    expect(xml).not.toContain('VerySecretToken');
    expect((await app.request('/api/v1/alerts/999/feed.atom')).status).toBe(404);
  });

  it('documents every alert route in the OpenAPI document', async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/v1/alerts'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/v1/alerts/{id}'] ?? {})).toEqual(['delete']);
    expect(Object.keys(doc.paths['/api/v1/alerts/{id}/test'] ?? {})).toEqual(['post']);
    expect(Object.keys(doc.paths['/api/v1/alerts/{id}/deliveries'] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/v1/alerts/{id}/feed.atom'] ?? {})).toEqual(['get']);
    const ids = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/alerts'))
      .flatMap(([, operations]) => Object.values(operations).map((op) => (op as { operationId?: string }).operationId));
    expect(ids.sort()).toEqual([
      'addAlertRule',
      'getAlertFeed',
      'listAlertDeliveries',
      'listAlertRules',
      'removeAlertRule',
      'testAlertRule',
    ]);
  });
});
