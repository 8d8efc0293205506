import type { LabelledText } from './dataset.ts';
import type { FeatureConfig, SparseVector } from './features.ts';
import { CLASS_COUNT, scoreVector, vectorize } from './model.ts';
import { reportClassification } from './metrics.ts';
import { assignGroupFolds, assignStratifiedFolds, trainEnsemble, type EnsembleOptions } from './train.ts';

export interface CrossValidationInput {
  target: readonly LabelledText[];
  /** Labelled texts from other sets, added to every training fold and never tested on. */
  extra: readonly LabelledText[];
  config: FeatureConfig;
  options: EnsembleOptions;
  folds: number;
  seed: number;
  /** Which target texts training may use (default all); the others are still tested, for learning curves. */
  trainsOn?: (item: LabelledText) => boolean;
}

/** Out-of-fold logits for every target text, laid out [text * 3 + class]. */
export function crossValidate(input: CrossValidationInput): Float64Array {
  const { target, extra, config, options, folds } = input;
  const targetVectors = vectorize(target, config);
  const extraVectors = vectorize(extra, config);
  const labels = target.map((item) => item.label);
  // Items of one post stay together, so no fold trains on the post it is tested on.
  const fold = target.some((item) => item.group !== undefined)
    ? assignGroupFolds(
        target.map((item) => item.group),
        folds,
        input.seed,
      )
    : assignStratifiedFolds(labels, folds, input.seed);
  const logits = new Float64Array(target.length * CLASS_COUNT);
  const scratch = new Float64Array(CLASS_COUNT);
  for (let f = 0; f < folds; f += 1) {
    const trainVectors: SparseVector[] = [];
    const trainLabels: number[] = [];
    const trainWeights: number[] = [];
    const add = (item: LabelledText, vector: SparseVector | undefined): void => {
      if (!vector) return;
      trainVectors.push(vector);
      trainLabels.push(item.label);
      trainWeights.push(item.weight ?? 1);
    };
    target.forEach((item, i) => {
      if (fold[i] !== f && (input.trainsOn?.(item) ?? true)) add(item, targetVectors[i]);
    });
    extra.forEach((item, i) => add(item, extraVectors[i]));
    const model = trainEnsemble(trainVectors, trainLabels, config, options, trainWeights);
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

/** Amounts added to the negative and positive logits (neutral stays) before the argmax. */
export interface LogitShift {
  negative: number;
  positive: number;
}

/** A copy of held-out logits with the shift added. */
export function applyShift(logits: Float64Array, shift: LogitShift): Float64Array {
  const out = Float64Array.from(logits);
  for (let i = 0; i < out.length; i += CLASS_COUNT) {
    out[i] = (out[i] ?? 0) + shift.negative;
    out[i + 2] = (out[i + 2] ?? 0) + shift.positive;
  }
  return out;
}

/**
 * The shift of the polar logits that maximizes macro-F1 on held-out logits (a grid of 0.1 steps
 * from -1 to 2). Class-balanced training still leaves rare polar classes under-predicted; moving
 * the decision boundary trades a little neutral precision for their recall.
 */
export function fitShift(logits: Float64Array, labels: readonly number[]): LogitShift {
  let best: LogitShift = { negative: 0, positive: 0 };
  let bestScore = macroF1Of(logits, labels, best);
  for (let n = -10; n <= 20; n += 1) {
    for (let p = -10; p <= 20; p += 1) {
      const shift = { negative: n / 10, positive: p / 10 };
      const score = macroF1Of(logits, labels, shift);
      if (score > bestScore + 1e-12) {
        bestScore = score;
        best = shift;
      }
    }
  }
  return best;
}

function macroF1Of(logits: Float64Array, labels: readonly number[], shift: LogitShift): number {
  const predicted = labels.map((_, i) => {
    const negative = (logits[i * CLASS_COUNT] ?? 0) + shift.negative;
    const neutral = logits[i * CLASS_COUNT + 1] ?? 0;
    const positive = (logits[i * CLASS_COUNT + 2] ?? 0) + shift.positive;
    return negative > neutral && negative >= positive ? 0 : positive > neutral ? 2 : 1;
  });
  return reportClassification(labels, predicted).macroF1;
}
