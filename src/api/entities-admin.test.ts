import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAdminApp, type AdminApp } from '../../test/support/admin-app.ts';
import type { App } from './app.ts';

const ADMIN = 'entities-admin-token-456';
let opened: AdminApp;
let app: App;

beforeAll(async () => {
  // As `serve` runs it, response cache included: a removal must not leave the entity in a cached list.
  opened = await openAdminApp(ADMIN);
  ({ app } = opened);
});

afterAll(() => opened?.close());

const remove = (slug: string, token?: string) =>
  app.request(`/api/v1/entities/${slug}`, { method: 'DELETE', headers: token ? { authorization: `Bearer ${token}` } : {} });
const listedSlugs = async () =>
  ((await (await app.request('/api/v1/entities')).json()) as { items: { slug: string }[] }).items.map((e) => e.slug);

describe('DELETE /api/v1/entities/{slug}', () => {
  it('needs the admin token: without one 401, a wrong one 403, and the entity stays', async () => {
    const added = await app.request('/api/v1/entities', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'quill', name: 'Quill', kind: 'tool', aliases: ['quill.dev'] }),
    });
    expect(added.status).toBe(201);
    expect((await remove('quill')).status).toBe(401);
    const wrong = await remove('quill', 'not-it');
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect((await app.request('/api/v1/entities/quill')).status).toBe(200);
  });

  it('removes the entity from the list and its page, even right after the list was read (no stale cache)', async () => {
    expect(await listedSlugs()).toContain('quill');
    const removed = await remove('quill', ADMIN);
    expect(removed.status).toBe(204);
    expect(await listedSlugs()).not.toContain('quill');
    expect((await app.request('/api/v1/entities/quill')).status).toBe(404);
  });

  it('answers 404 for an unknown or already removed slug and 400 for a malformed one', async () => {
    const again = await remove('quill', ADMIN);
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ error: { code: 'not_found', message: 'no entity with slug "quill"' } });
    expect((await remove('Not_A_Slug', ADMIN)).status).toBe(400);
  });

  it('is documented with its operationId and the admin security scheme', async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { operationId?: string; security?: unknown }>>;
    };
    expect(doc.paths['/api/v1/entities/{slug}']?.delete).toMatchObject({ operationId: 'removeEntity', security: [{ adminToken: [] }] });
  });
});
