import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { NormalizedPost } from '../core/post.ts';
import { migrate } from '../db/migrate.ts';
import { describeOnBothTargets } from '../../test/support/targets.ts';
import { seedEntities } from './entities.ts';
import { createIngestor } from './ingest.ts';
import { rescorePosts } from './rescore.ts';

const post = (id: string, body: string, hour: number): NormalizedPost => ({
  source: 'reddit',
  externalId: id,
  url: null,
  author: null,
  title: null,
  body,
  createdAt: new Date(Date.UTC(2026, 3, 1, hour, 15)),
  score: 3,
  comments: 1,
  parentId: null,
  threadId: null,
});

type Db = Parameters<typeof migrate>[0];
const snapshot = async (db: Db) => ({
  mentions: (
    await sql<{ external_id: string; slug: string; label: string; score: number }>`
      SELECT p.external_id, e.slug, m.label, m.score FROM mentions m JOIN posts p ON p.id = m.post_id
      JOIN entities e ON e.id = m.entity_id ORDER BY 1, 2`.execute(db)
  ).rows,
  rollups: (
    await sql<{ entity_id: number; bucket: Date; n: number; positive: number; negative: number; s: number }>`
      SELECT entity_id, bucket, n, positive, negative, round(score_sum::numeric, 4)::float8 AS s
      FROM sentiment_rollups ORDER BY 1, 2`.execute(db)
  ).rows,
});

describeOnBothTargets('rescore', (get) => {
  it('re-scores posts of an older model version and leaves mentions and rollups as a fresh ingest would', async () => {
    const db = get().db;
    await migrate(db);
    await seedEntities(db);
    const ingestor = await createIngestor(db);
    await ingestor.ingest({
      posts: [
        post('a', 'Claude Code is excellent, it fixed the bug in minutes.', 9),
        post('b', 'Cursor is awful today, crashed three times.', 9),
        post('c', 'Gemini CLI works, nothing special.', 11),
      ],
    });
    const fresh = await snapshot(db);

    // Pretend an older model scored everything as neutral, and an LLM tier answered for it.
    await sql`UPDATE posts SET model_version = 'devsent-0'`.execute(db);
    await sql`UPDATE mentions SET label = 'neutral', score = 0, model_version = 'devsent-0', sentiment_tier = 'llm'`.execute(db);
    await sql`UPDATE sentiment_rollups SET positive = 0, negative = 0, neutral = n, score_sum = 0, score_sq_sum = 0`.execute(db);
    expect(await snapshot(db)).not.toEqual(fresh);

    const result = await rescorePosts(db, null);
    expect(result.posts).toBe(3);
    expect(await snapshot(db)).toEqual(fresh);
    const versions = await sql<{ v: string }>`SELECT DISTINCT model_version AS v FROM mentions`.execute(db);
    expect(versions.rows.map((r) => r.v)).toEqual([ingestor.analyzer.modelVersion]);
    // A rescore reads with the local model only, and says so.
    const tiers = await sql<{ t: string }>`SELECT DISTINCT sentiment_tier AS t FROM mentions`.execute(db);
    expect(tiers.rows.map((r) => r.t)).toEqual(['local']);
  });

  it('has nothing left to do once every post carries the current version', async () => {
    expect(await rescorePosts(get().db, null)).toEqual({ posts: 0, mentions: 0 });
  });

  it('only touches posts since the given date', async () => {
    const db = get().db;
    await sql`UPDATE posts SET model_version = 'devsent-0'`.execute(db);
    const result = await rescorePosts(db, new Date(Date.UTC(2026, 3, 1, 10)));
    expect(result.posts).toBe(1);
    const stale = await sql<{ n: number }>`SELECT count(*)::int AS n FROM posts WHERE model_version = 'devsent-0'`.execute(db);
    expect(stale.rows[0]?.n).toBe(2);
  });
});
