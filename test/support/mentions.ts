import { sql, type Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';

/** One mention to store, with the post that carries it. */
export interface MentionSeed {
  at: string;
  score: number;
  label: 'positive' | 'neutral' | 'negative';
  source?: string;
  engagement?: number;
  title?: string;
  body?: string;
  aspects?: Array<{ aspect: string; polarity: 'positive' | 'neutral' | 'negative'; score: number }>;
}

let postCounter = 0;

export async function insertTestEntity(db: Kysely<DB>, slug: string, kind: 'model' | 'tool' | 'vendor' = 'tool'): Promise<number> {
  const row = await sql<{ id: number }>`INSERT INTO entities (slug, name, kind) VALUES (${slug}, ${slug}, ${kind}) RETURNING id`.execute(
    db,
  );
  return row.rows[0]!.id;
}

/** Stores a post and the entity's mention of it (and its aspects) directly, bypassing analysis; returns the post id. */
export async function insertTestMention(db: Kysely<DB>, entityId: number, seed: MentionSeed): Promise<number> {
  postCounter += 1;
  const source = seed.source ?? 'hn';
  const external = `p${process.pid}-${postCounter}-${Math.random().toString(36).slice(2, 8)}`;
  const post = await sql<{ id: number }>`
    INSERT INTO posts (source, external_id, url, title, body, created_at, content_hash)
    VALUES (${source}, ${external}, ${`https://example.test/${external}`}, ${seed.title ?? null}, ${seed.body ?? `body ${postCounter}`},
            ${seed.at}::timestamptz, ${external})
    RETURNING id`.execute(db);
  const postId = Number(post.rows[0]!.id);
  await sql`
    INSERT INTO mentions (post_id, entity_id, created_at, source, matched_text, start_offset, end_offset, label, score, confidence, model_version, engagement)
    VALUES (${postId}, ${entityId}, ${seed.at}::timestamptz, ${source}, 'alpha', 0, 5, ${seed.label}, ${seed.score}, 0.9, 'test', ${seed.engagement ?? 0})`.execute(
    db,
  );
  for (const aspect of seed.aspects ?? []) {
    await sql`
      INSERT INTO mention_aspects (post_id, entity_id, created_at, source, aspect, polarity, score, confidence, evidence, start_offset, end_offset)
      VALUES (${postId}, ${entityId}, ${seed.at}::timestamptz, ${source}, ${aspect.aspect}, ${aspect.polarity}, ${aspect.score}, 0.8, 'evidence', 0, 8)`.execute(
      db,
    );
  }
  return postId;
}
