import type { SparseVector } from './features.ts';
import { CLASS_COUNT, featureSpace, scoreVector, softmaxInPlace, type LinearWeights } from './model.ts';
import type { FeatureConfig } from './features.ts';
import { createSeededRandom, shuffleInPlace } from '../../core/seeded-random.ts';

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  /** Weight each class by n / (k * n_class) so the loss does not favour the majority label. */
  balanceClasses: boolean;
  seed: number;
}

export const DEFAULT_TRAIN_OPTIONS: EnsembleOptions = {
  nbShare: 0.5,
  bags: 1,
  epochs: 12,
  learningRate: 0.1,
  l2: 1e-5,
  balanceClasses: true,
  seed: 20240601,
};

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

interface AdagradState {
  weights: Float64Array;
  squares: Float64Array;
  bias: Float64Array;
  biasSquares: Float64Array;
}

function createAdagradState(size: number): AdagradState {
  return {
    weights: new Float64Array(size),
    squares: new Float64Array(size),
    bias: new Float64Array(CLASS_COUNT),
    biasSquares: new Float64Array(CLASS_COUNT),
  };
}

/** One AdaGrad update from a per-class gradient; `ratios` scale each feature's slot (NB weighting). */
function stepAdagrad(
  state: AdagradState,
  vector: SparseVector,
  gradient: Float64Array,
  learningRate: number,
  l2: number,
  ratios?: Float64Array,
): void {
  const { weights, squares, bias, biasSquares } = state;
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
      const g = (gradient[k] ?? 0) * value * (ratios?.[slot] ?? 1) + l2 * w;
      const s = (squares[slot] ?? 0) + g * g;
      squares[slot] = s;
      weights[slot] = w - (learningRate * g) / Math.sqrt(s + 1e-8);
    }
  }
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
  const state = createAdagradState(size);
  const { weights, bias } = state;
  const classWeights = computeClassWeights(labels, options.balanceClasses);
  const model: LinearWeights = { config, weights, bias };
  const order = vectors.map((_, i) => i);
  const random = createSeededRandom(options.seed);
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
      stepAdagrad(state, vector, gradient, learningRate, l2);
    }
  }
  return model;
}

/** Stratified fold assignment: each class is shuffled with the seed and dealt round-robin. */
export function assignStratifiedFolds(labels: readonly number[], folds: number, seed: number): Int32Array {
  const assignment = new Int32Array(labels.length);
  const random = createSeededRandom(seed);
  for (let k = 0; k < CLASS_COUNT; k += 1) {
    const members = labels.flatMap((label, i) => (label === k ? [i] : []));
    shuffleInPlace(members, random);
    members.forEach((item, position) => {
      assignment[item] = position % folds;
    });
  }
  return assignment;
}

/**
 * Fold assignment that keeps each group (a post's several targets) in one fold: groups are
 * shuffled with the seed and dealt round-robin. Items without a group are their own group.
 */
export function assignGroupFolds(groups: ReadonlyArray<string | undefined>, folds: number, seed: number): Int32Array {
  const keys = groups.map((group, i) => group ?? `#${i}`);
  const distinct = [...new Set(keys)].sort();
  shuffleInPlace(distinct, createSeededRandom(seed));
  const foldOf = new Map(distinct.map((key, position) => [key, position % folds]));
  return Int32Array.from(keys, (key) => foldOf.get(key) ?? 0);
}

/**
 * NB-SVM style log-count ratios per class (one vs rest) over binarized hashed features; dense
 * features keep ratio 1. Laid out like the weights, [feature * 3 + class].
 */
export function computeNbRatios(
  vectors: readonly SparseVector[],
  labels: readonly number[],
  config: FeatureConfig,
  alpha = 1,
): Float64Array {
  const hashed = 1 << config.hashBits;
  const space = featureSpace(config);
  const counts = new Float64Array(space * CLASS_COUNT);
  const seen = new Int32Array(space).fill(-1);
  vectors.forEach((vector, doc) => {
    const label = labels[doc] ?? 0;
    for (let i = 0; i < vector.length; i += 1) {
      const index = vector.indices[i] ?? 0;
      if (index >= hashed || seen[index] === doc) continue;
      seen[index] = doc;
      counts[index * CLASS_COUNT + label] = (counts[index * CLASS_COUNT + label] ?? 0) + 1;
    }
  });
  const totals = new Float64Array(CLASS_COUNT);
  for (let i = 0; i < hashed; i += 1)
    for (let k = 0; k < CLASS_COUNT; k += 1) totals[k] = (totals[k] ?? 0) + (counts[i * CLASS_COUNT + k] ?? 0) + alpha;
  const all = totals.reduce((a, b) => a + b, 0);
  const ratios = new Float64Array(space * CLASS_COUNT).fill(1);
  for (let i = 0; i < hashed; i += 1) {
    let sum = 0;
    for (let k = 0; k < CLASS_COUNT; k += 1) sum += (counts[i * CLASS_COUNT + k] ?? 0) + alpha;
    for (let k = 0; k < CLASS_COUNT; k += 1) {
      const inClass = (counts[i * CLASS_COUNT + k] ?? 0) + alpha;
      const rest = sum - inClass;
      const classTotal = totals[k] ?? 1;
      ratios[i * CLASS_COUNT + k] = Math.log(inClass / classTotal) - Math.log(rest / (all - classTotal));
    }
  }
  return ratios;
}

/**
 * One-vs-rest logistic regressions over NB-scaled features. The ratios are folded into the returned
 * weights, so the result scores raw feature vectors like any other linear model.
 */
export function trainNbOneVsRest(
  vectors: readonly SparseVector[],
  labels: readonly number[],
  config: FeatureConfig,
  options: TrainOptions,
  sampleWeights?: readonly number[],
): LinearWeights {
  const ratios = computeNbRatios(vectors, labels, config);
  const size = featureSpace(config) * CLASS_COUNT;
  const state = createAdagradState(size);
  const { weights, bias } = state;
  const classWeights = computeClassWeights(labels, options.balanceClasses);
  const order = vectors.map((_, i) => i);
  const random = createSeededRandom(options.seed ^ 0x5bd1e995);
  const { learningRate, l2 } = options;
  const scores = new Float64Array(CLASS_COUNT);
  const gradient = new Float64Array(CLASS_COUNT);
  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    shuffleInPlace(order, random);
    for (const index of order) {
      const vector = vectors[index];
      const label = labels[index];
      if (!vector || label === undefined) continue;
      scores.set(bias);
      for (let i = 0; i < vector.length; i += 1) {
        const base = (vector.indices[i] ?? 0) * CLASS_COUNT;
        const value = vector.values[i] ?? 0;
        for (let k = 0; k < CLASS_COUNT; k += 1) scores[k] = (scores[k] ?? 0) + value * (ratios[base + k] ?? 1) * (weights[base + k] ?? 0);
      }
      const weight = (classWeights[label] ?? 1) * (sampleWeights?.[index] ?? 1);
      for (let k = 0; k < CLASS_COUNT; k += 1) gradient[k] = (1 / (1 + Math.exp(-(scores[k] ?? 0))) - (k === label ? 1 : 0)) * weight;
      stepAdagrad(state, vector, gradient, learningRate, l2, ratios);
    }
  }
  for (let slot = 0; slot < size; slot += 1) weights[slot] = (weights[slot] ?? 0) * (ratios[slot] ?? 1);
  return { config, weights, bias };
}

export interface EnsembleOptions extends TrainOptions {
  /** Share of the NB one-vs-rest model in the summed logits; 0 trains the softmax model alone. */
  nbShare: number;
  /** Models trained with different shuffle seeds and averaged, to cut the variance of SGD. */
  bags: number;
}

/** Softmax LR plus NB one-vs-rest LR, merged into one weight matrix (both are linear in the features). */
export function trainEnsemble(
  vectors: readonly SparseVector[],
  labels: readonly number[],
  config: FeatureConfig,
  options: EnsembleOptions,
  sampleWeights?: readonly number[],
): LinearWeights {
  if (options.bags <= 1) return trainBag(vectors, labels, config, options, sampleWeights);
  const weights = new Float64Array(featureSpace(config) * CLASS_COUNT);
  const bias = new Float64Array(CLASS_COUNT);
  for (let bag = 0; bag < options.bags; bag += 1) {
    const model = trainBag(vectors, labels, config, { ...options, seed: options.seed + bag * 7919 }, sampleWeights);
    for (let i = 0; i < weights.length; i += 1) weights[i] = (weights[i] ?? 0) + (model.weights[i] ?? 0) / options.bags;
    for (let k = 0; k < CLASS_COUNT; k += 1) bias[k] = (bias[k] ?? 0) + (model.bias[k] ?? 0) / options.bags;
  }
  return { config, weights, bias };
}

function trainBag(
  vectors: readonly SparseVector[],
  labels: readonly number[],
  config: FeatureConfig,
  options: EnsembleOptions,
  sampleWeights?: readonly number[],
): LinearWeights {
  const softmax = trainLinear(vectors, labels, config, options, sampleWeights);
  if (options.nbShare <= 0) return softmax;
  const nb = trainNbOneVsRest(vectors, labels, config, options, sampleWeights);
  const a = 1 - options.nbShare;
  const b = options.nbShare;
  const weights = new Float64Array(softmax.weights.length);
  for (let i = 0; i < weights.length; i += 1) weights[i] = a * (softmax.weights[i] ?? 0) + b * (nb.weights[i] ?? 0);
  const bias = new Float64Array(CLASS_COUNT);
  for (let k = 0; k < CLASS_COUNT; k += 1) bias[k] = a * (softmax.bias[k] ?? 0) + b * (nb.bias[k] ?? 0);
  return { config, weights, bias };
}
