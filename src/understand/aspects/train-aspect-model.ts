import { createSeededRandom, shuffleInPlace } from '../../core/seeded-random.ts';
import { linear, polarityFeatures, POLARITIES, type AspectFeatures, type AspectModelWeights, type LinearTable } from './aspect-model.ts';
import { softmaxInPlace } from '../sentiment/model.ts';
import { ASPECT_NAMES, type AspectName, type AspectPolarity } from './types.ts';

/** One labelled entity in one post, with its features: what the aspect model learns from. */
export interface AspectExample {
  features: AspectFeatures;
  expected: { aspect: AspectName; polarity: AspectPolarity }[];
}

export interface AspectTrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
  /** The probability from which an aspect the rules missed is added, the same for every aspect. */
  threshold: number;
  /** Features seen in fewer training examples than this get no weight (most hashed bigrams are seen once). */
  minCount: number;
}

/** Chosen out of fold on the dev split (scripts/aspects/train-aspect-model.ts --folds 5). */
export const ASPECT_TRAIN_OPTIONS: AspectTrainOptions = {
  epochs: 12,
  learningRate: 0.2,
  l2: 3e-3,
  seed: 20261207,
  threshold: 0.5,
  minCount: 3,
};

/** Logistic regression (binary, or softmax over `classes`) fitted by AdaGrad over seeded epochs. */
function fit(
  items: readonly { keys: number[]; values: number[]; label: number }[],
  classes: number,
  options: AspectTrainOptions,
): { bias: number[]; weights: Map<number, number[]> } {
  const outputs = classes === 2 ? 1 : classes;
  const bias = new Array<number>(outputs).fill(0);
  const biasSquares = new Array<number>(outputs).fill(0);
  const weights = new Map<number, number[]>();
  const squares = new Map<number, number[]>();
  const order = items.map((_, i) => i);
  const random = createSeededRandom(options.seed);
  const gradient = new Array<number>(outputs).fill(0);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffleInPlace(order, random);
    for (const index of order) {
      const item = items[index]!;
      const z = linear({ bias, weights }, item);
      if (outputs === 1) gradient[0] = 1 / (1 + Math.exp(-z[0]!)) - item.label;
      else {
        const p = Float64Array.from(z);
        softmaxInPlace(p);
        for (let k = 0; k < outputs; k++) gradient[k] = p[k]! - (k === item.label ? 1 : 0);
      }
      for (let k = 0; k < outputs; k++) {
        biasSquares[k]! += gradient[k]! ** 2;
        bias[k]! -= (options.learningRate * gradient[k]!) / Math.sqrt(biasSquares[k]! + 1e-8);
      }
      item.keys.forEach((key, i) => {
        let w = weights.get(key);
        let s = squares.get(key);
        if (!w || !s) {
          w = new Array<number>(outputs).fill(0);
          s = new Array<number>(outputs).fill(0);
          weights.set(key, w);
          squares.set(key, s);
        }
        for (let k = 0; k < outputs; k++) {
          const g = gradient[k]! * item.values[i]! + options.l2 * w[k]!;
          s[k]! += g * g;
          w[k]! -= (options.learningRate * g) / Math.sqrt(s[k]! + 1e-8);
        }
      });
    }
  }
  return { bias, weights };
}

/** Trains the per-aspect presence models and the polarity model on labelled examples. */
export function trainAspectModel(
  examples: readonly AspectExample[],
  version: string,
  options: AspectTrainOptions = ASPECT_TRAIN_OPTIONS,
): AspectModelWeights {
  const seen = new Map<number, number>();
  for (const e of examples) for (const key of new Set(e.features.keys)) seen.set(key, (seen.get(key) ?? 0) + 1);
  const frequent = (f: { keys: number[]; values: number[] }) => {
    const keep = f.keys.map((key) => (seen.get(key) ?? 0) >= options.minCount);
    return { keys: f.keys.filter((_, i) => keep[i]), values: f.values.filter((_, i) => keep[i]) };
  };
  const features = examples.map((e) => frequent(e.features));
  // One binary model per aspect, gathered into one row of weights per feature key.
  const presence: LinearTable = { bias: [], weights: new Map() };
  ASPECT_NAMES.forEach((aspect, column) => {
    const items = examples.map((e, i) => ({ ...features[i]!, label: e.expected.some((x) => x.aspect === aspect) ? 1 : 0 }));
    const { bias, weights } = fit(items, 2, { ...options, seed: options.seed + column });
    presence.bias.push(bias[0]!);
    for (const [key, [w]] of weights) {
      const row = presence.weights.get(key) ?? new Array<number>(ASPECT_NAMES.length).fill(0);
      (row as number[])[column] = w!;
      presence.weights.set(key, row);
    }
  });
  const polarityItems = examples.flatMap((e) =>
    e.expected.map((x) => ({ ...frequent(polarityFeatures(e.features, x.aspect)), label: POLARITIES.indexOf(x.polarity) })),
  );
  const polarity = fit(polarityItems, 3, options);
  return { version, presence, thresholds: ASPECT_NAMES.map(() => options.threshold), polarity };
}
