import { sql } from 'kysely';
import type { EventKind, NormalizedEvent } from '../../core/post.ts';
import type { Executor } from './entities.ts';

/** A stored event with the slug of its entity (null: not tied to one). */
export interface EventRecord extends NormalizedEvent {
  id: number;
  entity: string | null;
  details: Record<string, unknown>;
}

export interface EventQuery {
  /** Events of these entities; undefined for every event, entity-less ones included. */
  entityIds?: number[] | undefined;
  from: Date;
  to: Date;
  kind?: EventKind | undefined;
  limit?: number;
}

type EventRow = {
  id: number;
  entity: string | null;
  kind: EventKind;
  source: string;
  external_id: string;
  title: string;
  url: string | null;
  body: string | null;
  occurred_at: Date;
  details: Record<string, unknown> | string;
};

function toRecord(row: EventRow): EventRecord {
  return {
    id: Number(row.id),
    entity: row.entity,
    kind: row.kind,
    source: row.source,
    externalId: row.external_id,
    title: row.title,
    url: row.url,
    body: row.body,
    occurredAt: new Date(row.occurred_at),
    details: typeof row.details === 'string' ? (JSON.parse(row.details) as Record<string, unknown>) : row.details,
  };
}

/** Events in [from, to), oldest first. */
export async function listEvents(db: Executor, query: EventQuery): Promise<EventRecord[]> {
  const rows = await sql<EventRow>`
    SELECT ev.id, e.slug AS entity, ev.kind, ev.source, ev.external_id, ev.title, ev.url, ev.body, ev.occurred_at, ev.details
    FROM events ev LEFT JOIN entities e ON e.id = ev.entity_id
    WHERE ev.occurred_at >= ${query.from.toISOString()}::timestamptz AND ev.occurred_at < ${query.to.toISOString()}::timestamptz
      ${query.entityIds === undefined ? sql`` : sql`AND ev.entity_id = ANY(${query.entityIds}::int[])`}
      ${query.kind === undefined ? sql`` : sql`AND ev.kind = ${query.kind}`}
    ORDER BY ev.occurred_at, ev.id
    LIMIT ${query.limit ?? 1000}`.execute(db);
  return rows.rows.map(toRecord);
}

export interface NewEventRow extends NormalizedEvent {
  entityId: number | null;
  details: Record<string, unknown>;
}

/**
 * Inserts an event, or refreshes the one stored under the same (source, external id, kind):
 * re-running a detector rewrites its events rather than piling up copies.
 */
export async function upsertEvent(db: Executor, event: NewEventRow): Promise<EventRecord> {
  const rows = await sql<EventRow>`
    WITH up AS (
      INSERT INTO events (entity_id, kind, source, external_id, title, url, body, occurred_at, details)
      VALUES (${event.entityId}, ${event.kind}, ${event.source}, ${event.externalId}, ${event.title}, ${event.url},
              ${event.body}, ${event.occurredAt.toISOString()}::timestamptz, ${JSON.stringify(event.details)}::jsonb)
      ON CONFLICT (source, external_id, kind) DO UPDATE SET
        entity_id = excluded.entity_id, title = excluded.title, url = excluded.url, body = excluded.body,
        occurred_at = excluded.occurred_at, details = excluded.details
      RETURNING *
    )
    SELECT up.id, e.slug AS entity, up.kind, up.source, up.external_id, up.title, up.url, up.body, up.occurred_at, up.details
    FROM up LEFT JOIN entities e ON e.id = up.entity_id`.execute(db);
  const row = rows.rows[0];
  if (row === undefined) throw new Error('event upsert returned no row');
  return toRecord(row);
}
