import { loadDataSet } from '../../src/understand/sentiment/dataset.ts';
import { crossValidate } from '../../src/understand/sentiment/evaluate.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/understand/sentiment/features.ts';
import { argmax, reportClassification } from '../../src/understand/sentiment/metrics.ts';
import { CLASS_COUNT } from '../../src/understand/sentiment/model.ts';
import { SENTIMENT_RECIPE, type DataWeights } from '../../src/understand/sentiment/recipe.ts';
import { DEFAULT_TRAIN_OPTIONS } from '../../src/understand/sentiment/train.ts';
import { loadTrainingData } from './training-data.ts';

/**
 * How the recipe's other data moves the Stack Overflow / GitHub figures: k-fold CV of one set with
 * the weighted rest of the data in every fold. A quicker probe than npm run eval:sentiment.
 *
 *   tsx scripts/opinion/se-experiment.ts SET '{"pool":1,...}' [folds] [nbShare] [configJson]
 */
const [set = 'stackoverflow', weightsJson = '{}', folds = '3', nbShare = '0', configJson = '{}'] = process.argv.slice(2);
const weights: DataWeights = {
  pool: 1,
  constructed: 1,
  stackExchange: 1,
  poolRounds: SENTIMENT_RECIPE.data.poolRounds,
  calibrationRounds: SENTIMENT_RECIPE.data.calibrationRounds,
  ...(JSON.parse(weightsJson) as Partial<DataWeights>),
};
const name = set as 'stackoverflow' | 'github';
const target = loadDataSet(name).map((item) => ({ ...item, weight: weights.stackExchange }));
const other = loadDataSet(name === 'stackoverflow' ? 'github' : 'stackoverflow').map((item) => ({
  ...item,
  weight: weights.stackExchange,
}));
const data = weights.pool > 0 || weights.constructed > 0 ? loadTrainingData({ ...weights, stackExchange: 0 }) : { targeted: [], extra: [] };
const extra = [...data.targeted, ...data.extra, ...other];
const options = { ...DEFAULT_TRAIN_OPTIONS, nbShare: Number(nbShare) };
const config = { ...DEFAULT_FEATURE_CONFIG, ...(JSON.parse(configJson) as object) };
const logits = crossValidate({ target, extra, config, options, folds: Number(folds), seed: 7 });
const labels = target.map((item) => item.label);
const report = reportClassification(
  labels,
  labels.map((_, i) => argmax(logits.subarray(i * CLASS_COUNT, (i + 1) * CLASS_COUNT))),
);
console.log(
  `${name} ${JSON.stringify(weights)} nbShare ${nbShare} ${configJson}: macro-F1 ${report.macroF1.toFixed(4)} confusion ${JSON.stringify(report.confusion)}`,
);
