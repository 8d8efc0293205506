import { sql, type Kysely } from 'kysely';
import type { NormalizedPost } from '../core/post.ts';
import { deleteFlowsOfPosts, insertFlows } from '../db/queries/flows.ts';
import { insertAspects, insertMentions, rebuildRollups } from '../db/queries/ingest.ts';
import type { DB } from '../db/schema.ts';
import { buildFlowRows, buildMentionRows, createIngestor } from './ingest.ts';

export interface RescoreProgress {
  posts: number;
  mentions: number;
}

const BATCH = 500;

/**
 * Re-links and re-scores stored posts whose model version is not the current one, a batch per
 * transaction, then rebuilds the hourly rollups the batch touched. Stopping half-way is safe:
 * finished batches carry the new version and are not redone.
 *
 * It reads with the local model and the rules only, never the optional LLM tiers (their calls would
 * spend the daily budget on old posts): a rescored post's sentiment and aspects come back local
 * ('local', 'rules'), and its flows are deleted and written again from the rules, tier 'rules', so
 * flows the LLM tier had read for it are replaced by the rules' reading.
 */
export async function rescorePosts(
  db: Kysely<DB>,
  since: Date | null,
  onProgress?: (progress: RescoreProgress) => void,
  signal?: AbortSignal,
): Promise<RescoreProgress> {
  const ingestor = await createIngestor(db);
  const version = ingestor.analyzer.modelVersion;
  const progress: RescoreProgress = { posts: 0, mentions: 0 };
  for (;;) {
    // On the embedded database a batch never leaves the microtask queue, so without a turn of the
    // event loop here a Ctrl-C (or SIGTERM) would only be seen once everything was rescored.
    await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) break;
    const posts = await sql<{
      id: number;
      source: string;
      external_id: string;
      url: string | null;
      title: string | null;
      body: string;
      created_at: Date;
      score: number | null;
      comments: number | null;
      parent_id: string | null;
      duplicate_of: number | null;
    }>`
      SELECT id, source, external_id, url, title, body, created_at, score, comments, parent_id, duplicate_of FROM posts
      WHERE model_version IS DISTINCT FROM ${version}
        ${since ? sql`AND created_at >= ${since.toISOString()}::timestamptz` : sql``}
      ORDER BY created_at, id LIMIT ${BATCH}`.execute(db);
    if (posts.rows.length === 0) break;
    await db.transaction().execute(async (trx) => {
      const ids = posts.rows.map((p) => p.id);
      await sql`DELETE FROM mention_aspects WHERE post_id = ANY(${ids}::bigint[])`.execute(trx);
      await sql`DELETE FROM mentions WHERE post_id = ANY(${ids}::bigint[])`.execute(trx);
      await deleteFlowsOfPosts(trx, ids);
      for (const row of posts.rows) {
        const post: NormalizedPost = {
          source: row.source,
          externalId: row.external_id,
          url: row.url,
          author: null,
          title: row.title,
          body: row.body,
          createdAt: new Date(row.created_at),
          score: row.score,
          comments: row.comments,
          parentId: row.parent_id,
          threadId: null,
        };
        const analysis = ingestor.analyzer.analyze(post);
        await sql`
          UPDATE posts SET sentiment_label = ${analysis.post.label}, sentiment_score = ${analysis.post.score},
                 sentiment_confidence = ${analysis.post.confidence}, model_version = ${version}
          WHERE id = ${row.id}`.execute(trx);
        // A repost keeps its new post-level label but adds no mentions, as at ingest.
        if (row.duplicate_of !== null) continue;
        const rows = buildMentionRows(row.id, post, analysis, version);
        await insertMentions(trx, rows.mentions);
        await insertAspects(trx, rows.aspects);
        await insertFlows(trx, buildFlowRows(row.id, post, analysis));
        progress.mentions += rows.mentions.length;
      }
      const first = new Date(posts.rows[0]!.created_at);
      const last = new Date(posts.rows.at(-1)!.created_at);
      await rebuildRollups(trx, first, new Date(last.getTime() + 3_600_000));
    });
    progress.posts += posts.rows.length;
    onProgress?.(progress);
  }
  return progress;
}
