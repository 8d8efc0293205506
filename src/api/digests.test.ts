import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertReceiver } from '../../test/support/alert-receiver.ts';
import { openAdminApp, type AdminApp } from '../../test/support/admin-app.ts';
import { sendDigestNow } from '../alerts/subscriptions.ts';
import { insertTestEntity } from '../../test/support/mentions.ts';
import type { Database } from '../db/client.ts';
import type { App } from './app.ts';

const ADMIN = 'test-admin-token-123';
const SLACK = 'https://hooks.slack.com/services/T0001/B0002/VerySecretToken9876';
let opened: AdminApp;
let database: Database;
let app: App;

beforeAll(async () => {
  opened = await openAdminApp(ADMIN);
  ({ database, app } = opened);
  await insertTestEntity(database.db, 'alpha');
});

afterAll(() => opened?.close());

const auth = (token = ADMIN) => ({ authorization: `Bearer ${token}` });
const create = (body: unknown, token = ADMIN) =>
  app.request('/api/v1/digests', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? auth(token) : {}) },
    body: JSON.stringify(body),
  });

describe('digest subscriptions over the API', () => {
  it('refuses every route without the admin token (401) or with a wrong one (403)', async () => {
    expect((await create({ channel: SLACK }, '')).status).toBe(401);
    expect((await create({ channel: SLACK }, 'wrong-token-000000')).status).toBe(403);
    expect((await app.request('/api/v1/digests')).status).toBe(401);
    expect((await app.request('/api/v1/digests', { headers: auth('wrong-token-000000') })).status).toBe(403);
    expect((await app.request('/api/v1/digests/1', { method: 'DELETE' })).status).toBe(401);
    expect((await app.request('/api/v1/digests/1', { method: 'DELETE', headers: auth('wrong-token-000000') })).status).toBe(403);
    expect((await app.request('/api/v1/digests/1/deliveries')).status).toBe(401);
    expect((await app.request('/api/v1/digests/1/deliveries', { headers: auth('wrong-token-000000') })).status).toBe(403);
    expect((await app.request('/api/v1/digests/1/send', { method: 'POST' })).status).toBe(401);
    expect((await app.request('/api/v1/digests/1/send', { method: 'POST', headers: auth('wrong-token-000000') })).status).toBe(403);
  });

  it('adds, lists with the channel masked and the secret never shown again, and removes', async () => {
    const res = await create({ channel: SLACK, cadence: 'weekly', entities: ['alpha'], hourUtc: 7 });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const created = (await res.json()) as {
      id: number;
      channel: string;
      secret: string | null;
      cadence: string;
      hourUtc: number;
      lastPeriod: string;
    };
    expect(created).toMatchObject({ cadence: 'weekly', hourUtc: 7, entities: ['alpha'], kinds: [] });
    expect(created.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(created.lastPeriod).toMatch(/^\d{4}-W\d\d$/);
    expect(created.channel).not.toContain('VerySecretToken9876');
    expect(created.channel).toContain('hooks.slack.com');

    const listed = await app.request('/api/v1/digests', { headers: auth() });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('cache-control')).toBe('private, no-store');
    const text = await listed.text();
    expect(text).not.toContain('VerySecretToken9876');
    expect(text).not.toContain(created.secret!);
    const { items } = JSON.parse(text) as { items: Array<{ id: number; channel: string; digests: { sent: number } }> };
    expect(items).toEqual([
      expect.objectContaining({ id: created.id, channel: created.channel, digests: { sent: 0, delivered: 0, dead: 0, lastSentAt: null } }),
    ]);
    // Nobody without the token gets the cached list.
    expect((await app.request('/api/v1/digests')).status).toBe(401);

    // A digest subscription is no alert rule: the alert routes do not see or remove it.
    expect(((await (await app.request('/api/v1/alerts', { headers: auth() })).json()) as { items: unknown[] }).items).toEqual([]);
    expect((await app.request(`/api/v1/alerts/${created.id}`, { method: 'DELETE', headers: auth() })).status).toBe(404);

    expect((await app.request(`/api/v1/digests/${created.id}`, { method: 'DELETE', headers: auth() })).status).toBe(204);
    expect((await app.request(`/api/v1/digests/${created.id}`, { method: 'DELETE', headers: auth() })).status).toBe(404);
    expect(((await (await app.request('/api/v1/digests', { headers: auth() })).json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('answers bad input with 400 naming the field, and an unknown entity with 404', async () => {
    const bad = async (body: unknown) => {
      const res = await create(body);
      return { status: res.status, error: ((await res.json()) as { error: { code: string; message: string } }).error };
    };
    expect(await bad({ channel: SLACK, cadence: 'monthly' })).toMatchObject({
      status: 400,
      error: { message: expect.stringContaining('cadence') },
    });
    expect(await bad({ channel: 'javascript:alert(1)' })).toMatchObject({
      status: 400,
      error: { message: expect.stringContaining('channel') },
    });
    expect(await bad({ channel: SLACK, hourUtc: 25 })).toMatchObject({
      status: 400,
      error: { message: expect.stringContaining('hourUtc') },
    });
    expect(await bad({ channel: SLACK, surprise: true })).toMatchObject({ status: 400 });
    expect(await bad({ channel: SLACK, entities: ['nobody'] })).toMatchObject({
      status: 404,
      error: { message: expect.stringContaining('nobody') },
    });
    expect((await app.request('/api/v1/digests/abc', { method: 'DELETE', headers: auth() })).status).toBe(400);
  });

  it("shows a subscription's delivery attempts, a failure with its cause", async () => {
    const receiver = await startAlertReceiver('api-digest-secret-0123456789');
    try {
      receiver.script = [{ status: 500 }];
      const res = await create({ channel: receiver.url, entities: ['alpha'], secret: 'api-digest-secret-0123456789' });
      const { id } = (await res.json()) as { id: number };
      const sent = await sendDigestNow(database.db, id, { publicUrl: 'https://vibes.example' });
      expect(sent).toMatchObject({ delivered: false, cause: expect.stringMatching(/HTTP 500/) });
      expect(receiver.received).toHaveLength(1);
      const answer = await app.request(`/api/v1/digests/${id}/deliveries`, { headers: auth() });
      expect(answer.status).toBe(200);
      const { items } = (await answer.json()) as { items: Array<Record<string, unknown>> };
      expect(items).toEqual([
        expect.objectContaining({
          alertId: sent.alertId,
          event: expect.stringMatching(/^digest:manual:/),
          outcome: 'retry',
          statusCode: 500,
          status: 'pending',
          cause: expect.stringMatching(/HTTP 500/),
        }),
      ]);
      expect((await app.request('/api/v1/digests/9999/deliveries', { headers: auth() })).status).toBe(404);
    } finally {
      await receiver.close();
    }
  });

  it('sends a digest now on request: delivered and signed, or not yet with the cause', async () => {
    const receiver = await startAlertReceiver('api-digest-secret-0123456789');
    try {
      const res = await create({ channel: receiver.url, cadence: 'weekly', secret: 'api-digest-secret-0123456789' });
      const { id } = (await res.json()) as { id: number };
      const send = () => app.request(`/api/v1/digests/${id}/send`, { method: 'POST', headers: auth() });
      const sent = await send();
      expect(sent.status).toBe(200);
      expect(await sent.json()).toEqual({ alertId: expect.any(Number), delivered: true, cause: null });
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]!.signatureValid).toBe(true);
      expect(receiver.received[0]!.body).toMatch(/digest/i);
      receiver.script = [{ status: 503 }];
      expect(await (await send()).json()).toMatchObject({ delivered: false, cause: expect.stringMatching(/HTTP 503/) });
      expect((await app.request('/api/v1/digests/9999/send', { method: 'POST', headers: auth() })).status).toBe(404);
      expect((await app.request('/api/v1/digests/abc/send', { method: 'POST', headers: auth() })).status).toBe(400);
    } finally {
      await receiver.close();
    }
  });
});
