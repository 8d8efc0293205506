import path from 'node:path';
import { loadDataSet } from '../../src/understand/sentiment/dataset.ts';
import type { DataWeights, TrainingData } from '../../src/understand/sentiment/recipe.ts';
import { targetedItems } from './datasets.ts';
import { loadConstructed, loadLabelledPool, readSample } from './gold.ts';
import type { GoldPost } from './pipeline-eval.ts';
import { LABELS_DIR } from './pool.ts';

/**
 * Everything the opinion model trains on, read at build time: our labels of real posts (train split
 * only, the recipe's rounds, texts from ../shared), our constructed training posts, and the Stack Overflow and GitHub
 * sets. The test split of the real posts and the constructed test posts are never read here.
 */
export function loadTrainingData(weights: DataWeights): TrainingData & { unplaced: number } {
  const posts = weights.pool > 0 ? loadLabelledPool('train', weights.poolRounds) : [];
  const roundOf = new Map(readSample().map((entry) => [entry.id, entry.round]));
  const calibrates = (post: GoldPost) => weights.calibrationRounds.includes(roundOf.get(post.id)!);
  const calibration = targetedItems(posts.filter(calibrates), weights.pool);
  const uncalibrated = targetedItems(
    posts.filter((post) => !calibrates(post)),
    weights.pool,
  );
  const constructed =
    weights.constructed > 0
      ? targetedItems(loadConstructed(path.join(LABELS_DIR, 'constructed-train.jsonl')), weights.constructed).items
      : [];
  const stackExchange =
    weights.stackExchange > 0
      ? [...loadDataSet('stackoverflow'), ...loadDataSet('github')].map((item) => ({ ...item, weight: weights.stackExchange }))
      : [];
  return {
    targeted: calibration.items,
    extra: [...uncalibrated.items, ...constructed, ...stackExchange],
    unplaced: calibration.unplaced + uncalibrated.unplaced,
  };
}
