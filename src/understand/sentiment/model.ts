import { DENSE_COUNT, FeatureBuffer, extractFeatures, type FeatureConfig, type SparseVector, type TargetSpans } from './features.ts';

export const LABELS = ['negative', 'neutral', 'positive'] as const;
export type SentimentLabel = (typeof LABELS)[number];
export const CLASS_COUNT = LABELS.length;

/** Multinomial logistic regression over hashed features: weights laid out [feature * 3 + class]. */
export interface LinearWeights {
  config: FeatureConfig;
  weights: Float32Array | Float64Array;
  bias: Float64Array;
}

export function featureSpace(config: FeatureConfig): number {
  return (1 << config.hashBits) + DENSE_COUNT;
}

/** Writes the raw class scores (logits) of a sparse vector into `out`. */
export function scoreVector(model: LinearWeights, indices: Int32Array, values: Float32Array, length: number, out: Float64Array): void {
  const { weights, bias } = model;
  let s0 = bias[0] ?? 0;
  let s1 = bias[1] ?? 0;
  let s2 = bias[2] ?? 0;
  for (let i = 0; i < length; i += 1) {
    const base = (indices[i] ?? 0) * 3;
    const value = values[i] ?? 0;
    s0 += value * (weights[base] ?? 0);
    s1 += value * (weights[base + 1] ?? 0);
    s2 += value * (weights[base + 2] ?? 0);
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
}

/** Softmax of `logits / temperature`, in place. */
export function softmaxInPlace(logits: Float64Array, temperature = 1): void {
  let max = -Infinity;
  for (let k = 0; k < logits.length; k += 1) max = Math.max(max, (logits[k] ?? 0) / temperature);
  let sum = 0;
  for (let k = 0; k < logits.length; k += 1) {
    const e = Math.exp((logits[k] ?? 0) / temperature - max);
    logits[k] = e;
    sum += e;
  }
  for (let k = 0; k < logits.length; k += 1) logits[k] = (logits[k] ?? 0) / sum;
}

/** A text to classify, and optionally the target whose sentiment is wanted. */
export interface SentimentInput {
  text: string;
  target?: TargetSpans;
}

export function vectorize(inputs: readonly SentimentInput[], config: FeatureConfig): SparseVector[] {
  const buffer = new FeatureBuffer();
  return inputs.map((input) => {
    extractFeatures(input.text, config, buffer, input.target);
    return buffer.toVector();
  });
}
