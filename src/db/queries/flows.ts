import { sql } from 'kysely';
import type { SentimentLabel } from '../../core/stats.ts';
import type { Executor } from './entities.ts';
import { postKeyset, type PostCursor } from './posts.ts';

export type FlowKind = 'switch' | 'return' | 'adds';
/** Which tier read a flow (migration 017). */
export type FlowTier = 'rules' | 'llm';

/** One stored switching statement of a post (migration 010). */
export interface FlowRow {
  postId: number;
  fromEntityId: number | null;
  toEntityId: number | null;
  kind: FlowKind;
  reason: string | null;
  evidence: string;
  start: number;
  end: number;
  confidence: number;
  createdAt: Date;
  source: string;
  tier: FlowTier;
}

export async function insertFlows(db: Executor, rows: FlowRow[]): Promise<void> {
  if (rows.length === 0) return;
  const c = <T>(pick: (row: FlowRow) => T): T[] => rows.map(pick);
  await sql`
    INSERT INTO post_flows (post_id, from_entity_id, to_entity_id, kind, reason, evidence, start_offset, end_offset,
                            confidence, created_at, source, tier)
    SELECT * FROM unnest(
      ${c((r) => r.postId)}::bigint[], ${c((r) => r.fromEntityId)}::int[], ${c((r) => r.toEntityId)}::int[],
      ${c((r) => r.kind)}::text[], ${c((r) => r.reason)}::text[], ${c((r) => r.evidence)}::text[],
      ${c((r) => r.start)}::int[], ${c((r) => r.end)}::int[], ${c((r) => r.confidence)}::real[],
      ${c((r) => r.createdAt.toISOString())}::timestamptz[], ${c((r) => r.source)}::text[], ${c((r) => r.tier)}::text[]
    )`.execute(db);
}

/** Removes the flows of these posts (a rescore writes them again). */
export async function deleteFlowsOfPosts(db: Executor, postIds: number[]): Promise<void> {
  if (postIds.length > 0) await sql`DELETE FROM post_flows WHERE post_id = ANY(${postIds}::bigint[])`.execute(db);
}

export interface FlowWindow {
  from: Date;
  to: Date;
  source?: string | undefined;
  /** Only flows with this entity on either side. */
  entityId?: number | undefined;
  /** Only flows read by this tier. */
  tier?: FlowTier | undefined;
}

/** Flow counts per (from, to, kind, reason, tier) and UTC hour: the caller sums hours into its buckets exactly. */
export interface FlowHourCount {
  fromEntityId: number | null;
  toEntityId: number | null;
  kind: FlowKind;
  reason: string | null;
  tier: FlowTier;
  hour: Date;
  n: number;
}

/** Flows whose sides are tracked now (or untracked: null); a side that names a removed entity hides the flow. */
const TRACKED_SIDES = sql`
  (f.from_entity_id IS NULL OR EXISTS (SELECT 1 FROM entities e WHERE e.id = f.from_entity_id AND e.removed_at IS NULL))
  AND (f.to_entity_id IS NULL OR EXISTS (SELECT 1 FROM entities e WHERE e.id = f.to_entity_id AND e.removed_at IS NULL))`;

const windowFilter = (w: FlowWindow) => sql`
  f.created_at >= ${w.from.toISOString()}::timestamptz AND f.created_at < ${w.to.toISOString()}::timestamptz
  ${w.source === undefined ? sql`` : sql`AND f.source = ${w.source}`}
  ${w.entityId === undefined ? sql`` : sql`AND (f.from_entity_id = ${w.entityId} OR f.to_entity_id = ${w.entityId})`}
  ${w.tier === undefined ? sql`` : sql`AND f.tier = ${w.tier}`}
  AND ${TRACKED_SIDES}`;

/** Every flow of [from, to), counted per (from, to, kind, reason, tier) and UTC hour. */
export async function countFlowsByHour(db: Executor, w: FlowWindow): Promise<FlowHourCount[]> {
  const rows = await sql<{
    from_entity_id: number | null;
    to_entity_id: number | null;
    kind: FlowKind;
    reason: string | null;
    tier: FlowTier;
    hour: Date;
    n: number;
  }>`
    SELECT f.from_entity_id, f.to_entity_id, f.kind, f.reason, f.tier, date_trunc('hour', f.created_at, 'UTC') AS hour,
           count(*)::int AS n
    FROM post_flows f
    WHERE ${windowFilter(w)}
    GROUP BY 1, 2, 3, 4, 5, 6`.execute(db);
  return rows.rows.map((r) => ({
    fromEntityId: r.from_entity_id === null ? null : Number(r.from_entity_id),
    toEntityId: r.to_entity_id === null ? null : Number(r.to_entity_id),
    kind: r.kind,
    reason: r.reason,
    tier: r.tier,
    hour: new Date(r.hour),
    n: Number(r.n),
  }));
}

export interface FlowPostQuery extends FlowWindow {
  /** The flow's sides: an entity id, or null for an untracked side; undefined for any. */
  fromEntityId?: number | null | undefined;
  toEntityId?: number | null | undefined;
  kind?: FlowKind | undefined;
  reason?: string | undefined;
  after?: PostCursor | undefined;
  limit: number;
}

/** A post behind a flow: the post (with its post-level sentiment) and the statement's flow fields. */
export interface FlowPost extends Pick<
  FlowRow,
  'postId' | 'source' | 'createdAt' | 'fromEntityId' | 'toEntityId' | 'kind' | 'reason' | 'evidence' | 'start' | 'end' | 'tier'
> {
  externalId: string;
  url: string | null;
  title: string | null;
  body: string;
  author: string | null;
  engagement: number;
  label: SentimentLabel;
  score: number;
  confidence: number;
  flowConfidence: number;
  cursor: PostCursor;
}

const side = (column: 'from_entity_id' | 'to_entity_id', value: number | null | undefined) =>
  value === undefined ? sql`` : value === null ? sql`AND ${sql.ref(`f.${column}`)} IS NULL` : sql`AND ${sql.ref(`f.${column}`)} = ${value}`;

/**
 * The posts behind flows, newest first, keyset-paginated on (created_at, post id); a post stating
 * two matching flows appears once, with its first.
 */
export async function listFlowPosts(db: Executor, query: FlowPostQuery): Promise<FlowPost[]> {
  const keyset = postKeyset('f', query.after);
  const rows = await sql<{
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
    label: SentimentLabel | null;
    score: number | null;
    confidence: number | null;
    from_entity_id: number | null;
    to_entity_id: number | null;
    kind: FlowKind;
    reason: string | null;
    evidence: string;
    start_offset: number;
    end_offset: number;
    flow_confidence: number;
    tier: FlowTier;
  }>`
    SELECT DISTINCT ON (f.created_at, f.post_id)
      f.post_id, p.source, p.external_id, p.url, f.created_at, ${keyset.cursorAt},
      p.title, p.body, p.author, greatest(coalesce(p.score, 0) + coalesce(p.comments, 0), 0) AS engagement,
      p.sentiment_label AS label, p.sentiment_score AS score, p.sentiment_confidence AS confidence,
      f.from_entity_id, f.to_entity_id, f.kind, f.reason, f.evidence, f.start_offset, f.end_offset, f.confidence AS flow_confidence,
      f.tier
    FROM post_flows f JOIN posts p ON p.id = f.post_id
    WHERE ${windowFilter(query)}
      ${side('from_entity_id', query.fromEntityId)}
      ${side('to_entity_id', query.toEntityId)}
      ${query.kind === undefined ? sql`` : sql`AND f.kind = ${query.kind}`}
      ${query.reason === undefined ? sql`` : sql`AND f.reason = ${query.reason}`}
      ${keyset.after}
    ORDER BY f.created_at DESC, f.post_id DESC, f.start_offset
    LIMIT ${query.limit}`.execute(db);
  return rows.rows.map((r) => ({
    postId: Number(r.post_id),
    source: r.source,
    externalId: r.external_id,
    url: r.url,
    createdAt: new Date(r.created_at),
    title: r.title,
    body: r.body,
    author: r.author,
    engagement: Math.min(Number(r.engagement), 2_147_483_647),
    label: r.label ?? 'neutral',
    score: r.score ?? 0,
    confidence: r.confidence ?? 0,
    fromEntityId: r.from_entity_id === null ? null : Number(r.from_entity_id),
    toEntityId: r.to_entity_id === null ? null : Number(r.to_entity_id),
    kind: r.kind,
    reason: r.reason,
    evidence: r.evidence,
    start: r.start_offset,
    end: r.end_offset,
    flowConfidence: r.flow_confidence,
    tier: r.tier,
    cursor: { createdAt: r.cursor_at, postId: Number(r.post_id) },
  }));
}
