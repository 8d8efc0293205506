import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAdminApp, type AdminApp } from '../../test/support/admin-app.ts';
import type { Database } from '../db/client.ts';
import { listEntities } from '../db/queries/entities.ts';
import { createAnalyzer } from '../pipeline/analyze.ts';
import { seedEntities } from '../pipeline/entities.ts';
import type { App } from './app.ts';

const ADMIN = 'entities-edit-token-789';
let opened: AdminApp;
let database: Database;
let app: App;

beforeAll(async () => {
  // The response cache is on, as in `serve`: an edit must show at once.
  opened = await openAdminApp(ADMIN);
  ({ database, app } = opened);
  await seedEntities(database.db);
});

afterAll(() => opened?.close());

const edit = (slug: string, body: unknown, token: string | null = ADMIN) =>
  app.request(`/api/v1/entities/${slug}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

describe('PATCH /api/v1/entities/{slug}', () => {
  it('needs the admin token, and changes nothing without it', async () => {
    expect((await edit('cursor', { name: 'Nope' }, null)).status).toBe(401);
    expect((await edit('cursor', { name: 'Nope' }, 'wrong')).status).toBe(403);
    expect(((await (await app.request('/api/v1/entities/cursor')).json()) as { name: string }).name).toBe('Cursor');
  });

  it("changes the fields sent, keeps the others and the linker's other rules, and the linker uses the new names", async () => {
    const before = (await listEntities(database.db)).find((e) => e.slug === 'cursor')!;
    const res = await edit('cursor', { name: 'Cursor Editor', aliases: ['Cursor IDE', 'cursr'], context: ['editor', 'agent'] });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      slug: 'cursor',
      name: 'Cursor Editor',
      kind: 'tool',
      parent: null,
      aliases: ['Cursor IDE', 'cursr'],
    });
    const after = (await listEntities(database.db)).find((e) => e.slug === 'cursor')!;
    expect(after).toMatchObject({ userModified: true, homepage: before.homepage });
    expect(after.disambiguation).toEqual({ ...before.disambiguation, context: ['editor', 'agent'] });
    const analysis = createAnalyzer(await listEntities(database.db)).analyze({
      title: null,
      body: 'Honestly cursr is the best editor I have paid for.',
      parentId: null,
    });
    expect(analysis.mentions.map((m) => m.slug)).toContain('cursor');
  });

  it('is never reverted by seeding at the next start', async () => {
    await seedEntities(database.db);
    expect((await listEntities(database.db)).find((e) => e.slug === 'cursor')).toMatchObject({
      name: 'Cursor Editor',
      aliases: ['Cursor IDE', 'cursr'],
    });
  });

  it('moves an entity under another parent, or to none', async () => {
    expect(await (await edit('cursor', { parent: 'anthropic' })).json()).toMatchObject({ parent: 'anthropic' });
    expect(await (await edit('cursor', { parent: null })).json()).toMatchObject({ parent: null });
  });

  it('refuses with a clear 400 an empty change, an unknown field, a cycle and an unknown parent; 404 for no entity', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['cursor', {}, /name at least one field to change/],
      ['cursor', { kind: 'model' }, /kind/],
      ['cursor', { name: '' }, /^name: /],
      ['anthropic', { parent: 'claude-code' }, /"claude-code" is inside "anthropic"/],
      ['cursor', { parent: 'cursor' }, /the entity itself/],
      ['cursor', { parent: 'no-such-thing' }, /parent: no entity with slug "no-such-thing"/],
      ['cursor', { homepage: 'javascript:alert(1)' }, /^homepage: /],
    ];
    for (const [slug, body, message] of cases) {
      const res = await edit(slug, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await errorOf(res)).message).toMatch(message);
    }
    expect((await edit('no-such-entity', { name: 'X' })).status).toBe(404);
    expect((await listEntities(database.db)).find((e) => e.slug === 'anthropic')?.parent).toBeNull();
  });
});
