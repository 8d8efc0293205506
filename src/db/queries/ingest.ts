import { createHash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type { NormalizedEvent, NormalizedPost } from '../../core/post.ts';
import { addSums, type RollupSums } from '../../core/stats.ts';
import type { Executor } from './entities.ts';

export interface PostRow extends NormalizedPost {
  contentHash: string;
  label: string;
  sentimentScore: number;
  confidence: number;
  modelVersion: string;
}

export interface InsertedPost {
  id: number;
  source: string;
  externalId: string;
  duplicateOf: number | null;
}

/** Shortest text whose repeat by the same author counts as a repost ("thanks!" twice is two replies). */
export const MIN_REPOST_LENGTH = 40;
/**
 * Shortest text whose exact repeat counts as a repost whoever posts it: a copy, not a coincidence.
 * Independent authors do write identical short sentences (the longest such repeat in the labelled
 * developer-text corpora we checked is 74 characters, code-review comments); 200, about 35 words, is
 * well past that, while bots and aggregators copying whole posts are caught.
 */
export const MIN_COPY_LENGTH = 200;

/** `text` has at least `n` characters (code points, as PostgreSQL's length counts them). */
function hasAtLeastChars(text: string, n: number): boolean {
  if (text.length < n) return false;
  if (text.length >= 2 * n) return true;
  let count = 0;
  for (const _ of text) if (++count >= n) return true;
  return false;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The keys under which a post is "the same post" as another with the same text (contentHash):
 * `t:` any author once the text is long enough to be a copy; `a:` the same author, for texts of
 * MIN_REPOST_LENGTH or more; `u:` the same link for top-level posts (a cross-post of one
 * submission). Migration 007 derives the same keys in SQL; keep the two in step.
 */
export function repostKeys(post: Pick<PostRow, 'author' | 'url' | 'parentId' | 'body' | 'contentHash'>): string[] {
  if (hasAtLeastChars(post.body, MIN_COPY_LENGTH)) return [`t:${post.contentHash}`];
  const keys: string[] = [];
  if (post.author !== null && hasAtLeastChars(post.body, MIN_REPOST_LENGTH))
    keys.push(`a:${sha256(`${post.author}\n${post.contentHash}`)}`);
  if (post.url !== null && post.parentId === null) keys.push(`u:${sha256(`${post.url}\n${post.contentHash}`)}`);
  return keys;
}

const column = <T>(rows: PostRow[], pick: (row: PostRow) => T): T[] => rows.map(pick);

/** Key order of posts, so writers inserting the same posts lock their keys in the same order. */
const byKey = (a: PostRow, b: PostRow): number =>
  a.source < b.source ? -1 : a.source > b.source ? 1 : a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0;

/**
 * Inserts the posts not stored yet and returns them; (source, external_id) already present are
 * skipped. A new post that is the same post as one stored before it, or earlier in the batch
 * (same text and one of its repostKeys), is flagged with duplicate_of, pointing at the first of
 * them. The first post of each key claims it in post_texts; a writer committing the same key at the
 * same moment waits on it until the first commits, then finds it.
 */
export async function insertPosts(db: Executor, unordered: PostRow[]): Promise<InsertedPost[]> {
  if (unordered.length === 0) return [];
  const rows = [...unordered].sort(byKey);
  const inserted = await sql<{ id: string; source: string; external_id: string }>`
    INSERT INTO posts (source, external_id, url, author, title, body, created_at, score, comments, parent_id,
                       thread_id, content_hash, sentiment_label, sentiment_score, sentiment_confidence, model_version)
    SELECT * FROM unnest(
      ${column(rows, (r) => r.source)}::text[], ${column(rows, (r) => r.externalId)}::text[],
      ${column(rows, (r) => r.url)}::text[], ${column(rows, (r) => r.author)}::text[],
      ${column(rows, (r) => r.title)}::text[], ${column(rows, (r) => r.body)}::text[],
      ${column(rows, (r) => r.createdAt.toISOString())}::timestamptz[], ${column(rows, (r) => r.score)}::int[],
      ${column(rows, (r) => r.comments)}::int[], ${column(rows, (r) => r.parentId)}::text[],
      ${column(rows, (r) => r.threadId)}::text[], ${column(rows, (r) => r.contentHash)}::text[],
      ${column(rows, (r) => r.label)}::text[], ${column(rows, (r) => r.sentimentScore)}::real[],
      ${column(rows, (r) => r.confidence)}::real[], ${column(rows, (r) => r.modelVersion)}::text[]
    )
    ON CONFLICT (source, external_id) DO NOTHING
    RETURNING id, source, external_id`.execute(db);
  const rowOf = new Map(rows.map((row) => [`${row.source}\u0000${row.externalId}`, row]));
  const posts = inserted.rows
    .map((r) => ({
      id: Number(r.id),
      source: r.source,
      externalId: r.external_id,
      keys: repostKeys(rowOf.get(`${r.source}\u0000${r.external_id}`)!),
    }))
    .sort((a, b) => a.id - b.id);
  const roots = await resolveReposts(db, posts);
  const reposts = posts.flatMap((post) => (roots.get(post.id) !== post.id ? [{ id: post.id, duplicateOf: roots.get(post.id)! }] : []));
  if (reposts.length > 0) {
    await sql`
      UPDATE posts AS p SET duplicate_of = r.duplicate_of
      FROM unnest(${reposts.map((r) => r.id)}::bigint[], ${reposts.map((r) => r.duplicateOf)}::bigint[]) AS r(id, duplicate_of)
      WHERE p.id = r.id`.execute(db);
  }
  return posts.map(({ id, source, externalId }) => ({ id, source, externalId, duplicateOf: id === roots.get(id) ? null : roots.get(id)! }));
}

/**
 * The first post (root) each new post is the same post as: itself, or the owner of one of its keys,
 * stored before or earlier in the batch. Every key of the batch ends up claimed for its root.
 */
async function resolveReposts(db: Executor, posts: Array<{ id: number; keys: string[] }>): Promise<Map<number, number>> {
  const roots = new Map<number, number>();
  // The first new post of each key offers to claim it; keys already claimed belong to a stored post.
  const firstInBatch = new Map<string, number>();
  for (const post of posts) for (const key of post.keys) if (!firstInBatch.has(key)) firstInBatch.set(key, post.id);
  if (firstInBatch.size === 0) {
    for (const post of posts) roots.set(post.id, post.id);
    return roots;
  }
  // Sorted, so concurrent writers claim shared keys in the same order and cannot deadlock.
  const offers = [...firstInBatch].sort(([a], [b]) => (a < b ? -1 : 1));
  const claimed = await sql<{ repost_key: string }>`
    INSERT INTO post_texts (repost_key, post_id)
    SELECT * FROM unnest(${offers.map(([key]) => key)}::text[], ${offers.map(([, id]) => id)}::bigint[])
    ON CONFLICT (repost_key) DO NOTHING
    RETURNING repost_key`.execute(db);
  const ours = new Set(claimed.rows.map((r) => r.repost_key));
  const elsewhere = offers.filter(([key]) => !ours.has(key)).map(([key]) => key);
  const storedOwner = new Map<string, number>();
  if (elsewhere.length > 0) {
    const stored = await sql<{ repost_key: string; root: string }>`
      SELECT t.repost_key, coalesce(p.duplicate_of, t.post_id) AS root
      FROM post_texts t JOIN posts p ON p.id = t.post_id
      WHERE t.repost_key = ANY(${elsewhere}::text[])`.execute(db);
    for (const row of stored.rows) storedOwner.set(row.repost_key, Number(row.root));
  }
  // A stored owner comes first (a concurrent writer's ids may be higher than ours). Otherwise the
  // earliest root in the batch: posts go in id order, so the post owning a key has its root already.
  for (const post of posts) {
    const stored = post.keys.flatMap((key) => storedOwner.get(key) ?? []);
    const inBatch = post.keys.map((key) => roots.get(firstInBatch.get(key)!) ?? post.id);
    roots.set(post.id, stored.length > 0 ? Math.min(...stored) : Math.min(post.id, ...inBatch));
  }
  // A key this batch claimed for a post that turned out to be a repost belongs to that post's root.
  const moved = offers.filter(([key, id]) => ours.has(key) && roots.get(id) !== id);
  if (moved.length > 0) {
    await sql`
      UPDATE post_texts AS t SET post_id = m.root
      FROM unnest(${moved.map(([key]) => key)}::text[], ${moved.map(([, id]) => roots.get(id)!)}::bigint[]) AS m(repost_key, root)
      WHERE t.repost_key = m.repost_key`.execute(db);
  }
  return roots;
}

export interface MentionRow {
  postId: number;
  entityId: number;
  createdAt: Date;
  source: string;
  direct: boolean;
  matchedText: string;
  start: number;
  end: number;
  label: string;
  score: number;
  confidence: number;
  /** Which tier produced the sentiment: the local model or the optional LLM tier. */
  sentimentTier: 'local' | 'llm';
  modelVersion: string;
  engagement: number;
  /** The version the post names for the entity, null when none. */
  version: string | null;
}

const mentionInsert = (rows: MentionRow[]) => {
  const c = <T>(pick: (row: MentionRow) => T): T[] => rows.map(pick);
  return sql`
    INSERT INTO mentions (post_id, entity_id, created_at, source, direct, matched_text, start_offset, end_offset,
                          label, score, confidence, model_version, engagement, sentiment_tier, version)
    SELECT * FROM unnest(
      ${c((r) => r.postId)}::bigint[], ${c((r) => r.entityId)}::int[], ${c((r) => r.createdAt.toISOString())}::timestamptz[],
      ${c((r) => r.source)}::text[], ${c((r) => r.direct)}::boolean[], ${c((r) => r.matchedText)}::text[],
      ${c((r) => r.start)}::int[], ${c((r) => r.end)}::int[], ${c((r) => r.label)}::text[],
      ${c((r) => r.score)}::real[], ${c((r) => r.confidence)}::real[], ${c((r) => r.modelVersion)}::text[],
      ${c((r) => r.engagement)}::int[], ${c((r) => r.sentimentTier)}::text[], ${c((r) => r.version)}::text[]
    )
    ON CONFLICT (post_id, entity_id, created_at) DO NOTHING`;
};

/** Stores mentions without touching the rollups (a rescore rebuilds them afterwards). */
export async function insertMentions(db: Executor, rows: MentionRow[]): Promise<void> {
  if (rows.length > 0) await mentionInsert(rows).execute(db);
}

export interface AspectRow {
  postId: number;
  entityId: number;
  createdAt: Date;
  source: string;
  aspect: string;
  polarity: string;
  score: number;
  confidence: number;
  evidence: string;
  start: number;
  end: number;
  tier: string;
}

const aspectInsert = (rows: AspectRow[]) => {
  const c = <T>(pick: (row: AspectRow) => T): T[] => rows.map(pick);
  return sql`
    INSERT INTO mention_aspects (post_id, entity_id, created_at, source, aspect, polarity, score, confidence,
                                 evidence, start_offset, end_offset, tier)
    SELECT * FROM unnest(
      ${c((r) => r.postId)}::bigint[], ${c((r) => r.entityId)}::int[], ${c((r) => r.createdAt.toISOString())}::timestamptz[],
      ${c((r) => r.source)}::text[], ${c((r) => r.aspect)}::text[], ${c((r) => r.polarity)}::text[],
      ${c((r) => r.score)}::real[], ${c((r) => r.confidence)}::real[], ${c((r) => r.evidence)}::text[],
      ${c((r) => r.start)}::int[], ${c((r) => r.end)}::int[], ${c((r) => r.tier)}::text[]
    )
    ON CONFLICT (post_id, entity_id, aspect, created_at) DO NOTHING`;
};

export async function insertAspects(db: Executor, rows: AspectRow[]): Promise<void> {
  if (rows.length > 0) await aspectInsert(rows).execute(db);
}

/** What a batch adds to one hourly row: the statistics' sums plus the raw engagement. */
export interface RollupDelta extends RollupSums {
  entityId: number;
  bucket: Date;
  source: string;
  engagementSum: number;
}

const DAY_MS = 86_400_000;
type RollupTable = { name: 'sentiment_rollups'; time: 'bucket' } | { name: 'sentiment_rollups_daily'; time: 'day' };
const HOURLY: RollupTable = { name: 'sentiment_rollups', time: 'bucket' };
const DAILY: RollupTable = { name: 'sentiment_rollups_daily', time: 'day' };

const insertInto = (table: RollupTable) => sql`
  INSERT INTO ${sql.table(table.name)} AS r (entity_id, ${sql.ref(table.time)}, source, n, positive, neutral, negative,
    score_sum, score_sq_sum, weight_sum, weight_sq_sum, weighted_score_sum, weighted_score_sq_sum, engagement_sum)`;

/** Adds the incoming sums to the row already there. */
const addOnConflict = (table: RollupTable) => sql`
  ON CONFLICT (entity_id, ${sql.ref(table.time)}, source) DO UPDATE SET
    n = r.n + excluded.n, positive = r.positive + excluded.positive, neutral = r.neutral + excluded.neutral,
    negative = r.negative + excluded.negative, score_sum = r.score_sum + excluded.score_sum,
    score_sq_sum = r.score_sq_sum + excluded.score_sq_sum, weight_sum = r.weight_sum + excluded.weight_sum,
    weight_sq_sum = r.weight_sq_sum + excluded.weight_sq_sum,
    weighted_score_sum = r.weighted_score_sum + excluded.weighted_score_sum,
    weighted_score_sq_sum = r.weighted_score_sq_sum + excluded.weighted_score_sq_sum,
    engagement_sum = r.engagement_sum + excluded.engagement_sum`;

/**
 * The sums of mention rows (entity_id, created_at, source, label, score, engagement) per entity,
 * UTC hour or day, and source, in key order so concurrent writers lock rows in the same order.
 * The weight is computeEngagementWeight's, 1 + ln(1 + engagement).
 */
const sumsOfMentions = (mentions: RawBuilder<unknown>, unit: 'hour' | 'day') => sql`
  SELECT entity_id, date_trunc(${sql.lit(unit)}, created_at, 'UTC'), source, count(*),
         count(*) FILTER (WHERE label = 'positive'), count(*) FILTER (WHERE label = 'neutral'),
         count(*) FILTER (WHERE label = 'negative'), sum(score), sum(score * score),
         sum(w), sum(w * w), sum(w * score), sum(w * score * score), sum(engagement)
  FROM (SELECT entity_id, created_at, source, label, score::float8 AS score, engagement,
               1 + ln(1 + greatest(engagement, 0)::float8) AS w
        FROM ${mentions}) m
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3`;

/**
 * Stores the mentions and aspects of new posts and adds the mentions to the hourly and daily
 * rollups, in one statement: the sums are taken from the mention rows actually inserted. The daily
 * rows wait on the hourly upsert's output, so rollup rows are always locked hourly first, as in
 * rebuildRollups, and concurrent writers cannot deadlock on them.
 */
export async function insertAnalysed(db: Executor, mentions: MentionRow[], aspects: AspectRow[]): Promise<void> {
  if (mentions.length === 0) return;
  await sql`
    WITH inserted AS (${mentionInsert(mentions)} RETURNING entity_id, created_at, source, label, score, engagement),
    ${aspects.length > 0 ? sql`aspects AS (${aspectInsert(aspects)}),` : sql``}
    hourly AS (${insertInto(HOURLY)} ${sumsOfMentions(sql`inserted`, 'hour')} ${addOnConflict(HOURLY)} RETURNING 1)
    ${insertInto(DAILY)} ${sumsOfMentions(sql`inserted WHERE (SELECT count(*) FROM hourly) >= 0`, 'day')} ${addOnConflict(DAILY)}`.execute(
    db,
  );
}

/** Adds each delta to its row of `table`; rows are locked in key order. */
async function upsertSums(db: Executor, table: RollupTable, deltas: RollupDelta[]): Promise<void> {
  const rows = [...deltas].sort(
    (a, b) => a.entityId - b.entityId || a.bucket.getTime() - b.bucket.getTime() || a.source.localeCompare(b.source),
  );
  const c = <T>(pick: (row: RollupDelta) => T): T[] => rows.map(pick);
  await sql`
    ${insertInto(table)}
    SELECT * FROM unnest(
      ${c((r) => r.entityId)}::int[], ${c((r) => r.bucket.toISOString())}::timestamptz[], ${c((r) => r.source)}::text[],
      ${c((r) => r.n)}::int[], ${c((r) => r.positive)}::int[], ${c((r) => r.neutral)}::int[], ${c((r) => r.negative)}::int[],
      ${c((r) => r.scoreSum)}::float8[], ${c((r) => r.scoreSqSum)}::float8[], ${c((r) => r.weightSum)}::float8[],
      ${c((r) => r.weightSqSum)}::float8[], ${c((r) => r.weightedScoreSum)}::float8[], ${c((r) => r.weightedScoreSqSum)}::float8[],
      ${c((r) => r.engagementSum)}::bigint[]
    )
    ${addOnConflict(table)}`.execute(db);
}

/** The deltas summed per UTC day. */
function toDailyDeltas(deltas: RollupDelta[]): RollupDelta[] {
  const days = new Map<string, RollupDelta>();
  for (const delta of deltas) {
    const day = new Date(Math.floor(delta.bucket.getTime() / DAY_MS) * DAY_MS);
    const key = `${delta.entityId}|${day.getTime()}|${delta.source}`;
    const previous = days.get(key);
    days.set(
      key,
      previous
        ? { ...previous, ...addSums(previous, delta), engagementSum: previous.engagementSum + delta.engagementSum }
        : { ...delta, bucket: day },
    );
  }
  return [...days.values()];
}

/** Adds precomputed sums to their hourly rows and their UTC days' rows (seeding, tests). */
export async function addToRollups(db: Executor, deltas: RollupDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await upsertSums(db, HOURLY, deltas);
  await upsertSums(db, DAILY, toDailyDeltas(deltas));
}

/**
 * Recomputes every hourly row of [from, to) from the raw mentions (after a rescore), then the daily
 * rows of every UTC day those hours touch from the hourly rows.
 */
export async function rebuildRollups(db: Executor, from: Date, to: Date): Promise<void> {
  const start = sql`date_trunc('hour', ${from.toISOString()}::timestamptz, 'UTC')`;
  const end = sql`${to.toISOString()}::timestamptz`;
  await sql`DELETE FROM sentiment_rollups WHERE bucket >= ${start} AND bucket < ${end}`.execute(db);
  const window = sql`mentions WHERE created_at >= ${start} AND created_at < ${end}`;
  await sql`${insertInto(HOURLY)} ${sumsOfMentions(window, 'hour')}`.execute(db);
  const firstDay = sql`date_trunc('day', ${from.toISOString()}::timestamptz, 'UTC')`;
  // The day holding the last hour rebuilt, plus one: a whole UTC day past the window's end.
  const afterLastDay = sql`date_trunc('day', ${end} - interval '1 microsecond', 'UTC') + interval '1 day'`;
  await sql`DELETE FROM sentiment_rollups_daily WHERE day >= ${firstDay} AND day < ${afterLastDay}`.execute(db);
  await sql`
    ${insertInto(DAILY)}
    SELECT entity_id, date_trunc('day', bucket, 'UTC'), source, sum(n), sum(positive), sum(neutral), sum(negative),
           sum(score_sum), sum(score_sq_sum), sum(weight_sum), sum(weight_sq_sum), sum(weighted_score_sum),
           sum(weighted_score_sq_sum), sum(engagement_sum)
    FROM sentiment_rollups
    WHERE bucket >= ${firstDay} AND bucket < ${afterLastDay}
    GROUP BY 1, 2, 3`.execute(db);
}

export async function saveCursor(db: Executor, source: string, queryKey: string, cursor: unknown): Promise<void> {
  await sql`
    INSERT INTO source_cursors (source, query_key, cursor, updated_at)
    VALUES (${source}, ${queryKey}, ${JSON.stringify(cursor)}::jsonb, now())
    ON CONFLICT (source, query_key) DO UPDATE SET cursor = excluded.cursor, updated_at = now()`.execute(db);
}

export async function loadCursors(db: Executor, source: string): Promise<Map<string, unknown>> {
  const rows = await db.selectFrom('source_cursors').select(['query_key', 'cursor']).where('source', '=', source).execute();
  return new Map(rows.map((r) => [r.query_key, r.cursor]));
}

export interface EventRow extends NormalizedEvent {
  entityId: number | null;
}

export async function insertEvents(db: Executor, rows: EventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const c = <T>(pick: (row: EventRow) => T): T[] => rows.map(pick);
  const result = await sql<{ id: number }>`
    INSERT INTO events (entity_id, kind, source, external_id, title, url, body, occurred_at)
    SELECT * FROM unnest(
      ${c((r) => r.entityId)}::int[], ${c((r) => r.kind)}::text[], ${c((r) => r.source)}::text[],
      ${c((r) => r.externalId)}::text[], ${c((r) => r.title)}::text[], ${c((r) => r.url)}::text[],
      ${c((r) => r.body)}::text[], ${c((r) => r.occurredAt.toISOString())}::timestamptz[]
    )
    ON CONFLICT (source, external_id, kind) DO NOTHING
    RETURNING id`.execute(db);
  return result.rows.length;
}
