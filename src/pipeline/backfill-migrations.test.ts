import { sql, type Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createDataDir } from '../../test/support/databases.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { migrate, readMigrationFiles } from '../db/migrate.ts';
import type { DB } from '../db/schema.ts';
import { analysisVersion } from './analysis-version.ts';
import { seedEntities } from './entities.ts';
import { rescorePosts } from './rescore.ts';

/**
 * Posts stored before an analysis was added lack its results: the migration that adds it marks the
 * stored posts it could change (model_version cleared), and one `rescore` fills those in, leaving the
 * others alone. Each case starts from a database migrated up to just before that migration.
 */
const opened: Array<{ database: Database; remove: () => void }> = [];
afterAll(async () => {
  for (const { database, remove } of opened) {
    await database.close();
    remove();
  }
});

/** A database at migrations below `version`, with one stored post per body mentioning `entity`; then migrated to the end. */
async function storedBefore(version: number, entity: { slug: string; name: string }, posts: Record<string, string>): Promise<Kysely<DB>> {
  const dataDir = createDataDir({ cluster: true });
  const database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
  opened.push({ database, remove: dataDir.remove });
  const { db } = database;
  await migrate(
    db,
    readMigrationFiles().filter((f) => f.version < version),
  );
  await seedEntities(db);
  for (const [id, body] of Object.entries(posts)) {
    const post = await sql<{ id: number }>`
      INSERT INTO posts (source, external_id, body, created_at, content_hash, model_version, sentiment_label, sentiment_score, sentiment_confidence)
      VALUES ('reddit', ${id}, ${body}, '2026-03-02T12:00:00Z', ${id}, ${analysisVersion()}, 'neutral', 0, 0.5)
      RETURNING id`.execute(db);
    await sql`
      INSERT INTO mentions (post_id, entity_id, created_at, source, matched_text, start_offset, end_offset, label, score, confidence, model_version)
      SELECT ${post.rows[0]!.id}, id, '2026-03-02T12:00:00Z', 'reddit', ${entity.name}, 0, ${entity.name.length}, 'neutral', 0, 0.5, ${analysisVersion()}
      FROM entities WHERE slug = ${entity.slug}`.execute(db);
  }
  await migrate(db);
  return db;
}

const markedForRescore = async (db: Kysely<DB>) =>
  (
    await sql<{
      external_id: string;
      model_version: string | null;
    }>`SELECT external_id, model_version FROM posts ORDER BY external_id`.execute(db)
  ).rows;

describe('one rescore after upgrading fills what older posts lack', () => {
  it('versions (migration 011): marks posts that may name one, and rescore fills them', async () => {
    const db = await storedBefore(
      11,
      { slug: 'claude-code', name: 'Claude Code' },
      {
        named: 'Claude Code 2.0.55 keeps crashing on start, this release is terrible.',
        plain: 'Claude Code is fine I guess, nothing special this week.',
      },
    );
    expect(await markedForRescore(db)).toEqual([
      { external_id: 'named', model_version: null },
      { external_id: 'plain', model_version: analysisVersion() },
    ]);
    expect((await rescorePosts(db, null)).posts).toBe(1);
    const versions = await sql<{ external_id: string; version: string | null }>`
      SELECT p.external_id, m.version FROM mentions m JOIN posts p ON p.id = m.post_id JOIN entities e ON e.id = m.entity_id
      WHERE e.slug = 'claude-code' ORDER BY 1`.execute(db);
    expect(versions.rows).toEqual([
      { external_id: 'named', version: '2.0.55' },
      { external_id: 'plain', version: null },
    ]);
  });

  it('flows (migration 013): marks posts that may state a move, and rescore writes their flows', async () => {
    const db = await storedBefore(
      13,
      { slug: 'cursor', name: 'Cursor' },
      {
        moved: 'Cursor got too expensive, so I switched from Cursor to Claude Code last week.',
        plain: 'Cursor is fine I guess, nothing special this week.',
      },
    );
    expect(await markedForRescore(db)).toEqual([
      { external_id: 'moved', model_version: null },
      { external_id: 'plain', model_version: analysisVersion() },
    ]);
    expect((await rescorePosts(db, null)).posts).toBe(1);
    const flows = await sql<{ external_id: string; from_slug: string; to_slug: string; kind: string; reason: string | null }>`
      SELECT p.external_id, fe.slug AS from_slug, te.slug AS to_slug, f.kind, f.reason
      FROM post_flows f JOIN posts p ON p.id = f.post_id
      JOIN entities fe ON fe.id = f.from_entity_id JOIN entities te ON te.id = f.to_entity_id`.execute(db);
    expect(flows.rows).toEqual([{ external_id: 'moved', from_slug: 'cursor', to_slug: 'claude-code', kind: 'switch', reason: 'cost' }]);
  });
});
