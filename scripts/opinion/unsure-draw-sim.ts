import type { LabelledText } from '../../src/understand/sentiment/dataset.ts';
import { applyShift, crossValidate, fitShift } from '../../src/understand/sentiment/evaluate.ts';
import { DEFAULT_FEATURE_CONFIG, type SparseVector } from '../../src/understand/sentiment/features.ts';
import { argmax, reportClassification } from '../../src/understand/sentiment/metrics.ts';
import { CLASS_COUNT, scoreVector, softmaxInPlace, vectorize } from '../../src/understand/sentiment/model.ts';
import { DEFAULT_TRAIN_OPTIONS, trainEnsemble } from '../../src/understand/sentiment/train.ts';
import { createSeededRandom, shuffled } from '../../src/core/seeded-random.ts';
import { targetedItems } from './datasets.ts';
import { loadLabelledPool } from './gold.ts';
import { loadTrainingData } from './training-data.ts';
import { inUnsureBand } from './unsure-band.ts';

/**
 * Does a round drawn where the model is unsure (round 3's band, unsure-band.ts) teach more per
 * labelled post than a random draw? Simulated on round 2, which is labelled: a model trained without
 * round 2 picks round 2's posts in the band; the same number of round-2 posts is drawn at random;
 * each set is added to the recipe's other data and judged by 5-fold out-of-fold macro-F1 on the
 * round-1 train pairs.
 *
 *   tsx scripts/opinion/unsure-draw-sim.ts
 */

// The features of devsent-6, which the simulation was run with (before negators were folded).
const config = { ...DEFAULT_FEATURE_CONFIG, foldNegators: false };
const options = DEFAULT_TRAIN_OPTIONS;
const round1 = targetedItems(loadLabelledPool('train', [1])).items;
const round2 = targetedItems(loadLabelledPool('train', [2])).items;
// The recipe's other data: the constructed posts, and the Stack Overflow and GitHub sets at weight 1.5.
const { extra: base } = loadTrainingData({ pool: 0, constructed: 1, stackExchange: 1.5, poolRounds: [], calibrationRounds: [] });

// The selector never sees round 2.
const selectorItems = [...round1, ...base];
const selectorVectors = vectorize(selectorItems, config);
const kept = selectorItems.flatMap((item, i) => (selectorVectors[i] ? [{ item, vector: selectorVectors[i] }] : []));
const selector = trainEnsemble(
  kept.map((k) => k.vector as SparseVector),
  kept.map((k) => k.item.label),
  config,
  options,
  kept.map((k) => k.item.weight ?? 1),
);
const probabilities = new Float64Array(CLASS_COUNT);
const band = new Set<string>();
vectorize(round2, config).forEach((vector, i) => {
  if (!vector) return;
  scoreVector(selector, vector.indices, vector.values, vector.length, probabilities);
  softmaxInPlace(probabilities);
  if (inUnsureBand(Math.max(...probabilities), probabilities[0]!)) band.add(round2[i]!.group!);
});
const random = new Set(shuffled([...new Set(round2.map((item) => item.group!))], createSeededRandom(99)).slice(0, band.size));
const postsOf = (posts: Set<string>): LabelledText[] => round2.filter((item) => posts.has(item.group!));

const labels = round1.map((item) => item.label);
const macro = (logits: Float64Array): string =>
  reportClassification(
    labels,
    labels.map((_, i) => argmax(logits.subarray(i * CLASS_COUNT, (i + 1) * CLASS_COUNT))),
  ).macroF1.toFixed(4);
for (const [name, extra] of [
  ['without round 2', base],
  [`+ ${band.size} posts in the band`, [...base, ...postsOf(band)]],
  [`+ ${random.size} random posts`, [...base, ...postsOf(random)]],
] as const) {
  const logits = crossValidate({ target: round1, extra, config, options, folds: 5, seed: 7 });
  console.log(
    `${name}: out-of-fold macro-F1 ${macro(logits)}, with the decision shift ${macro(applyShift(logits, fitShift(logits, labels)))}`,
  );
}
