import type { Polarity, PostLabels } from './pool.ts';

/** Agreement between two independent annotation passes over the same posts. */

const CATEGORIES = ['negative', 'neutral', 'positive'] as const;

export interface PassAgreement {
  posts: number;
  /** Pairs (post, entity) either pass labelled. */
  unionPairs: number;
  bothPairs: number;
  onlyFirst: number;
  onlySecond: number;
  /** Cohen's kappa of polarity over pairs both passes labelled. */
  polarityKappa: number;
  /** Cohen's kappa over the union, with "not labelled" as a fourth category. */
  unionKappa: number;
  /** The second pass scored against the first as gold, macro-F1 over the three polarities (missing = wrong). */
  macroF1: number;
  /** Posts whose entity sets or polarities differ. */
  disputed: string[];
}

export function cohenKappa(pairs: ReadonlyArray<[string, string]>): number {
  if (pairs.length === 0) return Number.NaN;
  const categories = [...new Set(pairs.flat())];
  const n = pairs.length;
  let observed = 0;
  const first = new Map<string, number>();
  const second = new Map<string, number>();
  for (const [a, b] of pairs) {
    if (a === b) observed += 1;
    first.set(a, (first.get(a) ?? 0) + 1);
    second.set(b, (second.get(b) ?? 0) + 1);
  }
  const expected = categories.reduce((sum, c) => sum + ((first.get(c) ?? 0) / n) * ((second.get(c) ?? 0) / n), 0);
  return expected === 1 ? 1 : (observed / n - expected) / (1 - expected);
}

/** Macro-F1 over the three polarities of `predicted` against `gold`; a gold pair with no prediction is wrong. */
export function pairMacroF1(pairs: ReadonlyArray<[Polarity, Polarity | null]>): number {
  const f1s = CATEGORIES.map((c) => {
    const tp = pairs.filter(([g, p]) => g === c && p === c).length;
    const goldCount = pairs.filter(([g]) => g === c).length;
    const predictedCount = pairs.filter(([, p]) => p === c).length;
    const precision = predictedCount ? tp / predictedCount : 0;
    const recall = goldCount ? tp / goldCount : 0;
    return precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  });
  return f1s.reduce((a, b) => a + b, 0) / f1s.length;
}

export function comparePasses(first: ReadonlyMap<string, PostLabels>, second: ReadonlyMap<string, PostLabels>): PassAgreement {
  const ids = [...first.keys()].filter((id) => second.has(id)).sort();
  const both: Array<[string, string]> = [];
  const union: Array<[string, string]> = [];
  const scored: Array<[Polarity, Polarity | null]> = [];
  const disputed: string[] = [];
  let onlyFirst = 0;
  let onlySecond = 0;
  for (const id of ids) {
    const a = first.get(id)!.labels;
    const b = second.get(id)!.labels;
    let differs = false;
    for (const slug of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const pa = a[slug];
      const pb = b[slug];
      union.push([pa ?? 'absent', pb ?? 'absent']);
      if (pa && pb) both.push([pa, pb]);
      else if (pa) onlyFirst += 1;
      else onlySecond += 1;
      if (pa) scored.push([pa, pb ?? null]);
      if (pa !== pb) differs = true;
    }
    if (differs) disputed.push(id);
  }
  return {
    posts: ids.length,
    unionPairs: union.length,
    bothPairs: both.length,
    onlyFirst,
    onlySecond,
    polarityKappa: cohenKappa(both),
    unionKappa: cohenKappa(union),
    macroF1: pairMacroF1(scored),
    disputed,
  };
}
