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
  posts: (
    await sql<{ external_id: string; source: string; label: string; s: number; repost: boolean }>`
      SELECT external_id, source, sentiment_label AS label, round(sentiment_score::numeric, 4)::float8 AS s,
             duplicate_of IS NOT NULL AS repost
      FROM posts ORDER BY 1, 2`.execute(db)
  ).rows,
  aspects: (
    await sql<{ external_id: string; slug: string; aspect: string; polarity: string }>`
      SELECT p.external_id, e.slug, a.aspect, a.polarity FROM mention_aspects a JOIN posts p ON p.id = a.post_id
      JOIN entities e ON e.id = a.entity_id ORDER BY 1, 2, 3`.execute(db)
  ).rows,
  flows: (
    await sql<{ external_id: string; kind: string; from: string | null; to: string | null; reason: string | null }>`
      SELECT p.external_id, f.kind, ef.slug AS "from", et.slug AS "to", f.reason FROM post_flows f
      JOIN posts p ON p.id = f.post_id LEFT JOIN entities ef ON ef.id = f.from_entity_id
      LEFT JOIN entities et ON et.id = f.to_entity_id ORDER BY 1, 2, 3, 4`.execute(db)
  ).rows,
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
        { ...post('b', 'Cursor is awful today, crashed three times.', 9), url: 'https://example.com/cursor' },
        post('c', 'Gemini CLI works, nothing special.', 11),
        post('d', 'Switched from Cursor to Claude Code last month because Cursor kept crashing on big repos.', 12),
      ],
    });
    // The same link and text again on another source: stored as a repost of b, without mentions of its own.
    const repost = { ...post('e', 'Cursor is awful today, crashed three times.', 10), source: 'hn', url: 'https://example.com/cursor' };
    await ingestor.ingest({ posts: [repost] });
    const fresh = await snapshot(db);
    // What the comparison below rests on: a repost, a flow and aspects are there to be read again.
    expect(fresh.posts.filter((p) => p.repost)).toHaveLength(1);
    expect(fresh.flows).toContainEqual(expect.objectContaining({ external_id: 'd', from: 'cursor', to: 'claude-code' }));
    expect(fresh.aspects.length).toBeGreaterThan(0);

    // Pretend an older model scored everything as neutral, and an LLM tier answered for it.
    await sql`UPDATE posts SET model_version = 'devsent-0'`.execute(db);
    await sql`UPDATE mentions SET label = 'neutral', score = 0, model_version = 'devsent-0', sentiment_tier = 'llm'`.execute(db);
    await sql`UPDATE sentiment_rollups SET positive = 0, negative = 0, neutral = n, score_sum = 0, score_sq_sum = 0`.execute(db);
    await sql`UPDATE posts SET sentiment_label = 'neutral', sentiment_score = 0`.execute(db);
    await sql`DELETE FROM mention_aspects`.execute(db);
    await sql`DELETE FROM post_flows`.execute(db);
    expect(await snapshot(db)).not.toEqual(fresh);

    const result = await rescorePosts(db, null);
    expect(result.posts).toBe(5);
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

  it('re-reads every post once when more than a batch share one timestamp', async () => {
    const db = get().db;
    const ingestor = await createIngestor(db);
    const same = Array.from({ length: 1_100 }, (_, i) => post(`same-${i}`, `Cursor note number ${i}, it works.`, 20));
    await ingestor.ingest({ posts: same });
    await sql`UPDATE posts SET model_version = 'devsent-0' WHERE external_id LIKE 'same-%'`.execute(db);
    expect((await rescorePosts(db, null)).posts).toBe(1_100);
    const stale = await sql<{ n: number }>`SELECT count(*)::int AS n FROM posts WHERE model_version = 'devsent-0'`.execute(db);
    expect(stale.rows[0]?.n).toBe(0);
    await sql`DELETE FROM posts WHERE external_id LIKE 'same-%'`.execute(db);
  });

  it('stores what a fresh ingest stored, on the calling thread and reading ahead in a worker thread alike', async () => {
    const db = get().db;
    const ingestor = await createIngestor(db);
    const bodies = [
      'Claude Code is excellent, it fixed the bug in minutes.',
      'Cursor is awful today, crashed three times.',
      'Switched from Cursor to Claude Code because Cursor kept hitting rate limits.',
      'Gemini CLI works, nothing special.',
    ];
    // Three batches and a bit, with mentions, aspects and flows in each, in hours no other test uses
    // (a test that deletes its posts leaves their hours' rollups behind).
    const many = Array.from({ length: 1_600 }, (_, i) => post(`ahead-${i}`, `${bodies[i % bodies.length]} (${i})`, 1 + (i % 7)));
    await ingestor.ingest({ posts: many });
    const fresh = await snapshot(db);
    expect(fresh.flows.filter((f) => f.external_id.startsWith('ahead-'))).toHaveLength(400);
    const stale = async () => {
      await sql`UPDATE posts SET model_version = 'devsent-0' WHERE external_id LIKE 'ahead-%'`.execute(db);
      await sql`DELETE FROM mentions WHERE post_id IN (SELECT id FROM posts WHERE external_id LIKE 'ahead-%')`.execute(db);
    };
    await stale();
    let reported = 0;
    const inline = await rescorePosts(db, null, { onProgress: (p) => (reported = p.posts) });
    expect(reported).toBe(1_600);
    expect(await snapshot(db)).toEqual(fresh);
    await stale();
    expect(await rescorePosts(db, null, { analysisThreads: 1 })).toEqual(inline);
    expect(await snapshot(db)).toEqual(fresh);
    await sql`DELETE FROM posts WHERE external_id LIKE 'ahead-%'`.execute(db);
  });

  it('stops after the batch it is writing when told to', async () => {
    const db = get().db;
    const ingestor = await createIngestor(db);
    await ingestor.ingest({ posts: Array.from({ length: 1_200 }, (_, i) => post(`stop-${i}`, `Cursor note ${i}, it works.`, 21)) });
    await sql`UPDATE posts SET model_version = 'devsent-0' WHERE external_id LIKE 'stop-%'`.execute(db);
    const controller = new AbortController();
    const result = await rescorePosts(db, null, { analysisThreads: 1, signal: controller.signal, onProgress: () => controller.abort() });
    // The first batch is stored; the one read ahead is dropped and left for the next rescore.
    expect(result.posts).toBe(500);
    const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM posts WHERE model_version = 'devsent-0'`.execute(db);
    expect(left.rows[0]?.n).toBe(700);
    expect((await rescorePosts(db, null)).posts).toBe(700);
    await sql`DELETE FROM posts WHERE external_id LIKE 'stop-%'`.execute(db);
  });

  it('only touches posts since the given date', async () => {
    const db = get().db;
    await sql`UPDATE posts SET model_version = 'devsent-0'`.execute(db);
    const result = await rescorePosts(db, new Date(Date.UTC(2026, 3, 1, 10)));
    expect(result.posts).toBe(3);
    const stale = await sql<{ n: number }>`SELECT count(*)::int AS n FROM posts WHERE model_version = 'devsent-0'`.execute(db);
    expect(stale.rows[0]?.n).toBe(2);
  });
});
