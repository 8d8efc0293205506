import { sql, type Kysely } from 'kysely';
import type { NormalizedPost } from '../core/post.ts';
import { deleteFlowsOfPosts, insertFlows } from '../db/queries/flows.ts';
import { insertAspects, insertMentions, rebuildRollups } from '../db/queries/ingest.ts';
import type { DB } from '../db/schema.ts';
import type { Analysis } from './analyze.ts';
import { buildFlowRows, buildMentionRows, createIngestor } from './ingest.ts';

export interface RescoreProgress {
  posts: number;
  mentions: number;
}

const BATCH = 500;

interface StoredPost {
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
}

export interface RescoreOptions {
  /** Worker threads that read the next batch while this one is written; 0 (the default): the calling thread. */
  analysisThreads?: number;
  onProgress?: (progress: RescoreProgress) => void;
  /** Stops after the batch being written. */
  signal?: AbortSignal;
}

/**
 * Re-links and re-scores stored posts whose model version is not the current one, a batch per
 * transaction, then rebuilds the hourly rollups the batch touched. Stopping half-way is safe:
 * finished batches carry the new version and are not redone. With analysis threads, the next batch
 * is read and analysed while this one is written.
 *
 * It reads with the local model and the rules only, never the optional LLM tiers (their calls would
 * spend the daily budget on old posts): a rescored post's sentiment and aspects come back local
 * ('local', 'rules'), and its flows are deleted and written again from the rules, tier 'rules', so
 * flows the LLM tier had read for it are replaced by the rules' reading.
 */
export async function rescorePosts(db: Kysely<DB>, since: Date | null, options: RescoreOptions = {}): Promise<RescoreProgress> {
  const { onProgress, signal } = options;
  const ingestor = await createIngestor(db, { analysisThreads: options.analysisThreads ?? 0 });
  const version = ingestor.analyzer.modelVersion;
  const progress: RescoreProgress = { posts: 0, mentions: 0 };
  // Where the last batch read ended: each batch starts after it rather than walking again past every
  // post already rescored, which made a rescore of n posts read O(n^2) rows. A post stored behind the
  // walk meanwhile by a process still running an older model is left to the next rescore.
  let after: { createdAt: string; id: number } | null = null;
  /** The next batch of stale posts, its analysis under way (in the threads, when there are any). */
  const readBatch = async (): Promise<ReadBatch | undefined> => {
    const { rows } = await sql<StoredPost>`
      SELECT id, source, external_id, url, title, body, created_at, score, comments, parent_id, duplicate_of FROM posts
      WHERE model_version IS DISTINCT FROM ${version}
        ${since ? sql`AND created_at >= ${since.toISOString()}::timestamptz` : sql``}
        ${after ? sql`AND (created_at, id) > (${after.createdAt}::timestamptz, ${after.id})` : sql``}
      ORDER BY created_at, id LIMIT ${BATCH}`.execute(db);
    if (rows.length === 0) return undefined;
    const last = rows.at(-1)!;
    after = { createdAt: new Date(last.created_at).toISOString(), id: last.id };
    const posts = rows.map(toPost);
    const analyses = ingestor.analyzeMany(posts);
    // Awaited when the batch is written; a failure before that must not go unhandled meanwhile.
    analyses.catch(() => undefined);
    return { rows, posts, analyses };
  };
  try {
    let next = await readBatch();
    while (next) {
      // On the embedded database a batch never leaves the microtask queue, so without a turn of the
      // event loop here a Ctrl-C (or SIGTERM) would only be seen once everything was rescored.
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) break;
      const batch = next;
      next = await readBatch();
      const mentions = await writeBatch(db, version, batch.rows, batch.posts, await batch.analyses);
      progress.posts += batch.rows.length;
      progress.mentions += mentions;
      onProgress?.(progress);
    }
  } finally {
    await ingestor.close();
  }
  return progress;
}

interface ReadBatch {
  rows: StoredPost[];
  posts: NormalizedPost[];
  analyses: Promise<Analysis[]>;
}

const toPost = (row: StoredPost): NormalizedPost => ({
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
});

/**
 * Stores a batch's new reading in a few set-based statements (a statement per post made rescoring
 * several times slower than importing the same posts); returns the mentions written.
 */
async function writeBatch(
  db: Kysely<DB>,
  version: string,
  rows: readonly StoredPost[],
  posts: readonly NormalizedPost[],
  analyses: readonly Analysis[],
): Promise<number> {
  const read = rows.map((row, i) => ({ row, post: posts[i]!, analysis: analyses[i]! }));
  // A repost keeps its new post-level label but adds no mentions, as at ingest.
  const original = read.filter(({ row }) => row.duplicate_of === null);
  const built = original.map(({ row, post, analysis }) => buildMentionRows(row.id, post, analysis, version));
  const mentions = built.flatMap((b) => b.mentions);
  const c = <T>(pick: (item: (typeof read)[number]) => T): T[] => read.map(pick);
  const ids = rows.map((row) => row.id);
  const first = new Date(rows[0]!.created_at);
  const lastAt = new Date(rows.at(-1)!.created_at);
  await db.transaction().execute(async (trx) => {
    await sql`DELETE FROM mention_aspects WHERE post_id = ANY(${ids}::bigint[])`.execute(trx);
    await sql`DELETE FROM mentions WHERE post_id = ANY(${ids}::bigint[])`.execute(trx);
    await deleteFlowsOfPosts(trx, ids);
    await sql`
      UPDATE posts p SET sentiment_label = v.label, sentiment_score = v.score, sentiment_confidence = v.confidence,
             model_version = ${version}
      FROM unnest(${ids}::bigint[], ${c((r) => r.analysis.post.label)}::text[], ${c((r) => r.analysis.post.score)}::real[],
                  ${c((r) => r.analysis.post.confidence)}::real[]) AS v(id, label, score, confidence)
      WHERE p.id = v.id`.execute(trx);
    await insertMentions(trx, mentions);
    await insertAspects(
      trx,
      built.flatMap((b) => b.aspects),
    );
    await insertFlows(
      trx,
      original.flatMap(({ row, post, analysis }) => buildFlowRows(row.id, post, analysis)),
    );
    await rebuildRollups(trx, first, new Date(lastAt.getTime() + 3_600_000));
  });
  return mentions.length;
}
