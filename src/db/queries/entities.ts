import { sql, type Kysely, type Transaction } from 'kysely';
import type { Disambiguation, RegistryEntity } from '../../core/entity.ts';
import type { DB } from '../schema.ts';

export type Executor = Kysely<DB> | Transaction<DB>;

/** A stored entity: the registry fields plus where it came from. */
export interface EntityRecord extends RegistryEntity {
  id: number;
  origin: 'registry' | 'user';
  userModified: boolean;
}

function baseQuery(db: Executor) {
  return db
    .selectFrom('entities as e')
    .leftJoin('entities as p', 'p.id', 'e.parent_id')
    .where('e.removed_at', 'is', null)
    .select([
      'e.id',
      'e.slug',
      'e.name',
      'e.kind',
      'p.slug as parent',
      'e.aliases',
      'e.disambiguation',
      'e.homepage',
      'e.origin',
      'e.user_modified as userModified',
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirst']>>;

function toRecord(row: NonNullable<Row>): EntityRecord {
  return { ...row, disambiguation: row.disambiguation as Disambiguation };
}

export async function listEntities(db: Executor): Promise<EntityRecord[]> {
  const rows = await baseQuery(db).orderBy('e.kind').orderBy('e.slug').execute();
  return rows.map(toRecord);
}

export async function findEntity(db: Executor, slug: string): Promise<EntityRecord | undefined> {
  const row = await baseQuery(db).where('e.slug', '=', slug).executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

/**
 * Adds a registry entity, or refreshes one the user never touched. Entities the user edited,
 * added or removed are left exactly as they are.
 */
export async function upsertRegistryEntity(db: Executor, entity: RegistryEntity): Promise<'inserted' | 'updated' | 'kept'> {
  const result = await sql<{ inserted: boolean }>`
    INSERT INTO entities (slug, name, kind, parent_id, aliases, disambiguation, homepage, origin)
    VALUES (
      ${entity.slug}, ${entity.name}, ${entity.kind},
      (SELECT id FROM entities WHERE slug = ${entity.parent}),
      ${entity.aliases}, ${JSON.stringify(entity.disambiguation)}::jsonb, ${entity.homepage}, 'registry'
    )
    ON CONFLICT (slug) DO UPDATE SET
      name = excluded.name, kind = excluded.kind, parent_id = excluded.parent_id, aliases = excluded.aliases,
      disambiguation = excluded.disambiguation, homepage = excluded.homepage, updated_at = now()
    WHERE entities.origin = 'registry' AND NOT entities.user_modified AND entities.removed_at IS NULL
      AND (entities.name, entities.kind, entities.parent_id, entities.aliases, entities.disambiguation, entities.homepage)
          IS DISTINCT FROM (excluded.name, excluded.kind, excluded.parent_id, excluded.aliases, excluded.disambiguation, excluded.homepage)
    RETURNING (xmax = 0) AS inserted`.execute(db);
  const row = result.rows[0];
  return row === undefined ? 'kept' : row.inserted ? 'inserted' : 'updated';
}

/** Adds a user entity, or brings back a removed one with the user's values. Undefined if the slug is taken. */
export async function insertUserEntity(db: Executor, entity: RegistryEntity): Promise<EntityRecord | undefined> {
  const result = await sql<{ id: number }>`
    INSERT INTO entities (slug, name, kind, parent_id, aliases, disambiguation, homepage, origin, user_modified)
    VALUES (
      ${entity.slug}, ${entity.name}, ${entity.kind},
      (SELECT id FROM entities WHERE slug = ${entity.parent} AND removed_at IS NULL),
      ${entity.aliases}, ${JSON.stringify(entity.disambiguation)}::jsonb, ${entity.homepage}, 'user', true
    )
    ON CONFLICT (slug) DO UPDATE SET
      name = excluded.name, kind = excluded.kind, parent_id = excluded.parent_id, aliases = excluded.aliases,
      disambiguation = excluded.disambiguation, homepage = excluded.homepage,
      user_modified = true, removed_at = NULL, updated_at = now()
    WHERE entities.removed_at IS NOT NULL
    RETURNING id`.execute(db);
  return result.rows[0] ? findEntity(db, entity.slug) : undefined;
}

export interface EntityUpdate {
  name?: string;
  /** undefined: unchanged; null: no parent. */
  parentId?: number | null;
  aliases?: string[];
  disambiguation?: Disambiguation;
  homepage?: string | null;
}

/** Changes a tracked entity and marks it the user's, so seeding never reverts it. False when there is none. */
export async function updateEntity(db: Executor, slug: string, update: EntityUpdate): Promise<boolean> {
  const result = await db
    .updateTable('entities')
    .set({
      ...(update.name === undefined ? {} : { name: update.name }),
      ...(update.parentId === undefined ? {} : { parent_id: update.parentId }),
      ...(update.aliases === undefined ? {} : { aliases: update.aliases }),
      ...(update.disambiguation === undefined ? {} : { disambiguation: JSON.stringify(update.disambiguation) }),
      ...(update.homepage === undefined ? {} : { homepage: update.homepage }),
      user_modified: true,
      updated_at: new Date(),
    })
    .where('slug', '=', slug)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Hides an entity and keeps a tombstone, so seeding never brings a removed registry entity back. */
export async function removeEntity(db: Executor, slug: string): Promise<boolean> {
  const result = await db
    .updateTable('entities')
    .set({ removed_at: new Date(), user_modified: true, updated_at: new Date() })
    .where('slug', '=', slug)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
