import type { LabelledPost } from '../../src/understand/aspects/evaluate-aspects.ts';
import { FLOW_LABELS_DIR, readFlowLabels, readFlowSample } from '../flows/labels.ts';
import { loadPool, poolText } from '../opinion/pool.ts';

/**
 * The real posts labelled for aspects in labels/flows (texts read from ../shared), of one split, as
 * the aspect evaluation reads them. `skipped` counts label lines that did not parse.
 */
export function loadRealAspectPosts(
  split: 'dev' | 'test',
  file = `${FLOW_LABELS_DIR}/labels.jsonl`,
): { posts: LabelledPost[]; skipped: number } {
  const { labels, errors } = readFlowLabels(file);
  const inSplit = new Set(
    readFlowSample()
      .filter((p) => p.split === split)
      .map((p) => p.id),
  );
  const pool = new Map(loadPool().map((p) => [p.id, p]));
  const posts = labels
    .filter((l) => inSplit.has(l.id))
    .map((l) => ({
      id: l.id,
      source: pool.get(l.id)!.source,
      text: poolText(pool.get(l.id)!),
      entities: Object.keys(l.aspects),
      aspects: l.aspects,
    }));
  return { posts, skipped: errors.length };
}
