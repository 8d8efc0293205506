import { CLASS_COUNT } from './model.ts';

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationReport {
  macroF1: number;
  accuracy: number;
  perClass: ClassMetrics[];
  /** confusion[actual][predicted] */
  confusion: number[][];
}

export function reportClassification(actual: readonly number[], predicted: readonly number[]): ClassificationReport {
  const confusion = Array.from({ length: CLASS_COUNT }, () => new Array<number>(CLASS_COUNT).fill(0));
  let correct = 0;
  actual.forEach((label, i) => {
    const guess = predicted[i] ?? 0;
    const row = confusion[label];
    if (row) row[guess] = (row[guess] ?? 0) + 1;
    if (guess === label) correct += 1;
  });
  const perClass: ClassMetrics[] = [];
  for (let k = 0; k < CLASS_COUNT; k += 1) {
    const truePositive = confusion[k]?.[k] ?? 0;
    const support = (confusion[k] ?? []).reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((sum, row) => sum + (row[k] ?? 0), 0);
    const precision = predictedCount > 0 ? truePositive / predictedCount : 0;
    const recall = support > 0 ? truePositive / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass.push({ precision, recall, f1, support });
  }
  return {
    macroF1: perClass.reduce((sum, m) => sum + m.f1, 0) / CLASS_COUNT,
    accuracy: actual.length > 0 ? correct / actual.length : 0,
    perClass,
    confusion,
  };
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k += 1) if ((values[k] ?? 0) > (values[best] ?? 0)) best = k;
  return best;
}
