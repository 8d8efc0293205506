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

/** Shortest text whose exact repeat elsewhere counts as a repost ("thanks!" twice is not). */
export const MIN_REPOST_LENGTH = 40;

const column = <T>(rows: PostRow[], pick: (row: PostRow) => T): T[] => rows.map(pick);

/** Key order of posts, so writers inserting the same posts lock their keys in the same order. */
const byKey = (a: PostRow, b: PostRow): number =>
  a.source < b.source ? -1 : a.source > b.source ? 1 : a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0;

/**
 * Inserts the posts not stored yet and returns them; (source, external_id) already present are
 * skipped. A new post repeating the text of a post stored before it, or earlier in the batch, is
 * flagged with duplicate_of: the first post of a text claims its hash in post_texts, and a writer
 * committing the same text at the same moment waits on that key until the first commits.
 */
export async function insertPosts(db: Executor, unordered: PostRow[]): Promise<InsertedPost[]> {
  if (unordered.length === 0) return [];
  const rows = [...unordered].sort(byKey);
  const inserted = await sql<{ id: string; source: string; external_id: string; content_hash: string; long: boolean }>`
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
    RETURNING id, source, external_id, content_hash, length(body) >= ${MIN_REPOST_LENGTH} AS long`.execute(db);
  const posts = inserted.rows.map((r) => ({ id: Number(r.id), source: r.source, externalId: r.external_id, hash: r.content_hash, long: r.long }));
  // The first new post of each text offers to claim it; texts already claimed belong to a stored post.
  const firstInBatch = new Map<string, number>();
  for (const post of posts) {
    if (post.long && (firstInBatch.get(post.hash) ?? Infinity) > post.id) firstInBatch.set(post.hash, post.id);
  }
  const offers = [...firstInBatch].sort(([a], [b]) => (a < b ? -1 : 1));
  const owner = new Map(offers);
  if (offers.length > 0) {
    const claimed = await sql<{ content_hash: string }>`
      INSERT INTO post_texts (content_hash, post_id)
      SELECT * FROM unnest(${offers.map(([hash]) => hash)}::text[], ${offers.map(([, id]) => id)}::bigint[])
      ON CONFLICT (content_hash) DO NOTHING
      RETURNING content_hash`.execute(db);
    const taken = new Set(claimed.rows.map((r) => r.content_hash));
    const elsewhere = offers.filter(([hash]) => !taken.has(hash)).map(([hash]) => hash);
    if (elsewhere.length > 0) {
      const stored = await sql<{ content_hash: string; post_id: string }>`
        SELECT content_hash, post_id FROM post_texts WHERE content_hash = ANY(${elsewhere}::text[])`.execute(db);
      for (const row of stored.rows) owner.set(row.content_hash, Number(row.post_id));
    }
  }
  const reposts = posts.flatMap((post) => {
    const first = post.long ? owner.get(post.hash) : undefined;
    return first !== undefined && first !== post.id ? [{ id: post.id, duplicateOf: first }] : [];
  });
  if (reposts.length > 0) {
    await sql`
      UPDATE posts AS p SET duplicate_of = r.duplicate_of
      FROM unnest(${reposts.map((r) => r.id)}::bigint[], ${reposts.map((r) => r.duplicateOf)}::bigint[]) AS r(id, duplicate_of)
      WHERE p.id = r.id`.execute(db);
  }
  const duplicateOf = new Map(reposts.map((r) => [r.id, r.duplicateOf]));
  return posts.map(({ id, source, externalId }) => ({ id, source, externalId, duplicateOf: duplicateOf.get(id) ?? null }));
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
  modelVersion: string;
  engagement: number;
}

const mentionInsert = (rows: MentionRow[]) => {
  const c = <T>(pick: (row: MentionRow) => T): T[] => rows.map(pick);
  return sql`
    INSERT INTO mentions (post_id, entity_id, created_at, source, direct, matched_text, start_offset, end_offset,
                          label, score, confidence, model_version, engagement)
    SELECT * FROM unnest(
      ${c((r) => r.postId)}::bigint[], ${c((r) => r.entityId)}::int[], ${c((r) => r.createdAt.toISOString())}::timestamptz[],
      ${c((r) => r.source)}::text[], ${c((r) => r.direct)}::boolean[], ${c((r) => r.matchedText)}::text[],
      ${c((r) => r.start)}::int[], ${c((r) => r.end)}::int[], ${c((r) => r.label)}::text[],
      ${c((r) => r.score)}::real[], ${c((r) => r.confidence)}::real[], ${c((r) => r.modelVersion)}::text[],
      ${c((r) => r.engagement)}::int[]
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
               1 + ln(1 + greatest(engagement, 0)) AS w
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
    ${insertInto(DAILY)} ${sumsOfMentions(sql`inserted WHERE (SELECT count(*) FROM hourly) >= 0`, 'day')} ${addOnConflict(DAILY)}`.execute(db);
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
