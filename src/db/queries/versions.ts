import { sql } from 'kysely';
import { EMPTY_SUMS, type RollupSums } from '../../core/stats.ts';
import type { Executor } from './entities.ts';
import { toRollupSums, type SummedRow } from './rollups.ts';
import { MENTION_SAMPLE_COLUMNS, MENTION_SUM_COLUMNS } from './series.ts';

export interface VersionWindowQuery {
  entityId: number;
  /** [from, to) */
  from: Date;
  to: Date;
  source?: string | undefined;
}

function versionSamples(query: VersionWindowQuery) {
  return sql`
    SELECT version, created_at, label, ${MENTION_SAMPLE_COLUMNS}
    FROM mentions
    WHERE entity_id = ${query.entityId}
      AND created_at >= ${query.from.toISOString()}::timestamptz AND created_at < ${query.to.toISOString()}::timestamptz
      ${query.source === undefined ? sql`` : sql`AND source = ${query.source}`}`;
}

export interface VersionSums {
  /** null: the mentions that name no version. */
  version: string | null;
  sums: RollupSums;
}

/** An entity's mentions in exactly [from, to) per named version, plus one row (version null) for the rest. */
export async function getVersionSums(db: Executor, query: VersionWindowQuery): Promise<VersionSums[]> {
  const rows = await sql<SummedRow & { version: string | null }>`
    SELECT version, ${MENTION_SUM_COLUMNS}
    FROM (${versionSamples(query)}) m
    GROUP BY version`.execute(db);
  return rows.rows.map((row) => ({ version: row.version, sums: toRollupSums(row) }));
}

/**
 * The same mentions per version and bucket: `starts` are the bucket starts in order; mentions before
 * the first start (the window may begin mid-bucket) count in the first bucket, so the buckets add up
 * to getVersionSums.
 */
export async function getVersionBucketSums(
  db: Executor,
  query: VersionWindowQuery & { starts: Date[]; versions: string[] },
): Promise<Map<string, RollupSums[]>> {
  const result = new Map(query.versions.map((v) => [v, query.starts.map(() => ({ ...EMPTY_SUMS }))]));
  if (query.starts.length === 0 || query.versions.length === 0) return result;
  const rows = await sql<SummedRow & { version: string; i: number }>`
    SELECT version, greatest(width_bucket(created_at, ${query.starts.map((s) => s.toISOString())}::timestamptz[]), 1) AS i, ${MENTION_SUM_COLUMNS}
    FROM (${versionSamples(query)}) m
    WHERE version = ANY(${query.versions}::text[])
    GROUP BY 1, 2`.execute(db);
  for (const row of rows.rows) {
    const list = result.get(row.version);
    const index = Number(row.i) - 1;
    if (list !== undefined && index >= 0 && index < list.length) list[index] = toRollupSums(row);
  }
  return result;
}

/** When each version was first and last named for the entity, at any time (the version index answers this). */
export async function getVersionSpans(
  db: Executor,
  entityId: number,
  versions: string[],
): Promise<Map<string, { first: Date; last: Date }>> {
  if (versions.length === 0) return new Map();
  const rows = await sql<{ version: string; first_at: Date; last_at: Date }>`
    SELECT version, min(created_at) AS first_at, max(created_at) AS last_at
    FROM mentions
    WHERE entity_id = ${entityId} AND version = ANY(${versions}::text[])
    GROUP BY version`.execute(db);
  return new Map(rows.rows.map((r) => [r.version, { first: new Date(r.first_at), last: new Date(r.last_at) }]));
}
