import { sql } from 'kysely';
import type { SentimentLabel } from '../../core/stats.ts';
import type { Executor } from './entities.ts';

/** Position after the last item of a page: newest first, ties broken by post id. */
export interface PostCursor {
  /** created_at to the microsecond, ISO 8601 in UTC */
  createdAt: string;
  postId: number;
}

/**
 * Keyset paging over a newest-first list of posts, for a table alias whose rows carry `created_at`
 * and `post_id`: the cursor column to select (to the microsecond, so no tie is lost) and the
 * condition that starts a page after `after`.
 */
export function postKeyset(alias: 'm' | 'f', after: PostCursor | undefined) {
  const at = sql.ref(`${alias}.created_at`);
  const id = sql.ref(`${alias}.post_id`);
  return {
    cursorAt: sql`to_char(${at} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`,
    after: after === undefined ? sql`` : sql`AND (${at}, ${id}) < (${after.createdAt}::timestamptz, ${after.postId}::bigint)`,
  };
}

export interface PostQuery {
  entityId: number;
  from: Date;
  to: Date;
  source?: string | undefined;
  polarity?: SentimentLabel | undefined;
  aspect?: string | undefined;
  /** Words searched case-insensitively in title and body, as a literal substring. */
  q?: string | undefined;
  /** Only mentions naming this version. */
  version?: string | undefined;
  after?: PostCursor | undefined;
  limit: number;
}

export interface MentionAspect {
  aspect: string;
  polarity: SentimentLabel;
  score: number;
  confidence: number;
  evidence: string;
  start: number;
  end: number;
}

export interface MentionedPost {
  postId: number;
  source: string;
  externalId: string;
  url: string | null;
  createdAt: Date;
  title: string | null;
  body: string;
  author: string | null;
  engagement: number;
  direct: boolean;
  label: SentimentLabel;
  score: number;
  confidence: number;
  /** Which tier produced the sentiment: the local model or the optional LLM tier. */
  sentimentTier: 'local' | 'llm';
  matchedText: string;
  start: number;
  end: number;
  /** The version the post names for the entity, null when none. */
  version: string | null;
  aspects: MentionAspect[];
  cursor: PostCursor;
}

/** Escapes LIKE wildcards so user text matches literally. */
export function toLikePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

type PostRowOut = {
  post_id: number;
  source: string;
  external_id: string;
  url: string | null;
  created_at: Date;
  cursor_at: string;
  title: string | null;
  body: string;
  author: string | null;
  engagement: number;
  direct: boolean;
  label: SentimentLabel;
  score: number;
  confidence: number;
  sentiment_tier: 'local' | 'llm';
  matched_text: string;
  start_offset: number;
  end_offset: number;
  version: string | null;
  aspects: MentionAspect[] | string;
};

/** One page of an entity's mentioning posts, newest first, keyset-paginated on (created_at, post id). */
export async function listMentionedPosts(db: Executor, query: PostQuery): Promise<MentionedPost[]> {
  const keyset = postKeyset('m', query.after);
  const rows = await sql<PostRowOut>`
    SELECT m.post_id, p.source, p.external_id, p.url, m.created_at, ${keyset.cursorAt},
      p.title, p.body, p.author, m.engagement, m.direct, m.label, m.score, m.confidence, m.sentiment_tier, m.matched_text,
      m.start_offset, m.end_offset, m.version,
      (SELECT coalesce(json_agg(json_build_object('aspect', a.aspect, 'polarity', a.polarity, 'score', a.score,
                'confidence', a.confidence, 'evidence', a.evidence, 'start', a.start_offset, 'end', a.end_offset)
              ORDER BY a.start_offset, a.aspect), '[]'::json)
         FROM mention_aspects a WHERE a.post_id = m.post_id AND a.entity_id = m.entity_id) AS aspects
    FROM mentions m JOIN posts p ON p.id = m.post_id
    WHERE m.entity_id = ${query.entityId}
      AND m.created_at >= ${query.from.toISOString()}::timestamptz AND m.created_at < ${query.to.toISOString()}::timestamptz
      ${query.source === undefined ? sql`` : sql`AND m.source = ${query.source}`}
      ${query.polarity === undefined ? sql`` : sql`AND m.label = ${query.polarity}`}
      ${query.aspect === undefined ? sql`` : sql`AND EXISTS (SELECT 1 FROM mention_aspects a WHERE a.post_id = m.post_id AND a.entity_id = m.entity_id AND a.aspect = ${query.aspect})`}
      ${query.version === undefined ? sql`` : sql`AND m.version = ${query.version}`}
      ${query.q === undefined ? sql`` : sql`AND (p.title ILIKE ${toLikePattern(query.q)} OR p.body ILIKE ${toLikePattern(query.q)})`}
      ${keyset.after}
    ORDER BY m.created_at DESC, m.post_id DESC
    LIMIT ${query.limit}`.execute(db);
  return rows.rows.map((row) => ({
    postId: Number(row.post_id),
    source: row.source,
    externalId: row.external_id,
    url: row.url,
    createdAt: new Date(row.created_at),
    title: row.title,
    body: row.body,
    author: row.author,
    engagement: row.engagement,
    direct: row.direct,
    label: row.label,
    score: row.score,
    confidence: row.confidence,
    sentimentTier: row.sentiment_tier,
    matchedText: row.matched_text,
    start: row.start_offset,
    end: row.end_offset,
    version: row.version,
    aspects: typeof row.aspects === 'string' ? (JSON.parse(row.aspects) as MentionAspect[]) : row.aspects,
    cursor: { createdAt: row.cursor_at, postId: Number(row.post_id) },
  }));
}

/** When an entity's newest stored mention was made (from one source only, when named); null when it has none. */
export async function getNewestMentionAt(db: Executor, entityId: number, source?: string): Promise<Date | null> {
  const row = (
    await sql<{ at: Date | string | null }>`
      SELECT max(created_at) AS at FROM mentions
      WHERE entity_id = ${entityId} ${source === undefined ? sql`` : sql`AND source = ${source}`}`.execute(db)
  ).rows[0];
  return row?.at ? new Date(row.at) : null;
}

/** The posts with the most engagement among an entity's mentions in [from, to), optionally one label only. */
export async function listTopPostIds(
  db: Executor,
  entityId: number,
  from: Date,
  to: Date,
  label: SentimentLabel | undefined,
  limit: number,
): Promise<number[]> {
  const rows = await sql<{ post_id: number }>`
    SELECT post_id FROM mentions
    WHERE entity_id = ${entityId} AND created_at >= ${from.toISOString()}::timestamptz AND created_at < ${to.toISOString()}::timestamptz
      ${label === undefined ? sql`` : sql`AND label = ${label}`}
    ORDER BY engagement DESC, created_at DESC, post_id DESC
    LIMIT ${limit}`.execute(db);
  return rows.rows.map((r) => Number(r.post_id));
}
