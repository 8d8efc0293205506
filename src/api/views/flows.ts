import { planSeriesWindow, type SeriesWindowInput } from '../../core/series-window.ts';
import { computeWilsonInterval } from '../../core/stats.ts';
import { bucketStart } from '../../core/time-buckets.ts';
import type { EntityRecord } from '../../db/queries/entities.ts';
import { countFlowsByHour, listFlowPosts, type FlowKind, type FlowPostQuery, type FlowTier } from '../../db/queries/flows.ts';
import type { MentionAspect } from '../../db/queries/posts.ts';
import type { Executor } from '../../db/queries/entities.ts';
import { decodeCursor, encodeCursor } from './posts.ts';

/** Pairs whose net flow series is served: the most active ones, so the answer stays small. */
export const NET_PAIRS = 10;
/** Net moves a -> b among n moves between a and b, with the interval of the share going a -> b carried over to the net. */
export function netFlow(aToB: number, bToA: number) {
  const n = aToB + bToA;
  const interval = computeWilsonInterval(aToB, n);
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  return {
    aToB,
    bToA,
    n,
    net: aToB - bToA,
    share: n === 0 ? null : round(aToB / n),
    shareLow: interval ? round(interval.low) : null,
    shareHigh: interval ? round(interval.high) : null,
    netLow: interval ? round(n * (2 * interval.low - 1)) : null,
    netHigh: interval ? round(n * (2 * interval.high - 1)) : null,
    /** The interval of the share excludes one half: more of the pair's moves go one way than chance would give. */
    significant: interval !== null && (interval.low > 0.5 || interval.high < 0.5),
  };
}

export interface FlowMatrixQuery extends SeriesWindowInput {
  source?: string | undefined;
  tier?: FlowTier | undefined;
}

/**
 * The flows of [from, to): one item per (from, to, kind) with its reasons, and for the most active
 * pairs of tracked entities the net moves per bucket (switches and returns; adds move nobody away).
 */
export async function buildFlowMatrix(
  db: Executor,
  entities: EntityRecord[],
  query: FlowMatrixQuery,
  entity: EntityRecord | null,
  now: Date,
) {
  const window = planSeriesWindow({ ...query, bucket: query.bucket ?? 'week' }, now, NET_PAIRS);
  const slugOf = new Map(entities.map((e) => [e.id, e.slug]));
  const slug = (id: number | null) => (id === null ? null : (slugOf.get(id) ?? null));
  const counts = await countFlowsByHour(db, {
    from: window.from,
    to: window.to,
    source: query.source,
    entityId: entity?.id,
    tier: query.tier,
  });

  const items = new Map<
    string,
    { from: string | null; to: string | null; kind: FlowKind; n: number; llm: number; reasons: Map<string, number>; noReason: number }
  >();
  const bucketIndex = new Map(window.starts.map((s, i) => [s.getTime(), i]));
  const pairs = new Map<string, { a: string; b: string; aToB: number[]; bToA: number[] }>();
  for (const row of counts) {
    const from = slug(row.fromEntityId);
    const to = slug(row.toEntityId);
    const key = `${from}\u0000${to}\u0000${row.kind}`;
    const item = items.get(key) ?? { from, to, kind: row.kind, n: 0, llm: 0, reasons: new Map<string, number>(), noReason: 0 };
    item.n += row.n;
    if (row.tier === 'llm') item.llm += row.n;
    if (row.reason === null) item.noReason += row.n;
    else item.reasons.set(row.reason, (item.reasons.get(row.reason) ?? 0) + row.n);
    items.set(key, item);

    if (from === null || to === null || row.kind === 'adds') continue;
    const [a, b] = from < to ? [from, to] : [to, from];
    const pairKey = `${a}\u0000${b}`;
    const pair = pairs.get(pairKey) ?? { a, b, aToB: window.starts.map(() => 0), bToA: window.starts.map(() => 0) };
    const index = bucketIndex.get(bucketStart(row.hour, window.bucket, window.tz).getTime());
    if (index !== undefined) (from === a ? pair.aToB : pair.bToA)[index]! += row.n;
    pairs.set(pairKey, pair);
  }

  const sum = (list: number[]) => list.reduce((s, x) => s + x, 0);
  const net = [...pairs.values()]
    .map((pair) => ({ pair, total: netFlow(sum(pair.aToB), sum(pair.bToA)) }))
    .sort((x, y) => y.total.n - x.total.n || (x.pair.a + x.pair.b < y.pair.a + y.pair.b ? -1 : 1))
    .slice(0, NET_PAIRS)
    .map(({ pair, total }) => ({
      a: pair.a,
      b: pair.b,
      ...total,
      series: window.starts.map((start, i) => ({ bucketStart: start.toISOString(), ...netFlow(pair.aToB[i]!, pair.bToA[i]!) })),
    }));

  return {
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    bucket: window.bucket,
    tz: window.tz,
    source: query.source ?? null,
    entity: entity?.slug ?? null,
    tier: query.tier ?? null,
    items: [...items.values()]
      .sort((x, y) => y.n - x.n || `${x.from}${x.to}${x.kind}`.localeCompare(`${y.from}${y.to}${y.kind}`))
      .map((item) => ({
        from: item.from,
        to: item.to,
        kind: item.kind,
        n: item.n,
        llm: item.llm,
        reasons: [...item.reasons].map(([aspect, n]) => ({ aspect, n })).sort((x, y) => y.n - x.n || x.aspect.localeCompare(y.aspect)),
        noReason: item.noReason,
      })),
    net,
  };
}

export interface FlowPostsInput extends Omit<FlowPostQuery, 'after' | 'fromEntityId' | 'toEntityId'> {
  fromEntity?: EntityRecord | null | undefined;
  toEntity?: EntityRecord | null | undefined;
  cursor?: string | undefined;
}

/** One page of the posts behind flows, each shown as the post with its flow statement highlighted. */
export async function buildFlowPostPage(db: Executor, entities: EntityRecord[], query: FlowPostsInput) {
  const slugOf = new Map(entities.map((e) => [e.id, e.slug]));
  const idOf = (side: EntityRecord | null | undefined) => (side === undefined ? undefined : side === null ? null : side.id);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const rows = await listFlowPosts(db, {
    ...query,
    fromEntityId: idOf(query.fromEntity),
    toEntityId: idOf(query.toEntity),
    after,
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => ({
      source: row.source,
      externalId: row.externalId,
      url: row.url,
      createdAt: row.createdAt.toISOString(),
      title: row.title,
      body: row.body,
      author: row.author,
      engagement: row.engagement,
      direct: true,
      label: row.label,
      score: row.score,
      confidence: row.confidence,
      sentimentTier: 'local' as const,
      matchedText: row.evidence,
      start: row.start,
      end: row.end,
      aspects: [] as MentionAspect[],
      flow: {
        from: row.fromEntityId === null ? null : (slugOf.get(row.fromEntityId) ?? null),
        to: row.toEntityId === null ? null : (slugOf.get(row.toEntityId) ?? null),
        kind: row.kind,
        reason: row.reason,
        evidence: row.evidence,
        confidence: row.flowConfidence,
        tier: row.tier,
      },
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.cursor) : null,
  };
}
