import { planRange, planSeriesWindow, previousRange, type SeriesWindow, type SeriesWindowInput } from '../../core/series-window.ts';
import { addSums, computeShareOfVoice, EMPTY_SUMS, summarize, type RollupSums, type SeriesPoint } from '../../core/stats.ts';
import type { EntityRecord, Executor } from '../../db/queries/entities.ts';
import { listEvents, type EventRecord } from '../../db/queries/events.ts';
import { getAspectWindowSums } from '../../db/queries/aspects.ts';
import { getBucketSums, getSourceSums } from '../../db/queries/series.ts';
import { presentChange } from './change.ts';

export type PointWithStart = SeriesPoint & { bucketStart: string };

export interface WindowView {
  from: string;
  to: string;
  bucket: SeriesWindow['bucket'];
  tz: string;
  source: string | null;
}

export function presentWindow(window: SeriesWindow, source: string | undefined): WindowView {
  return { from: window.from.toISOString(), to: window.to.toISOString(), bucket: window.bucket, tz: window.tz, source: source ?? null };
}

export function presentPoints(window: SeriesWindow, sums: readonly RollupSums[]): PointWithStart[] {
  return window.starts.map((start, i) => {
    const bucketSums = sums[i];
    if (bucketSums === undefined) throw new Error('series sums do not match the window');
    return { bucketStart: start.toISOString(), ...summarize(bucketSums) };
  });
}

export function presentEvent(event: EventRecord) {
  return { ...event, occurredAt: event.occurredAt.toISOString() };
}

/** An entity's series over the window, with the events of the same window for overlays. */
export async function buildSentimentSeries(
  db: Executor,
  entity: EntityRecord,
  input: SeriesWindowInput & { source?: string | undefined },
  now = new Date(),
) {
  const window = planSeriesWindow(input, now);
  const first = window.starts[0] ?? window.from;
  const [sums, events] = await Promise.all([
    getBucketSums(db, { entityIds: [entity.id], starts: window.starts, end: window.end, source: input.source }),
    listEvents(db, { entityIds: [entity.id], from: first, to: window.end }),
  ]);
  return {
    entity: entity.slug,
    ...presentWindow(window, input.source),
    series: presentPoints(window, sums.get(entity.id) ?? []),
    events: events.map(presentEvent),
  };
}

/**
 * Aligned series of several entities, each point with its share of the bucket's mentions among them.
 * Each entity's points are built in their own turn of the event loop, so a large comparison never
 * holds /health and light reads for longer than one series takes.
 */
export async function buildComparison(
  db: Executor,
  entities: EntityRecord[],
  input: SeriesWindowInput & { source?: string | undefined },
  now = new Date(),
) {
  const window = planSeriesWindow(input, now, entities.length);
  const sums = await getBucketSums(db, {
    entityIds: entities.map((e) => e.id),
    starts: window.starts,
    end: window.end,
    source: input.source,
  });
  const perEntity = entities.map((entity) => ({ entity, sums: sums.get(entity.id) ?? [] }));
  const totals = Object.fromEntries(perEntity.map(({ entity, sums: list }) => [entity.slug, list.reduce((n, s) => n + s.n, 0)]));
  const overall = computeShareOfVoice(totals);
  const bucketTotals = window.starts.map((_, i) => perEntity.reduce((n, { sums: list }) => n + (list[i]?.n ?? 0), 0));
  const series = [];
  for (const { entity, sums: list } of perEntity) {
    await new Promise((resolve) => setImmediate(resolve));
    series.push({
      slug: entity.slug,
      name: entity.name,
      kind: entity.kind,
      n: totals[entity.slug] ?? 0,
      shareOfVoice: overall[entity.slug] ?? null,
      // Added in place: a copy of every point would double the garbage of a large comparison.
      series: presentPoints(window, list).map((point, i) =>
        Object.assign(point, { shareOfVoice: bucketTotals[i] ? point.n / bucketTotals[i] : null }),
      ),
    });
  }
  return { ...presentWindow(window, input.source), entities: series };
}

/** A window's statistics with the change of its mean score against the window before it. */
const presentWindowFigures = (current: RollupSums, previous: RollupSums) => ({
  ...summarize(current),
  ...presentChange(current, previous),
});

/**
 * An entity's mentions in exactly [from, to), in total and per source or per aspect, each with the
 * statistics of a series point, its change against the window of the same length before, and its
 * share of the total. No buckets: the total is the same whatever bucket a chart of the window uses.
 * Sources add up to the total; aspects need not (a mention may name several, or none), and their
 * scores are the aspect's own polarity.
 */
export async function buildBreakdown(
  db: Executor,
  entity: EntityRecord,
  input: { from?: Date | undefined; to?: Date | undefined; by: 'source' | 'aspect' },
  now = new Date(),
) {
  const { from, to } = planRange(input, now);
  const previous = previousRange(from, to);
  const window = { entityId: entity.id, from, to, previousFrom: previous.from };
  const bySource = await getSourceSums(db, window);
  const total = (pick: 'current' | 'previous') => bySource.reduce<RollupSums>((sum, row) => addSums(sum, row[pick]), { ...EMPTY_SUMS });
  const current = total('current');
  const rows =
    input.by === 'source'
      ? bySource.map((row) => ({ key: row.source, current: row.current, previous: row.previous }))
      : ((await getAspectWindowSums(db, { ...window, entityIds: [entity.id] })).get(entity.id) ?? []).map((row) => ({
          key: row.aspect,
          current: row.current,
          previous: row.previous,
        }));
  return {
    entity: entity.slug,
    from: from.toISOString(),
    to: to.toISOString(),
    previousFrom: previous.from.toISOString(),
    by: input.by,
    total: presentWindowFigures(current, total('previous')),
    items: rows.map((row) => ({
      key: row.key,
      share: current.n > 0 ? row.current.n / current.n : null,
      ...presentWindowFigures(row.current, row.previous),
    })),
  };
}
