import type { LabelledText } from './dataset.ts';
import type { FeatureConfig, SparseVector } from './features.ts';
import { CLASS_COUNT, scoreVector, vectorize } from './model.ts';
import { assignStratifiedFolds, trainEnsemble, type EnsembleOptions } from './train.ts';

export interface CrossValidationInput {
  target: readonly LabelledText[];
  /** Labelled texts from other sets, added to every training fold and never tested on. */
  extra: readonly LabelledText[];
  config: FeatureConfig;
  options: EnsembleOptions;
  folds: number;
  seed: number;
}

/** Out-of-fold logits for every target text, laid out [text * 3 + class]. */
export function crossValidate(input: CrossValidationInput): Float64Array {
  const { target, extra, config, options, folds } = input;
  const targetVectors = vectorize(target.map((item) => item.text), config);
  const extraVectors = vectorize(extra.map((item) => item.text), config);
  const labels = target.map((item) => item.label);
  const fold = assignStratifiedFolds(labels, folds, input.seed);
  const logits = new Float64Array(target.length * CLASS_COUNT);
  const scratch = new Float64Array(CLASS_COUNT);
  for (let f = 0; f < folds; f += 1) {
    const trainVectors: SparseVector[] = [];
    const trainLabels: number[] = [];
    target.forEach((item, i) => {
      const vector = targetVectors[i];
      if (fold[i] !== f && vector) {
        trainVectors.push(vector);
        trainLabels.push(item.label);
      }
    });
    extra.forEach((item, i) => {
      const vector = extraVectors[i];
      if (vector) {
        trainVectors.push(vector);
        trainLabels.push(item.label);
      }
    });
    const model = trainEnsemble(trainVectors, trainLabels, config, options);
    target.forEach((_, i) => {
      const vector = targetVectors[i];
      if (fold[i] !== f || !vector) return;
      scoreVector(model, vector.indices, vector.values, vector.length, scratch);
      logits.set(scratch, i * CLASS_COUNT);
    });
  }
  return logits;
}

/** Temperature that minimizes the negative log-likelihood of held-out logits (grid, then refine). */
export function fitTemperature(logits: Float64Array, labels: readonly number[]): number {
  const loss = (temperature: number): number => {
    let total = 0;
    labels.forEach((label, i) => {
      let max = -Infinity;
      for (let k = 0; k < CLASS_COUNT; k += 1) max = Math.max(max, (logits[i * CLASS_COUNT + k] ?? 0) / temperature);
      let sum = 0;
      for (let k = 0; k < CLASS_COUNT; k += 1) sum += Math.exp((logits[i * CLASS_COUNT + k] ?? 0) / temperature - max);
      total -= (logits[i * CLASS_COUNT + label] ?? 0) / temperature - max - Math.log(sum);
    });
    return total / Math.max(1, labels.length);
  };
  let best = 1;
  let bestLoss = loss(1);
  for (let step = 0.05; step >= 0.00125; step /= 2) {
    for (let t = Math.max(0.05, best - step * 20); t <= best + step * 20; t += step) {
      const value = loss(t);
      if (value < bestLoss) {
        bestLoss = value;
        best = t;
      }
    }
  }
  return Math.round(best * 10000) / 10000;
}
