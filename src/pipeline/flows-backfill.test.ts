import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataDir } from '../../test/support/databases.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { migrate, readMigrationFiles } from '../db/migrate.ts';
import { SENTIMENT_MODEL_VERSION } from '../understand/sentiment/index.ts';
import { seedEntities } from './entities.ts';
import { rescorePosts } from './rescore.ts';

// Posts stored before flows were extracted have none: migration 013 marks the ones that could state
// a move, and one `rescore` writes their flows, leaving the others alone.
describe('flows of posts stored before migration 013', () => {
  let database: Database;
  const dataDir = createDataDir({ cluster: true });

  beforeAll(async () => {
    database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
  });
  afterAll(async () => {
    await database.close();
    dataDir.remove();
  });

  it('marks posts that may state a move for rescore, which writes their flows', async () => {
    const { db } = database;
    await migrate(db, readMigrationFiles().filter((f) => f.version < 13));
    await seedEntities(db);
    const store = async (id: string, body: string) => {
      const post = await sql<{ id: number }>`
        INSERT INTO posts (source, external_id, body, created_at, content_hash, model_version, sentiment_label, sentiment_score, sentiment_confidence)
        VALUES ('reddit', ${id}, ${body}, '2026-03-02T12:00:00Z', ${id}, ${SENTIMENT_MODEL_VERSION}, 'neutral', 0, 0.5)
        RETURNING id`.execute(db);
      await sql`
        INSERT INTO mentions (post_id, entity_id, created_at, source, matched_text, start_offset, end_offset, label, score, confidence, model_version)
        SELECT ${post.rows[0]!.id}, id, '2026-03-02T12:00:00Z', 'reddit', 'Cursor', 0, 6, 'neutral', 0, 0.5, ${SENTIMENT_MODEL_VERSION}
        FROM entities WHERE slug = 'cursor'`.execute(db);
    };
    await store('moved', 'Cursor got too expensive, so I switched from Cursor to Claude Code last week.');
    await store('plain', 'Cursor is fine I guess, nothing special this week.');

    await migrate(db);
    const marked = await sql<{ external_id: string; model_version: string | null }>`SELECT external_id, model_version FROM posts ORDER BY external_id`.execute(db);
    expect(marked.rows).toEqual([
      { external_id: 'moved', model_version: null },
      { external_id: 'plain', model_version: SENTIMENT_MODEL_VERSION },
    ]);

    expect((await rescorePosts(db, null)).posts).toBe(1);
    const flows = await sql<{ external_id: string; from_slug: string; to_slug: string; kind: string; reason: string | null }>`
      SELECT p.external_id, fe.slug AS from_slug, te.slug AS to_slug, f.kind, f.reason
      FROM post_flows f JOIN posts p ON p.id = f.post_id
      JOIN entities fe ON fe.id = f.from_entity_id JOIN entities te ON te.id = f.to_entity_id`.execute(db);
    expect(flows.rows).toEqual([{ external_id: 'moved', from_slug: 'cursor', to_slug: 'claude-code', kind: 'switch', reason: 'cost' }]);
  });
});
