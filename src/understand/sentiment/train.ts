import type { SparseVector } from './features.ts';
import { CLASS_COUNT, featureSpace, scoreVector, softmaxInPlace, type LinearWeights } from './model.ts';
import type { FeatureConfig } from './features.ts';

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  /** Weight each class by n / (k * n_class) so the loss does not favour the majority label. */
  balanceClasses: boolean;
  seed: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  epochs: 12,
  learningRate: 0.2,
  l2: 1e-5,
  balanceClasses: true,
  seed: 20240601,
};

/** mulberry32: a tiny seeded generator, so shuffles are identical on every run and machine. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffleInPlace<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const a = items[i] as T;
    items[i] = items[j] as T;
    items[j] = a;
  }
}

/** Per-class loss weights for the given label ids. */
export function computeClassWeights(labels: readonly number[], balance: boolean): Float64Array {
  const weights = new Float64Array(CLASS_COUNT).fill(1);
  if (!balance) return weights;
  const counts = new Float64Array(CLASS_COUNT);
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
  for (let k = 0; k < CLASS_COUNT; k += 1) {
    const count = counts[k] ?? 0;
    weights[k] = count > 0 ? labels.length / (CLASS_COUNT * count) : 1;
  }
  return weights;
}

/**
 * Multinomial logistic regression fitted by AdaGrad over a fixed number of seeded epochs.
 * L2 is applied to the weights an example touches, which keeps each step sparse.
 */
export function trainLinear(
  vectors: readonly SparseVector[],
  labels: readonly number[],
  config: FeatureConfig,
  options: TrainOptions,
  sampleWeights?: readonly number[],
): LinearWeights {
  const size = featureSpace(config) * CLASS_COUNT;
  const weights = new Float64Array(size);
  const squares = new Float64Array(size);
  const bias = new Float64Array(CLASS_COUNT);
  const biasSquares = new Float64Array(CLASS_COUNT);
  const classWeights = computeClassWeights(labels, options.balanceClasses);
  const model: LinearWeights = { config, weights, bias };
  const order = vectors.map((_, i) => i);
  const random = createRandom(options.seed);
  const probabilities = new Float64Array(CLASS_COUNT);
  const gradient = new Float64Array(CLASS_COUNT);
  const { learningRate, l2 } = options;

  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    shuffleInPlace(order, random);
    for (const index of order) {
      const vector = vectors[index];
      const label = labels[index];
      if (!vector || label === undefined) continue;
      scoreVector(model, vector.indices, vector.values, vector.length, probabilities);
      softmaxInPlace(probabilities);
      const weight = (classWeights[label] ?? 1) * (sampleWeights?.[index] ?? 1);
      for (let k = 0; k < CLASS_COUNT; k += 1) gradient[k] = ((probabilities[k] ?? 0) - (k === label ? 1 : 0)) * weight;
      for (let k = 0; k < CLASS_COUNT; k += 1) {
        const g = gradient[k] ?? 0;
        biasSquares[k] = (biasSquares[k] ?? 0) + g * g;
        bias[k] = (bias[k] ?? 0) - (learningRate * g) / Math.sqrt((biasSquares[k] ?? 0) + 1e-8);
      }
      for (let i = 0; i < vector.length; i += 1) {
        const base = (vector.indices[i] ?? 0) * CLASS_COUNT;
        const value = vector.values[i] ?? 0;
        for (let k = 0; k < CLASS_COUNT; k += 1) {
          const slot = base + k;
          const w = weights[slot] ?? 0;
          const g = (gradient[k] ?? 0) * value + l2 * w;
          const s = (squares[slot] ?? 0) + g * g;
          squares[slot] = s;
          weights[slot] = w - (learningRate * g) / Math.sqrt(s + 1e-8);
        }
      }
    }
  }
  return model;
}

/** Stratified fold assignment: each class is shuffled with the seed and dealt round-robin. */
export function assignStratifiedFolds(labels: readonly number[], folds: number, seed: number): Int32Array {
  const assignment = new Int32Array(labels.length);
  const random = createRandom(seed);
  for (let k = 0; k < CLASS_COUNT; k += 1) {
    const members = labels.flatMap((label, i) => (label === k ? [i] : []));
    shuffleInPlace(members, random);
    members.forEach((item, position) => {
      assignment[item] = position % folds;
    });
  }
  return assignment;
}
