import path from 'node:path';
import { loadDataSet } from '../../src/understand/sentiment/dataset.ts';
import { crossValidate } from '../../src/understand/sentiment/evaluate.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/understand/sentiment/features.ts';
import { argmax, reportClassification } from '../../src/understand/sentiment/metrics.ts';
import { CLASS_COUNT } from '../../src/understand/sentiment/model.ts';
import { DEFAULT_TRAIN_OPTIONS } from '../../src/understand/sentiment/train.ts';
import { targetedItems } from './datasets.ts';
import { loadConstructed, loadLabelledPool } from './gold.ts';
import { LABELS_DIR } from './pool.ts';

/**
 * How much constructed training posts teach, on the training data only (no test set is read): the
 * devsent-3 constructed posts (ids t1-t3) are held out 5 folds by post, and each fold trains on the
 * real train-split pairs, the Stack Overflow and GitHub sets, a share of the other folds' t1-t3
 * posts and, with --with-later, every later constructed post (t4 on, written for devsent-4 to devsent-6).
 *
 *   tsx scripts/opinion/constructed-curve.ts [--shares 0,0.5,1] [--with-later]
 */

const argValue = (flag: string): string | undefined => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const shares = (argValue('--shares') ?? '0,0.5,1').split(',').map(Number);
const withLater = process.argv.includes('--with-later');

const all = loadConstructed(path.join(LABELS_DIR, 'constructed-train.jsonl'));
const isFirst = (id: string) => /^t[123]-/.test(id);
const target = targetedItems(all.filter((p) => isFirst(p.id))).items;
const later = withLater ? targetedItems(all.filter((p) => !isFirst(p.id))).items : [];
const extra = [...targetedItems(loadLabelledPool('train')).items, ...loadDataSet('stackoverflow'), ...loadDataSet('github'), ...later];
// A post's place in the share: a hash of its id, so a larger share keeps every post of a smaller one.
const rank = (id: string): number => {
  let h = 2166136261;
  for (const ch of id) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return ((h >>> 0) % 1000) / 1000;
};

for (const share of shares) {
  const started = performance.now();
  const logits = crossValidate({
    target,
    extra,
    config: DEFAULT_FEATURE_CONFIG,
    options: DEFAULT_TRAIN_OPTIONS,
    folds: 5,
    seed: 7,
    trainsOn: (item) => rank(item.group ?? item.id) < share,
  });
  const report = reportClassification(
    target.map((item) => item.label),
    target.map((_, i) => argmax(logits.subarray(i * CLASS_COUNT, (i + 1) * CLASS_COUNT))),
  );
  console.log(
    `share ${share} of t1-t3${withLater ? ` + ${later.length} later items` : ''}: held-out macro-F1 ${report.macroF1.toFixed(4)} ` +
      `(F1 neg ${report.perClass[0]!.f1.toFixed(3)} neu ${report.perClass[1]!.f1.toFixed(3)} pos ${report.perClass[2]!.f1.toFixed(3)}) in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
}
