import { sql } from 'kysely';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import {
  buildExplanation,
  computeExplanationChange,
  contributionBase,
  NEARBY_EVENT_MS,
  planEventWindows,
  planPostRanking,
  totalOfSources,
  type ExplainedEvent,
  type ExplainMeasure,
  type ExplainPostRow,
  type Explanation,
  type NearbyEvent,
  type PostOrder,
  type TimeRange,
} from '../../core/explain.ts';
import { readStoredAttribution, type Attribution } from '../../core/attribution.ts';
import { DEFAULT_SPIKE_OPTIONS } from '../../core/spikes.ts';
import { EMPTY_SUMS, type RollupSums, type SentimentLabel } from '../../core/stats.ts';
import { getAspectWindowSums } from './aspects.ts';
import type { Executor } from './entities.ts';
import { listEvents, type EventRecord } from './events.ts';
import { toRollupSums, type SummedRow } from './rollups.ts';
import { getSourceSums, MENTION_SAMPLE_COLUMNS, MENTION_SUM_COLUMNS } from './series.ts';

export type { Explanation } from '../../core/explain.ts';

/** Posts listed in the direction of the change, and against it. */
export const LEAD_POSTS = 5;
export const OPPOSING_POSTS = 3;
/** Characters of body sent either side of a mention, enough for any excerpt. */
const BODY_CONTEXT = 400;

interface EntityRef {
  id: number;
  slug: string;
  name: string;
  parentId: number | null;
}

async function findEntityById(db: Executor, id: number): Promise<EntityRef | undefined> {
  const rows = await sql<{ id: number; slug: string; name: string; parent_id: number | null }>`
    SELECT id, slug, name, parent_id FROM entities WHERE id = ${id} AND removed_at IS NULL`.execute(db);
  const row = rows.rows[0];
  return row && { id: row.id, slug: row.slug, name: row.name, parentId: row.parent_id };
}

type EventRow = {
  id: number;
  entity_id: number | null;
  entity: string | null;
  kind: EventRecord['kind'];
  source: string;
  title: string;
  url: string | null;
  occurred_at: Date;
  details: Record<string, unknown> | string;
};

/** One stored event with the id of its entity, or undefined. */
export async function findEventById(db: Executor, id: number): Promise<(ExplainedEvent & { entityId: number | null }) | undefined> {
  const rows = await sql<EventRow>`
    SELECT ev.id, ev.entity_id, e.slug AS entity, ev.kind, ev.source, ev.title, ev.url, ev.occurred_at, ev.details
    FROM events ev LEFT JOIN entities e ON e.id = ev.entity_id
    WHERE ev.id = ${id}`.execute(db);
  const row = rows.rows[0];
  if (row === undefined) return undefined;
  return {
    id: Number(row.id),
    entityId: row.entity_id,
    entity: row.entity,
    kind: row.kind,
    source: row.source,
    title: row.title,
    url: row.url,
    occurredAt: new Date(row.occurred_at).toISOString(),
    details: typeof row.details === 'string' ? (JSON.parse(row.details) as Record<string, unknown>) : row.details,
  };
}

/** Fixed ORDER BY clauses, one per PostOrder; ties go to the most engaged, then the newest. */
function orderBy(order: PostOrder, base: number) {
  const ties = sql`m.engagement DESC, m.created_at DESC, m.post_id DESC`;
  switch (order) {
    case 'score-asc':
      return sql`m.score ASC, ${ties}`;
    case 'score-desc':
      return sql`m.score DESC, ${ties}`;
    case 'distance':
      return sql`abs(m.score::float8 - ${base}::float8) DESC, ${ties}`;
    case 'negative-first':
      return sql`(m.label = 'negative') DESC, m.score ASC, ${ties}`;
    case 'negative-last':
      return sql`(m.label = 'negative') ASC, m.score DESC, ${ties}`;
    case 'engagement':
      return ties;
  }
}

export interface ExplainPostQuery {
  entityId: number;
  from: Date;
  to: Date;
  source?: string | undefined;
  order: PostOrder;
  /** The level `distance` measures from. */
  base: number;
  limit: number;
}

type ExplainPostDbRow = {
  post_id: number;
  source: string;
  url: string | null;
  title: string | null;
  body: string;
  mention_at: number;
  clipped: boolean;
  created_at: Date;
  label: SentimentLabel;
  score: number;
  engagement: number;
  aspects: string[] | string;
};

/**
 * An entity's mentions in [from, to) in the given order, each with a stretch of its body around the
 * mention and its aspects. Offsets count UTF-16 units and substr code points, so the stretch can sit a
 * few characters off in text with emoji; it is only read for an excerpt.
 */
export async function listExplainPosts(db: Executor, query: ExplainPostQuery): Promise<ExplainPostRow[]> {
  // Ranked on the mentions alone; only the few rows kept are joined to their post and aspects.
  const rows = await sql<ExplainPostDbRow>`
    WITH m AS (
      SELECT m.post_id, m.entity_id, m.created_at, m.label, m.score, m.engagement, m.start_offset
      FROM mentions m
      WHERE m.entity_id = ${query.entityId}
        AND m.created_at >= ${query.from.toISOString()}::timestamptz AND m.created_at < ${query.to.toISOString()}::timestamptz
        ${query.source === undefined ? sql`` : sql`AND m.source = ${query.source}`}
      ORDER BY ${orderBy(query.order, query.base)}
      LIMIT ${query.limit}
    )
    SELECT m.post_id, p.source, p.url, p.title, substr(p.body, o.body_from + 1, ${2 * BODY_CONTEXT}) AS body,
      o.in_body - o.body_from AS mention_at, o.body_from > 0 AS clipped,
      m.created_at, m.label, m.score, m.engagement,
      (SELECT coalesce(json_agg(x.aspect ORDER BY x.aspect), '[]'::json)
         FROM (SELECT DISTINCT a.aspect FROM mention_aspects a WHERE a.post_id = m.post_id AND a.entity_id = m.entity_id) x) AS aspects
    FROM m
    JOIN posts p ON p.id = m.post_id
    -- The analysed text is title, blank line, body for a top-level post with a title (src/pipeline/analyze.ts).
    CROSS JOIN LATERAL (
      SELECT i.in_body, greatest(0, i.in_body - ${BODY_CONTEXT}) AS body_from
      FROM (SELECT m.start_offset - CASE WHEN p.title <> '' AND p.parent_id IS NULL THEN length(p.title) + 2 ELSE 0 END AS in_body) i
    ) o
    ORDER BY ${orderBy(query.order, query.base)}`.execute(db);
  return rows.rows.map((row) => ({
    postId: Number(row.post_id),
    source: row.source,
    url: row.url,
    title: row.title,
    body: row.body ?? '',
    mentionAt: Number(row.mention_at),
    clipped: row.clipped,
    createdAt: new Date(row.created_at),
    label: row.label,
    score: Number(row.score),
    engagement: Number(row.engagement),
    aspects: typeof row.aspects === 'string' ? (JSON.parse(row.aspects) as string[]) : row.aspects,
  }));
}

/** Releases, incidents and notes of these entities from NEARBY_EVENT_MS before `from` to as long after `to`. */
async function listNearbyEvents(db: Executor, entityIds: number[], range: TimeRange, exceptId: number | null): Promise<NearbyEvent[]> {
  const events = await listEvents(db, {
    entityIds,
    from: new Date(range.from.getTime() - NEARBY_EVENT_MS),
    to: new Date(range.to.getTime() + NEARBY_EVENT_MS),
    limit: 200,
  });
  return events.filter((event) => event.kind !== 'spike' && event.kind !== 'regression' && event.id !== exceptId).map(toNearbyEvent);
}

/** A stored event as explanations and digests name it. */
export const toNearbyEvent = (event: EventRecord): NearbyEvent => ({
  id: event.id,
  entity: event.entity,
  kind: event.kind,
  source: event.source,
  title: event.title,
  url: event.url,
  occurredAt: event.occurredAt.toISOString(),
});

interface ExplainPlan {
  entity: EntityRef;
  source: string | undefined;
  measure: ExplainMeasure;
  window: TimeRange;
  previousWindow: TimeRange;
  event: ExplainedEvent | null;
  spike?: { zScore: number } | undefined;
  attribution?: Attribution | null;
  limit: number;
}

async function explain(db: Executor, plan: ExplainPlan): Promise<Explanation> {
  const { entity, window, previousWindow, measure, source } = plan;
  const bySource = await getSourceSums(db, { entityId: entity.id, from: window.from, to: window.to, previousFrom: previousWindow.from });
  const sources = source === undefined ? bySource : bySource.filter((entry) => entry.source === source);
  const total = totalOfSources(sources);
  const { change } = computeExplanationChange(measure, plan, total.current, total.previous);
  const ranking = planPostRanking(measure, change.direction);
  const base = contributionBase(measure, total.previous);
  const posts = (order: PostOrder, limit: number) =>
    listExplainPosts(db, { entityId: entity.id, from: window.from, to: window.to, source, order, base, limit });
  const [aspects, lead, opposing, events] = await Promise.all([
    getAspectWindowSums(db, { entityIds: [entity.id], from: window.from, to: window.to, previousFrom: previousWindow.from, source }),
    posts(ranking.lead, plan.limit),
    ranking.opposing === null ? Promise.resolve([]) : posts(ranking.opposing, Math.min(plan.limit, OPPOSING_POSTS)),
    listNearbyEvents(db, entity.parentId === null ? [entity.id] : [entity.id, entity.parentId], window, plan.event?.id ?? null),
  ]);
  return buildExplanation({
    entity: { slug: entity.slug, name: entity.name },
    source: source ?? null,
    event: plan.event,
    measure,
    window,
    previousWindow,
    sources,
    aspects: aspects.get(entity.id) ?? [],
    posts: lead,
    opposingPosts: opposing,
    events,
    spike: plan.spike,
    attribution: plan.attribution ?? null,
  });
}

export interface ExplainWindowInput {
  entityId: number;
  /** The window [from, to). */
  from: Date;
  to: Date;
  /** Start of the window compared against, which ends at `from`; default: as long as the window. */
  previousFrom?: Date | undefined;
  /** Only mentions from this source. */
  source?: string | undefined;
  /** What to rank posts by (default `score`, the mean sentiment). */
  measure?: ExplainMeasure | undefined;
  /** Posts listed in the direction of the change (default LEAD_POSTS, at most 50). */
  limit?: number | undefined;
}

/**
 * Why an entity's numbers moved in [from, to) against the window before it: the change with its
 * confidence, the posts that moved it most, the aspects and sources that moved, and the releases,
 * incidents and notes near it. Throws NotFoundError for an unknown entity, ValidationError for a bad window.
 */
export async function explainEntityWindow(db: Executor, input: ExplainWindowInput): Promise<Explanation> {
  if (!(input.from.getTime() < input.to.getTime())) throw new ValidationError('from: must be before to');
  const previousFrom = input.previousFrom ?? new Date(2 * input.from.getTime() - input.to.getTime());
  if (!(previousFrom.getTime() < input.from.getTime())) throw new ValidationError('previousFrom: must be before from');
  const entity = await findEntityById(db, input.entityId);
  if (!entity) throw new NotFoundError(`no entity with id ${input.entityId}`);
  return explain(db, {
    entity,
    source: input.source,
    measure: input.measure ?? 'score',
    window: { from: input.from, to: input.to },
    previousWindow: { from: previousFrom, to: input.from },
    event: null,
    limit: Math.min(Math.max(1, input.limit ?? LEAD_POSTS), 50),
  });
}

/**
 * The explanation of one stored event. A spike: its bucket against the trailing baseline the detector
 * used (ranked by negative share for a negativity spike, by engagement for a volume spike). A release,
 * incident or note: the 7 days from it against the 7 days before (by mean score). Throws NotFoundError
 * for an unknown event and ValidationError for one tied to no entity.
 */
export async function explainEvent(db: Executor, eventId: number, options: { now?: Date; limit?: number } = {}): Promise<Explanation> {
  const event = await findEventById(db, eventId);
  if (!event) throw new NotFoundError(`no event with id ${eventId}`);
  if (event.entityId === null) throw new ValidationError(`id: event ${eventId} belongs to no entity, so there is no change to explain`);
  const entity = await findEntityById(db, event.entityId);
  if (!entity) throw new NotFoundError(`the entity of event ${eventId} has been removed`);
  const { entityId: _entityId, ...explained } = event;
  const planned = planEventWindows(
    { kind: event.kind, occurredAt: new Date(event.occurredAt), details: event.details },
    options.now ?? new Date(),
    DEFAULT_SPIKE_OPTIONS.window,
  );
  return explain(db, {
    entity,
    source: undefined,
    ...planned,
    event: explained,
    attribution: readStoredAttribution(event.details),
    limit: Math.min(Math.max(1, options.limit ?? LEAD_POSTS), 50),
  });
}

/**
 * Per entity: its mentions' sums in [from, to) and in [previousFrom, from), in one scan of the
 * mentions (exact at any instant, where the hourly rollups would round the edges). Every entity asked
 * for is in the answer, with empty sums when it has no mentions.
 */
export async function getEntityWindowSums(
  db: Executor,
  query: { entityIds: number[]; from: Date; to: Date; previousFrom: Date },
): Promise<Map<number, { current: RollupSums; previous: RollupSums }>> {
  const result = new Map(query.entityIds.map((id) => [id, { current: { ...EMPTY_SUMS }, previous: { ...EMPTY_SUMS } }]));
  if (query.entityIds.length === 0) return result;
  const rows = await sql<SummedRow & { entity_id: number; cur: boolean }>`
    SELECT entity_id, created_at >= ${query.from.toISOString()}::timestamptz AS cur,
      ${MENTION_SUM_COLUMNS}
    FROM (
      SELECT entity_id, created_at, label, ${MENTION_SAMPLE_COLUMNS}
      FROM mentions
      WHERE entity_id = ANY(${query.entityIds}::int[])
        AND created_at >= ${query.previousFrom.toISOString()}::timestamptz AND created_at < ${query.to.toISOString()}::timestamptz
    ) m
    GROUP BY 1, 2`.execute(db);
  for (const row of rows.rows) {
    const entry = result.get(row.entity_id);
    if (entry) entry[row.cur ? 'current' : 'previous'] = toRollupSums(row);
  }
  return result;
}

export interface DiscussedPost {
  postId: number;
  /** slugs of the entities (among those asked for) the post mentions */
  entities: string[];
  source: string;
  url: string | null;
  title: string | null;
  /** the start of the body */
  body: string;
  createdAt: Date;
  comments: number | null;
  engagement: number;
}

/** Posts created in [from, to) that mention any of the entities, the most replied to first, then the most engaged. */
export async function listMostDiscussedPosts(
  db: Executor,
  query: { entityIds: number[]; from: Date; to: Date; limit: number },
): Promise<DiscussedPost[]> {
  if (query.entityIds.length === 0) return [];
  const rows = await sql<{
    post_id: number;
    entities: string[] | string;
    source: string;
    url: string | null;
    title: string | null;
    body: string;
    created_at: Date;
    comments: number | null;
    engagement: number;
  }>`
    SELECT p.id AS post_id, p.source, p.url, p.title, left(p.body, ${2 * BODY_CONTEXT}) AS body, p.created_at, p.comments,
      max(m.engagement) AS engagement, json_agg(DISTINCT e.slug) AS entities
    FROM mentions m
    JOIN posts p ON p.id = m.post_id
    JOIN entities e ON e.id = m.entity_id
    WHERE m.entity_id = ANY(${query.entityIds}::int[])
      AND m.created_at >= ${query.from.toISOString()}::timestamptz AND m.created_at < ${query.to.toISOString()}::timestamptz
    GROUP BY p.id
    ORDER BY coalesce(p.comments, 0) DESC, max(m.engagement) DESC, p.created_at DESC, p.id DESC
    LIMIT ${query.limit}`.execute(db);
  return rows.rows.map((row) => ({
    postId: Number(row.post_id),
    entities: (typeof row.entities === 'string' ? (JSON.parse(row.entities) as string[]) : row.entities).sort(),
    source: row.source,
    url: row.url,
    title: row.title,
    body: row.body,
    createdAt: new Date(row.created_at),
    comments: row.comments === null ? null : Number(row.comments),
    engagement: Number(row.engagement),
  }));
}
