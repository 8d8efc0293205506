import type { LabelledPost } from '../../src/understand/aspects/evaluate-aspects.ts';
import { loadFlowPosts } from '../flows/labels.ts';

/**
 * The real posts labelled for aspects in labels/flows (texts read from ../shared), of one split, as
 * the aspect evaluation reads them. `skipped` counts label lines that did not parse.
 */
export function loadRealAspectPosts(split: 'dev' | 'test', file?: string): { posts: LabelledPost[]; skipped: number } {
  const { posts, errors } = loadFlowPosts(file);
  return {
    posts: posts
      .filter((p) => p.entry.split === split)
      .map(({ label, source, text }) => ({ id: label.id, source, text, entities: Object.keys(label.aspects), aspects: label.aspects })),
    skipped: errors.length,
  };
}
