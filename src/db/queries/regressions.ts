import { sql } from 'kysely';
import type { CountPair } from '../../core/attribution.ts';
import type { RegressionCell } from '../../core/regression.ts';
import type { Executor } from './entities.ts';

/** Per entity: its daily sums per source in [from, to) (UTC midnights), from the daily rollups. */
export async function getDailySourceCells(
  db: Executor,
  query: { entityIds: number[]; from: Date; to: Date },
): Promise<Map<number, RegressionCell[]>> {
  const result = new Map<number, RegressionCell[]>(query.entityIds.map((id) => [id, []]));
  if (query.entityIds.length === 0) return result;
  const rows = await sql<{ entity_id: number; day: Date; source: string; n: number; score_sum: number; score_sq_sum: number }>`
    SELECT entity_id, day, source, sum(n)::int AS n, sum(score_sum) AS score_sum, sum(score_sq_sum) AS score_sq_sum
    FROM sentiment_rollups_daily
    WHERE entity_id = ANY(${query.entityIds}::int[])
      AND day >= ${query.from.toISOString()}::timestamptz AND day < ${query.to.toISOString()}::timestamptz
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3`.execute(db);
  for (const row of rows.rows) {
    result.get(row.entity_id)?.push({
      day: new Date(row.day),
      source: row.source,
      n: Number(row.n),
      scoreSum: Number(row.score_sum),
      scoreSqSum: Number(row.score_sq_sum),
    });
  }
  return result;
}

export interface AttributionCounts {
  /** mentions in [from, to) and in [previousFrom, from) */
  n: number;
  previousN: number;
  /** per aspect: negative aspect findings in each window */
  aspects: Array<{ aspect: string } & CountPair>;
  /** The text around each negative mention (a sample of at most `textLimit` per window), and how many there were. */
  texts: { current: string[]; previous: string[] };
  negatives: CountPair;
  /** per version the mentions name (migration 011): negative mentions in each window */
  versions: Array<{ version: string } & CountPair>;
}

/** Characters of the analysed text read either side of a mention for its phrases. */
const TEXT_CONTEXT = 300;

function negativeTexts(entityId: number, from: Date, to: Date, limit: number) {
  // The analysed text is title, blank line, body for a top-level post with a title (src/pipeline/analyze.ts);
  // the sample is ordered by a hash of the post id, so a long window is read evenly and the same way every run.
  return sql<{ text: string }>`
    SELECT substr(
      CASE WHEN coalesce(p.title, '') <> '' AND p.parent_id IS NULL THEN p.title || E'\n\n' || p.body ELSE p.body END,
      greatest(1, m.start_offset + 1 - ${TEXT_CONTEXT}), ${2 * TEXT_CONTEXT}) AS text
    FROM mentions m JOIN posts p ON p.id = m.post_id
    WHERE m.entity_id = ${entityId} AND m.label = 'negative'
      AND m.created_at >= ${from.toISOString()}::timestamptz AND m.created_at < ${to.toISOString()}::timestamptz
    ORDER BY md5(m.post_id::text)
    LIMIT ${limit}`;
}

/**
 * What attribution reads about one entity in a window and the window before it: mention counts,
 * negative aspect findings per aspect, and the text around negative mentions.
 */
export async function getAttributionCounts(
  db: Executor,
  query: { entityId: number; from: Date; to: Date; previousFrom: Date; textLimit?: number },
): Promise<AttributionCounts> {
  const limit = query.textLimit ?? 2000;
  const window = sql`created_at >= ${query.previousFrom.toISOString()}::timestamptz AND created_at < ${query.to.toISOString()}::timestamptz`;
  const isCurrent = sql`created_at >= ${query.from.toISOString()}::timestamptz`;
  const [mentions, aspects, current, previous, versions] = await Promise.all([
    sql<{ cur: boolean; n: number; negative: number }>`
      SELECT ${isCurrent} AS cur, count(*)::int AS n, (count(*) FILTER (WHERE label = 'negative'))::int AS negative
      FROM mentions WHERE entity_id = ${query.entityId} AND ${window}
      GROUP BY 1`.execute(db),
    sql<{ aspect: string; cur: boolean; negative: number }>`
      SELECT aspect, ${isCurrent} AS cur, count(*)::int AS negative
      FROM mention_aspects WHERE entity_id = ${query.entityId} AND polarity = 'negative' AND ${window}
      GROUP BY 1, 2`.execute(db),
    negativeTexts(query.entityId, query.from, query.to, limit).execute(db),
    negativeTexts(query.entityId, query.previousFrom, query.from, limit).execute(db),
    sql<{ version: string; cur: boolean; negative: number }>`
      SELECT version, ${isCurrent} AS cur, count(*)::int AS negative
      FROM mentions WHERE entity_id = ${query.entityId} AND version IS NOT NULL AND label = 'negative' AND ${window}
      GROUP BY 1, 2`.execute(db),
  ]);
  const cur = mentions.rows.find((r) => r.cur);
  const prev = mentions.rows.find((r) => !r.cur);
  const byAspect = new Map<string, { aspect: string } & CountPair>();
  for (const row of aspects.rows) {
    const entry = byAspect.get(row.aspect) ?? { aspect: row.aspect, current: 0, previous: 0 };
    entry[row.cur ? 'current' : 'previous'] = Number(row.negative);
    byAspect.set(row.aspect, entry);
  }
  const byVersion = new Map<string, { version: string } & CountPair>();
  for (const row of versions.rows) {
    const entry = byVersion.get(row.version) ?? { version: row.version, current: 0, previous: 0 };
    entry[row.cur ? 'current' : 'previous'] = Number(row.negative);
    byVersion.set(row.version, entry);
  }
  return {
    versions: [...byVersion.values()].sort((a, b) => a.version.localeCompare(b.version)),
    n: Number(cur?.n ?? 0),
    previousN: Number(prev?.n ?? 0),
    aspects: [...byAspect.values()].sort((a, b) => a.aspect.localeCompare(b.aspect)),
    texts: { current: current.rows.map((r) => r.text ?? ''), previous: previous.rows.map((r) => r.text ?? '') },
    negatives: { current: Number(cur?.negative ?? 0), previous: Number(prev?.negative ?? 0) },
  };
}
