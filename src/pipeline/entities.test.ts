import { describe, expect, it } from 'vitest';
import type { EntityRegistry } from '../core/entity.ts';
import { listEntities, findEntity } from '../db/queries/entities.ts';
import { migrate } from '../db/migrate.ts';
import { describeOnBothTargets } from '../../test/support/targets.ts';
import { addEntity, loadEntityRegistry, orderByHierarchy, removeEntity, seedEntities } from './entities.ts';
import { NewEntityInput } from '../core/entity.ts';

const registry = (names: Record<string, string>): EntityRegistry => ({
  version: 1,
  entities: [
    {
      slug: 'acme',
      name: names.acme ?? 'Acme',
      kind: 'vendor',
      parent: null,
      aliases: ['Acme'],
      disambiguation: { ambiguousAliases: [], context: [], antiContext: [], caseSensitiveAliases: [] },
      homepage: null,
    },
    {
      slug: 'acme-coder',
      name: names.coder ?? 'Acme Coder',
      kind: 'tool',
      parent: 'acme',
      aliases: ['AcmeCoder'],
      disambiguation: { ambiguousAliases: [], context: [], antiContext: [], caseSensitiveAliases: [] },
      homepage: 'https://acme.example',
    },
    {
      slug: 'acme-model',
      name: 'Acme Model',
      kind: 'model',
      parent: 'acme',
      aliases: [],
      disambiguation: { ambiguousAliases: [], context: [], antiContext: [], caseSensitiveAliases: [] },
      homepage: null,
    },
  ],
});

describe('the shipped registry', () => {
  it('parses, has at least 40 entities, and every parent exists without cycles', () => {
    const shipped = loadEntityRegistry();
    expect(shipped.entities.length).toBeGreaterThanOrEqual(40);
    expect(orderByHierarchy(shipped.entities)).toHaveLength(shipped.entities.length);
  });
});

describe('orderByHierarchy', () => {
  it('puts parents first and rejects unknown parents and cycles', () => {
    const entities = registry({}).entities.slice().reverse();
    expect(orderByHierarchy(entities)[0]?.slug).toBe('acme');
    expect(() => orderByHierarchy([{ ...entities[0]!, parent: 'ghost' }])).toThrow(/unknown parent ghost/);
    const a = { ...entities[0]!, slug: 'a', parent: 'b' };
    const b = { ...entities[0]!, slug: 'b', parent: 'a' };
    expect(() => orderByHierarchy([a, b])).toThrow(/parent cycle/);
  });
});

describeOnBothTargets('seeding entities', (get) => {
  it('inserts the registry with parents resolved', async () => {
    await migrate(get().db);
    expect(await seedEntities(get().db, registry({}))).toEqual({ inserted: 3, updated: 0, kept: 0 });
    expect((await findEntity(get().db, 'acme-coder'))?.parent).toBe('acme');
  });

  it('is idempotent', async () => {
    expect(await seedEntities(get().db, registry({}))).toEqual({ inserted: 0, updated: 0, kept: 3 });
    expect(await listEntities(get().db)).toHaveLength(3);
  });

  it('refreshes untouched registry entities when the registry changes', async () => {
    expect(await seedEntities(get().db, registry({ acme: 'Acme Corp' }))).toEqual({ inserted: 0, updated: 1, kept: 2 });
    expect((await findEntity(get().db, 'acme'))?.name).toBe('Acme Corp');
  });

  it('never overrides what the user added, removed or edited', async () => {
    const db = get().db;
    await addEntity(db, NewEntityInput.parse({ slug: 'mine', name: 'Mine', kind: 'tool', parent: 'acme' }));
    await removeEntity(db, 'acme-model');
    await removeEntity(db, 'acme-coder');
    await addEntity(db, NewEntityInput.parse({ slug: 'acme-coder', name: 'My Coder', kind: 'tool', aliases: ['mc'] }));
    await seedEntities(db, registry({ coder: 'Registry Coder' }));
    const slugs = (await listEntities(db)).map((e) => e.slug).sort();
    expect(slugs).toEqual(['acme', 'acme-coder', 'mine']);
    expect(await findEntity(db, 'acme-coder')).toMatchObject({ name: 'My Coder', aliases: ['mc'], parent: null });
    expect((await findEntity(db, 'mine'))?.parent).toBe('acme');
  });

  it('refuses a duplicate slug and an unknown parent', async () => {
    const db = get().db;
    await expect(addEntity(db, NewEntityInput.parse({ slug: 'mine', name: 'Again', kind: 'tool' }))).rejects.toThrow(/already exists/);
    await expect(addEntity(db, NewEntityInput.parse({ slug: 'x', name: 'X', kind: 'tool', parent: 'nope' }))).rejects.toThrow(
      /parent: no entity/,
    );
    await expect(removeEntity(db, 'nope')).rejects.toThrow(/no entity with slug "nope"/);
  });
});
