import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataDir } from '../../test/support/databases.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { migrate, readMigrationFiles } from '../db/migrate.ts';
import { SENTIMENT_MODEL_VERSION } from '../understand/sentiment/index.ts';
import { seedEntities } from './entities.ts';
import { rescorePosts } from './rescore.ts';

// Posts stored before migration 011 have mentions without versions: the migration marks the ones
// that could name a version, and one `rescore` fills them, leaving the others alone.
describe('versions on mentions stored before migration 011', () => {
  let database: Database;
  const dataDir = createDataDir();

  beforeAll(async () => {
    database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
  });
  afterAll(async () => {
    await database.close();
    dataDir.remove();
  });

  it('marks posts that may name a version for rescore, which fills their versions', async () => {
    const { db } = database;
    await migrate(db, readMigrationFiles().filter((f) => f.version < 11));
    await seedEntities(db);
    const store = async (id: string, body: string) => {
      const post = await sql<{ id: number }>`
        INSERT INTO posts (source, external_id, body, created_at, content_hash, model_version, sentiment_label, sentiment_score, sentiment_confidence)
        VALUES ('reddit', ${id}, ${body}, '2026-03-02T12:00:00Z', ${id}, ${SENTIMENT_MODEL_VERSION}, 'neutral', 0, 0.5)
        RETURNING id`.execute(db);
      await sql`
        INSERT INTO mentions (post_id, entity_id, created_at, source, matched_text, start_offset, end_offset, label, score, confidence, model_version)
        SELECT ${post.rows[0]!.id}, id, '2026-03-02T12:00:00Z', 'reddit', 'Claude Code', 0, 11, 'neutral', 0, 0.5, ${SENTIMENT_MODEL_VERSION}
        FROM entities WHERE slug = 'claude-code'`.execute(db);
    };
    await store('named', 'Claude Code 2.0.55 keeps crashing on start, this release is terrible.');
    await store('plain', 'Claude Code is fine I guess, nothing special this week.');

    await migrate(db);
    const marked = await sql<{ external_id: string; model_version: string | null }>`SELECT external_id, model_version FROM posts ORDER BY external_id`.execute(db);
    expect(marked.rows).toEqual([
      { external_id: 'named', model_version: null },
      { external_id: 'plain', model_version: SENTIMENT_MODEL_VERSION },
    ]);

    const result = await rescorePosts(db, null);
    expect(result.posts).toBe(1);
    const versions = await sql<{ external_id: string; version: string | null }>`
      SELECT p.external_id, m.version FROM mentions m JOIN posts p ON p.id = m.post_id JOIN entities e ON e.id = m.entity_id
      WHERE e.slug = 'claude-code' ORDER BY 1`.execute(db);
    expect(versions.rows).toEqual([
      { external_id: 'named', version: '2.0.55' },
      { external_id: 'plain', version: null },
    ]);
  });
});
