import { planRange, previousRange } from '../../core/series-window.ts';
import { summarize } from '../../core/stats.ts';
import { getAspectWindowSums, type AspectWindowSums } from '../../db/queries/aspects.ts';
import type { EntityRecord, Executor } from '../../db/queries/entities.ts';
import { presentChange } from './change.ts';

export function presentAspect(entry: AspectWindowSums) {
  const point = summarize(entry.current);
  return {
    aspect: entry.aspect,
    n: point.n,
    positive: point.positive,
    neutral: point.neutral,
    negative: point.negative,
    score: point.score,
    scoreLow: point.scoreLow,
    scoreHigh: point.scoreHigh,
    ...presentChange(entry.current, entry.previous),
  };
}

/** Every aspect mentioned in the window or the one before, most mentioned first. */
export async function buildAspectBreakdown(
  db: Executor,
  entity: EntityRecord,
  input: { from?: Date | undefined; to?: Date | undefined; source?: string | undefined },
  now = new Date(),
) {
  const { from, to } = planRange(input, now);
  const previous = previousRange(from, to);
  const sums = await getAspectWindowSums(db, { entityIds: [entity.id], from, to, previousFrom: previous.from, source: input.source });
  return {
    entity: entity.slug,
    from: from.toISOString(),
    to: to.toISOString(),
    previousFrom: previous.from.toISOString(),
    source: input.source ?? null,
    items: (sums.get(entity.id) ?? []).map(presentAspect),
  };
}
