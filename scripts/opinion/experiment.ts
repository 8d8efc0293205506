import { loadDataSet } from '../../src/understand/sentiment/dataset.ts';
import type { LabelledText } from '../../src/understand/sentiment/dataset.ts';
import { crossValidate } from '../../src/understand/sentiment/evaluate.ts';
import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from '../../src/understand/sentiment/features.ts';
import { argmax, reportClassification } from '../../src/understand/sentiment/metrics.ts';
import { CLASS_COUNT } from '../../src/understand/sentiment/model.ts';
import { SENTIMENT_RECIPE } from '../../src/understand/sentiment/recipe.ts';
import { DEFAULT_TRAIN_OPTIONS, type EnsembleOptions } from '../../src/understand/sentiment/train.ts';
import { loadGeneral, targetedItems, type GeneralCorpus } from './datasets.ts';
import { loadConstructed, loadLabelledPool } from './gold.ts';
import type { GoldPost } from './pipeline-eval.ts';

/**
 * Cross-validated figures for recipe choices, on the training split only (the test split is never
 * read here). Each run prints macro-F1 over the labelled real pairs (5 folds by post) with the
 * chosen extra data added to every training fold.
 *
 *   tsx scripts/opinion/experiment.ts [--se W] [--general sst:0.3,tweets:0.2] [--constructed FILE:W] [--config JSON] [--options JSON]
 *     [--share S] [--rounds 1,2,3,4] [--target-rounds 1,2]
 */

const argValue = (flag: string): string | undefined => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

const config: FeatureConfig = { ...DEFAULT_FEATURE_CONFIG, ...(JSON.parse(argValue('--config') ?? '{}') as Partial<FeatureConfig>) };
const options: EnsembleOptions = { ...DEFAULT_TRAIN_OPTIONS, ...(JSON.parse(argValue('--options') ?? '{}') as Partial<EnsembleOptions>) };
const share = Number(argValue('--share') ?? '1');
// --rounds: the labelling rounds read at all (default the recipe's); --share keeps the posts whose id
// hashes under it, for learning curves. --target-rounds: of those rounds, the ones scored out of fold;
// the others are extra training data in every fold, so a new round is judged on the same pairs as
// before it.
const roundList = (flag: string): readonly number[] | undefined => argValue(flag)?.split(',').map(Number);
const rounds = roundList('--rounds') ?? SENTIMENT_RECIPE.data.poolRounds;
const targetRounds = roundList('--target-rounds') ?? rounds;
const trainPosts = (list: readonly number[]): GoldPost[] =>
  loadLabelledPool('train', list).filter((post) => share >= 1 || (parseInt(post.id.slice(1), 10) * 2654435761) % 1000 < share * 1000);
const { items: target, unplaced } = targetedItems(trainPosts(rounds.filter((r) => targetRounds.includes(r))));
const extra: LabelledText[] = targetedItems(trainPosts(rounds.filter((r) => !targetRounds.includes(r)))).items;
const seWeight = Number(argValue('--se') ?? '0');
if (seWeight > 0) extra.push(...[...loadDataSet('stackoverflow'), ...loadDataSet('github')].map((item) => ({ ...item, weight: seWeight })));
for (const spec of (argValue('--general') ?? '').split(',').filter(Boolean)) {
  const [name, weight, max] = spec.split(':');
  const rows = loadGeneral(name as GeneralCorpus, Number(weight ?? '1'));
  // Every k-th row when capped, so a subsample keeps the corpus's label mix.
  const step = max ? Math.max(1, Math.floor(rows.length / Number(max))) : 1;
  extra.push(...rows.filter((_, i) => i % step === 0));
}
for (const spec of (argValue('--constructed') ?? '').split(',').filter(Boolean)) {
  const [file, weight] = spec.split(':');
  extra.push(...targetedItems(loadConstructed(file!), Number(weight ?? '1')).items);
}

const started = performance.now();
const logits = crossValidate({ target, extra, config, options, folds: 5, seed: 7 });
const labels = target.map((item) => item.label);
const predicted = labels.map((_, i) => argmax(logits.subarray(i * CLASS_COUNT, (i + 1) * CLASS_COUNT)));
const report = reportClassification(labels, predicted);
// How much a shift of the negative and positive logits (fitted on these same out-of-fold logits) would add.
let best = { macro: report.macroF1, neg: 0, pos: 0 };
for (let neg = -1; neg <= 2.001; neg += 0.1) {
  for (let pos = -1; pos <= 2.001; pos += 0.1) {
    const shifted = labels.map((_, i) => {
      const l = logits.subarray(i * CLASS_COUNT, (i + 1) * CLASS_COUNT);
      return argmax([l[0]! + neg, l[1]!, l[2]! + pos]);
    });
    const macro = reportClassification(labels, shifted).macroF1;
    if (macro > best.macro) best = { macro, neg, pos };
  }
}
console.log(`best logit shift: negative ${best.neg.toFixed(1)}, positive ${best.pos.toFixed(1)} -> macro-F1 ${best.macro.toFixed(4)}`);
console.log(
  `pairs ${target.length} (unplaced ${unplaced}), extra ${extra.length}: macro-F1 ${report.macroF1.toFixed(4)} ` +
    `(F1 neg ${report.perClass[0]!.f1.toFixed(3)} neu ${report.perClass[1]!.f1.toFixed(3)} pos ${report.perClass[2]!.f1.toFixed(3)}) ` +
    `confusion ${JSON.stringify(report.confusion)} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
