import { readFileSync } from 'node:fs';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.ts';
import { EntityRegistry, type EntityChanges, type NewEntityInput, type RegistryEntity } from '../core/entity.ts';
import {
  findEntity,
  insertUserEntity,
  listEntities,
  removeEntity as removeEntityRow,
  updateEntity,
  upsertRegistryEntity,
  type EntityRecord,
  type Executor,
} from '../db/queries/entities.ts';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export const REGISTRY_PATH = new URL('../../registry/entities.json', import.meta.url);

export function loadEntityRegistry(path: URL | string = REGISTRY_PATH): EntityRegistry {
  const parsed = EntityRegistry.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`entity registry ${String(path)}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

/** Parents before children, so each insert can resolve its parent's id. */
export function orderByHierarchy(entities: RegistryEntity[]): RegistryEntity[] {
  const bySlug = new Map(entities.map((e) => [e.slug, e]));
  const ordered: RegistryEntity[] = [];
  const placed = new Set<string>();
  const visit = (entity: RegistryEntity, path: string[]): void => {
    if (placed.has(entity.slug)) return;
    if (path.includes(entity.slug)) throw new ValidationError(`entity registry: parent cycle ${[...path, entity.slug].join(' -> ')}`);
    const parent = entity.parent ? bySlug.get(entity.parent) : undefined;
    if (entity.parent && !parent) throw new ValidationError(`entity registry: ${entity.slug} has unknown parent ${entity.parent}`);
    if (parent) visit(parent, [...path, entity.slug]);
    placed.add(entity.slug);
    ordered.push(entity);
  };
  for (const entity of entities) visit(entity, []);
  return ordered;
}

export interface SeedResult {
  inserted: number;
  updated: number;
  kept: number;
}

/** Runs at every start: adds new registry entries, refreshes untouched ones, never overrides the user. */
export async function seedEntities(db: Kysely<DB>, registry = loadEntityRegistry()): Promise<SeedResult> {
  const result: SeedResult = { inserted: 0, updated: 0, kept: 0 };
  await db.transaction().execute(async (trx) => {
    for (const entity of orderByHierarchy(registry.entities)) result[await upsertRegistryEntity(trx, entity)]++;
  });
  return result;
}

export async function addEntity(db: Executor, input: NewEntityInput): Promise<EntityRecord> {
  if (input.parent && !(await findEntity(db, input.parent))) {
    throw new ValidationError(`parent: no entity with slug "${input.parent}"`);
  }
  const created = await insertUserEntity(db, input);
  if (!created) throw new ConflictError(`an entity with slug "${input.slug}" already exists`);
  return created;
}

export async function removeEntity(db: Executor, slug: string): Promise<void> {
  if (!(await removeEntityRow(db, slug))) throw new NotFoundError(`no entity with slug "${slug}"`);
}

/**
 * Applies a user's changes to a tracked entity (registry or user-added); from then on seeding leaves
 * it alone. A parent must exist and must not be the entity or one of its descendants.
 */
export async function editEntity(db: Kysely<DB>, slug: string, changes: EntityChanges): Promise<EntityRecord> {
  return db.transaction().execute(async (trx) => {
    const entity = await findEntity(trx, slug);
    if (!entity) throw new NotFoundError(`no entity with slug "${slug}"`);
    let parentId: number | null | undefined;
    if (changes.parent !== undefined) {
      parentId = null;
      if (changes.parent !== null) {
        const all = await listEntities(trx);
        const parent = all.find((e) => e.slug === changes.parent);
        if (!parent) throw new ValidationError(`parent: no entity with slug "${changes.parent}"`);
        const parentOf = new Map(all.map((e) => [e.slug, e.parent]));
        for (let at: string | null | undefined = parent.slug; at; at = parentOf.get(at)) {
          if (at === slug)
            throw new ValidationError(
              `parent: "${changes.parent}" is ${slug === changes.parent ? 'the entity itself' : `inside "${slug}"`}; an entity cannot be its own ancestor`,
            );
        }
        parentId = parent.id;
      }
    }
    await updateEntity(trx, slug, {
      name: changes.name,
      parentId,
      aliases: changes.aliases,
      disambiguation: changes.context === undefined ? undefined : { ...entity.disambiguation, context: changes.context },
      homepage: changes.homepage,
    });
    return (await findEntity(trx, slug))!;
  });
}
