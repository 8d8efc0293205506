import type { z } from '@hono/zod-openapi';
import { addSums, compareWindows, computeShareOfVoice, EMPTY_SUMS, summarize, type RollupSums } from '../../core/stats.ts';
import { bucketStart, enumerateBuckets } from '../../core/time-buckets.ts';
import { getAspectWindowSums } from '../../db/queries/aspects.ts';
import type { EntityRecord, Executor } from '../../db/queries/entities.ts';
import { getBucketSums } from '../../db/queries/series.ts';
import type { Entity, EntitySummary } from '../schemas.ts';

const DAY_MS = 24 * 3600 * 1000;
/** The summary compares the last SUMMARY_DAYS UTC days (today included) with the ones before. */
const SUMMARY_DAYS = 7;
const SPARKLINE_DAYS = 30;

const sumDays = (days: RollupSums[]): RollupSums => days.reduce<RollupSums>((total, day) => addSums(total, day), { ...EMPTY_SUMS });
const MOVING_ASPECTS = 3;

/**
 * Entities with their summary over the last 7 UTC days against the 7 before, in two queries
 * whatever their number: the 30 daily buckets of the sparkline hold both windows. `peers` are the
 * entities share of voice is counted among (same kind).
 */
export async function presentEntities(
  db: Executor,
  entities: EntityRecord[],
  now = new Date(),
  peers: EntityRecord[] = entities,
): Promise<Array<z.infer<typeof Entity>>> {
  const everyone = [...new Map([...peers, ...entities].map((e) => [e.id, e])).values()];
  const ids = entities.map((e) => e.id);
  const sparkStarts = enumerateBuckets(bucketStart(new Date(now.getTime() - (SPARKLINE_DAYS - 1) * DAY_MS), 'day'), now, 'day');
  const [sparklines, aspects] = await Promise.all([
    getBucketSums(db, { entityIds: everyone.map((e) => e.id), starts: sparkStarts, end: now }),
    getAspectWindowSums(db, {
      entityIds: ids,
      from: sparkStarts.at(-SUMMARY_DAYS)!,
      to: now,
      previousFrom: sparkStarts.at(-2 * SUMMARY_DAYS)!,
    }),
  ]);
  const sums = new Map(
    [...sparklines].map(([id, days]) => [
      id,
      { current: sumDays(days.slice(-SUMMARY_DAYS)), previous: sumDays(days.slice(-2 * SUMMARY_DAYS, -SUMMARY_DAYS)) },
    ]),
  );
  const shareByKind = new Map(
    (['model', 'tool', 'vendor'] as const).map((kind) => [
      kind,
      computeShareOfVoice(Object.fromEntries(everyone.filter((e) => e.kind === kind).map((e) => [e.slug, sums.get(e.id)?.current.n ?? 0]))),
    ]),
  );
  return entities.map((entity) => {
    const window = sums.get(entity.id) ?? { current: EMPTY_SUMS, previous: EMPTY_SUMS };
    const point = summarize(window.current);
    const comparison = compareWindows(window.current, window.previous);
    const moving = (aspects.get(entity.id) ?? [])
      .map((entry) => ({ entry, comparison: compareWindows(entry.current, entry.previous) }))
      .filter(({ comparison: c }) => c.change !== null)
      .sort((a, b) => Math.abs(b.comparison.change ?? 0) - Math.abs(a.comparison.change ?? 0) || a.entry.aspect.localeCompare(b.entry.aspect))
      .slice(0, MOVING_ASPECTS);
    const summary: z.infer<typeof EntitySummary> = {
      window: '7d',
      n: window.current.n,
      previousN: window.previous.n,
      score: point.score,
      scoreLow: point.scoreLow,
      scoreHigh: point.scoreHigh,
      previousScore: comparison.previousScore,
      change: comparison.change,
      significant: comparison.significant,
      netSentiment: point.netSentiment,
      weightedScore: point.weightedScore,
      changeLow: comparison.changeLow,
      changeHigh: comparison.changeHigh,
      pValue: comparison.pValue,
      shareOfVoice: shareByKind.get(entity.kind)?.[entity.slug] ?? null,
      aspectsMoving: moving.map(({ entry, comparison: c }) => ({
        aspect: entry.aspect,
        n: entry.current.n,
        score: c.currentScore,
        previousScore: c.previousScore,
        change: c.change,
      })),
      sparkline: (sparklines.get(entity.id) ?? []).map((day, i) => ({
        bucketStart: (sparkStarts[i] ?? now).toISOString(),
        n: day.n,
        score: day.n === 0 ? null : day.scoreSum / day.n,
      })),
    };
    return {
      slug: entity.slug,
      name: entity.name,
      kind: entity.kind,
      parent: entity.parent,
      aliases: entity.aliases,
      homepage: entity.homepage,
      origin: entity.origin,
      summary,
    };
  });
}
