import type { Flow } from '../../src/understand/flows/index.ts';
import type { LabelledFlow } from './labels.ts';

/** What must agree for a predicted flow to be right: its kind and both sides. */
export const keyOf = (f: Pick<LabelledFlow, 'from' | 'to' | 'kind'>) => `${f.kind} ${f.from ?? '-'}->${f.to ?? '-'}`;

/** Pairs predicted with labelled flows on (from, to, kind), each used once. */
export function matchFlows(gold: readonly LabelledFlow[], predicted: readonly Flow[]) {
  const left = [...gold];
  const pairs: Array<{ gold: LabelledFlow; predicted: Flow }> = [];
  const extra: Flow[] = [];
  for (const p of predicted) {
    const i = left.findIndex((g) => keyOf(g) === keyOf(p));
    if (i >= 0) pairs.push({ gold: left.splice(i, 1)[0]!, predicted: p });
    else extra.push(p);
  }
  return { pairs, extra, missed: left };
}
