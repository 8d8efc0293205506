import { loadSentimentModel, SENTIMENT_MODEL_VERSION } from '../src/understand/sentiment/classifier.ts';
import { loadDataSet, resolveDataDir, type DataSetName, type LabelledText } from '../src/understand/sentiment/dataset.ts';
import { crossValidate } from '../src/understand/sentiment/evaluate.ts';
import { CLASS_COUNT, LABELS, softmaxInPlace } from '../src/understand/sentiment/model.ts';
import { argmax, reportClassification, type ClassificationReport } from '../src/understand/sentiment/metrics.ts';
import { SENTIMENT_RECIPE } from '../src/understand/sentiment/recipe.ts';
import { loadTrainingData } from './opinion/training-data.ts';

/**
 * Stack Overflow and GitHub figures of the recipe: stratified k-fold CV of each set, every training
 * fold holding the rest of the recipe's data (our opinion labels, the constructed posts, the other
 * set, the tweets) as the shipped model does; plus calibration and inference throughput of the
 * committed model.
 *
 *   npm run eval:sentiment [-- --folds N] [-- --in-domain]   (--in-domain: train each fold on its own set only)
 */
const foldsIndex = process.argv.indexOf('--folds');
const folds = foldsIndex >= 0 ? Number(process.argv[foldsIndex + 1]) : 10;
const inDomain = process.argv.includes('--in-domain');
const CV_SEED = 7;
const { config, options } = SENTIMENT_RECIPE;

function printReport(title: string, report: ClassificationReport): void {
  console.log(`\n${title}: macro-F1 ${report.macroF1.toFixed(4)}  accuracy ${report.accuracy.toFixed(4)}`);
  console.log('  class        precision  recall     F1   support');
  report.perClass.forEach((m, k) => {
    console.log(
      `  ${(LABELS[k] ?? '').padEnd(12)} ${m.precision.toFixed(4).padStart(9)} ${m.recall.toFixed(4).padStart(7)} ${m.f1.toFixed(4).padStart(6)} ${String(m.support).padStart(9)}`,
    );
  });
  console.log(`  confusion (rows actual, columns predicted: ${LABELS.join(' / ')})`);
  report.confusion.forEach((row, k) => console.log(`  ${(LABELS[k] ?? '').padEnd(12)} ${row.map((n) => String(n).padStart(6)).join('')}`));
}

/** Expected calibration error over 10 equal-width confidence bins. */
function computeEce(logits: Float64Array, labels: readonly number[], temperature: number): number {
  const bins = Array.from({ length: 10 }, () => ({ count: 0, confidence: 0, correct: 0 }));
  const probabilities = new Float64Array(CLASS_COUNT);
  labels.forEach((label, i) => {
    probabilities.set(logits.subarray(i * CLASS_COUNT, i * CLASS_COUNT + CLASS_COUNT));
    softmaxInPlace(probabilities, temperature);
    const best = argmax(probabilities);
    const confidence = probabilities[best] ?? 0;
    const bin = bins[Math.min(9, Math.floor(confidence * 10))];
    if (!bin) return;
    bin.count += 1;
    bin.confidence += confidence;
    bin.correct += best === label ? 1 : 0;
  });
  return bins.reduce((sum, bin) => sum + (bin.count > 0 ? Math.abs(bin.correct - bin.confidence) : 0), 0) / labels.length;
}

const dataDir = resolveDataDir();
const sets: Record<DataSetName, LabelledText[]> = {
  stackoverflow: loadDataSet('stackoverflow', dataDir),
  github: loadDataSet('github', dataDir),
};
const recipeData = inDomain ? undefined : loadTrainingData({ ...SENTIMENT_RECIPE.data, stackExchange: 0 });
const model = loadSentimentModel();
console.log(
  `sentiment ${SENTIMENT_MODEL_VERSION} recipe: ${folds}-fold stratified CV (seed ${CV_SEED}), ` +
    `${inDomain ? 'each fold trained on its own set only' : 'each fold trained with the rest of the recipe data'}; data ${dataDir}`,
);

const summary: string[] = [];
for (const name of ['stackoverflow', 'github'] as const) {
  const started = performance.now();
  const target = sets[name].map((item) => ({ ...item, weight: SENTIMENT_RECIPE.data.stackExchange }));
  const other = sets[name === 'stackoverflow' ? 'github' : 'stackoverflow'].map((item) => ({
    ...item,
    weight: SENTIMENT_RECIPE.data.stackExchange,
  }));
  const extra = recipeData ? [...recipeData.targeted, ...recipeData.extra, ...other] : [];
  const logits = crossValidate({ target, extra, config, options, folds, seed: CV_SEED });
  const labels = target.map((item) => item.label);
  const report = reportClassification(
    labels,
    labels.map((_, i) => argmax(logits.subarray(i * CLASS_COUNT, i * CLASS_COUNT + CLASS_COUNT))),
  );
  printReport(`${name} (${target.length} texts, ${((performance.now() - started) / 1000).toFixed(1)} s)`, report);
  console.log(
    `  calibration: ECE ${computeEce(logits, labels, 1).toFixed(4)} raw, ${computeEce(logits, labels, model.plainTemperature).toFixed(4)} with the committed plain-text temperature ${model.plainTemperature}`,
  );
  summary.push(`${name} macro-F1 ${report.macroF1.toFixed(4)} (F1 ${report.perClass.map((m) => m.f1.toFixed(3)).join(' / ')})`);
}

const texts = [...sets.stackoverflow, ...sets.github].map((item) => item.text);
for (let i = 0; i < 2000; i += 1) model.classify(texts[i % texts.length] ?? '');
let classified = 0;
let characters = 0;
const started = performance.now();
while (performance.now() - started < 3000) {
  for (const text of texts) {
    model.classify(text);
    characters += text.length;
  }
  classified += texts.length;
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `\nthroughput (committed model, one core, inference only): ${Math.round(classified / seconds)} texts/s over ${classified} texts, mean ${Math.round(characters / classified)} chars`,
);
console.log(`\nsummary: ${summary.join('; ')}`);
