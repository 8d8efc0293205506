import { loadSentimentModel, SENTIMENT_MODEL_VERSION } from '../src/understand/sentiment/classifier.ts';
import { loadDataSet, resolveDataDir, type DataSetName, type LabelledText } from '../src/understand/sentiment/dataset.ts';
import { crossValidate } from '../src/understand/sentiment/evaluate.ts';
import { CLASS_COUNT, LABELS, scoreVector, softmaxInPlace, vectorize } from '../src/understand/sentiment/model.ts';
import { argmax, reportClassification, type ClassificationReport } from '../src/understand/sentiment/metrics.ts';
import { SENTIMENT_RECIPE } from '../src/understand/sentiment/recipe.ts';
import { trainEnsemble } from '../src/understand/sentiment/train.ts';

// Prints k-fold figures for the recipe, cross-domain figures, calibration and inference throughput.
// Flags: --folds N (default 10), --pooled (add all of the other set to every training fold).
const foldsIndex = process.argv.indexOf('--folds');
const folds = foldsIndex >= 0 ? Number(process.argv[foldsIndex + 1]) : 10;
const pooled = process.argv.includes('--pooled');
const CV_SEED = 7;
const { config, options } = SENTIMENT_RECIPE;

function printReport(title: string, report: ClassificationReport): void {
  console.log(`\n${title}: macro-F1 ${report.macroF1.toFixed(4)}  accuracy ${report.accuracy.toFixed(4)}`);
  console.log('  class        precision  recall     F1   support');
  report.perClass.forEach((m, k) => {
    console.log(`  ${(LABELS[k] ?? '').padEnd(12)} ${m.precision.toFixed(4).padStart(9)} ${m.recall.toFixed(4).padStart(7)} ${m.f1.toFixed(4).padStart(6)} ${String(m.support).padStart(9)}`);
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
const sets: Record<DataSetName, LabelledText[]> = { stackoverflow: loadDataSet('stackoverflow', dataDir), github: loadDataSet('github', dataDir) };
const names: DataSetName[] = ['stackoverflow', 'github'];
const model = loadSentimentModel();
console.log(`sentiment ${SENTIMENT_MODEL_VERSION}: ${folds}-fold stratified CV (seed ${CV_SEED}), ${pooled ? 'training folds pooled with the other set' : 'in-domain training folds'}; data ${dataDir}`);

const summary: string[] = [];
for (const name of names) {
  const started = performance.now();
  const target = sets[name];
  const other = sets[name === 'stackoverflow' ? 'github' : 'stackoverflow'];
  const logits = crossValidate({ target, extra: pooled ? other : [], config, options, folds, seed: CV_SEED });
  const labels = target.map((item) => item.label);
  const report = reportClassification(labels, labels.map((_, i) => argmax(logits.subarray(i * CLASS_COUNT, i * CLASS_COUNT + CLASS_COUNT))));
  printReport(`${name} (${target.length} texts, ${((performance.now() - started) / 1000).toFixed(1)} s)`, report);
  const { temperature } = model;
  console.log(`  calibration: ECE ${computeEce(logits, labels, 1).toFixed(4)} raw, ${computeEce(logits, labels, temperature).toFixed(4)} with the committed temperature ${temperature}`);
  summary.push(`${name} macro-F1 ${report.macroF1.toFixed(4)} (F1 ${report.perClass.map((m) => m.f1.toFixed(3)).join(' / ')})`);
}

console.log('\ncross-domain (train on all of one set, test on all of the other):');
for (const [from, to] of [['stackoverflow', 'github'], ['github', 'stackoverflow']] as const) {
  const trained = trainEnsemble(vectorize(sets[from].map((item) => item.text), config), sets[from].map((item) => item.label), config, options);
  const vectors = vectorize(sets[to].map((item) => item.text), config);
  const scratch = new Float64Array(CLASS_COUNT);
  const predicted = vectors.map((vector) => {
    scoreVector(trained, vector.indices, vector.values, vector.length, scratch);
    return argmax(scratch);
  });
  const report = reportClassification(sets[to].map((item) => item.label), predicted);
  console.log(`  ${from} -> ${to}: macro-F1 ${report.macroF1.toFixed(4)} (F1 ${report.perClass.map((m) => m.f1.toFixed(3)).join(' / ')})`);
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
console.log(`\nthroughput (committed model, one core, inference only): ${Math.round(classified / seconds)} texts/s over ${classified} texts, mean ${Math.round(characters / classified)} chars`);
console.log(`\nsummary: ${summary.join('; ')}`);
