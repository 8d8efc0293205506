import { compareWindows, EMPTY_SUMS, summarize } from '../../core/stats.ts';
import type { EntityRecord, Executor } from '../../db/queries/entities.ts';
import { getEntityWindowSums } from '../../db/queries/summary.ts';
import type { z } from '@hono/zod-openapi';
import type { Entity, EntitySummary } from '../schemas.ts';

const SUMMARY_WINDOW_MS = 7 * 24 * 3600 * 1000;

/** Entities with their summary over the last 7 days against the 7 days before. */
export async function presentEntities(db: Executor, entities: EntityRecord[], now = new Date()): Promise<Array<z.infer<typeof Entity>>> {
  const sums = await getEntityWindowSums(db, now, SUMMARY_WINDOW_MS, entities.map((e) => e.id));
  return entities.map((entity) => {
    const window = sums.get(entity.id) ?? { current: EMPTY_SUMS, previous: EMPTY_SUMS };
    const point = summarize(window.current);
    const comparison = compareWindows(window.current, window.previous);
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
