import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SENTIMENT_MODEL_VERSION } from '../src/understand/sentiment/classifier.ts';
import { loadConstructed, loadLabelledPool, poolAvailable } from './opinion/gold.ts';
import { evaluateThroughPipeline, formatReport, type OpinionReport } from './opinion/pipeline-eval.ts';

/**
 * Opinion toward each entity, measured as users meet it: every set is imported by `vibecheck
 * import` into a fresh embedded database and each gold (post, entity) pair is read back from the
 * stored mentions; a pair the pipeline did not link counts as wrong.
 *
 *   npm run eval:opinion [-- --errors N]
 *
 * Sets: the test split of our labelled real posts (never trained on), the constructed held-out
 * posts (test/data/opinion/constructed-test.jsonl) and the project's own constructed set
 * (test/data/understand/posts.jsonl). Stack Overflow and GitHub figures: npm run eval:sentiment.
 */

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const errorsIndex = process.argv.indexOf('--errors');
const showErrors = errorsIndex >= 0 ? Number(process.argv[errorsIndex + 1] ?? '20') : 0;

function printErrors(report: OpinionReport): void {
  if (showErrors <= 0) return;
  const wrong = report.results.filter((r) => r.predicted !== r.gold).slice(0, showErrors);
  for (const r of wrong) console.log(`    ${r.post} ${r.slug}: gold ${r.gold}, stored ${r.predicted}`);
}

console.log(`opinion ${SENTIMENT_MODEL_VERSION}, through vibecheck import and the stored mentions`);
const sets: Array<[string, () => ReturnType<typeof loadConstructed>]> = [
  [
    'constructed held-out posts (test/data/opinion/constructed-test.jsonl)',
    () => loadConstructed(path.join(repo, 'test/data/opinion/constructed-test.jsonl')),
  ],
  [
    'project constructed set (test/data/understand/posts.jsonl)',
    () => loadConstructed(path.join(repo, 'test/data/understand/posts.jsonl')),
  ],
];
if (poolAvailable()) sets.unshift(['real posts, test split (labels/opinion, texts from ../shared)', () => loadLabelledPool('test')]);
else console.log('real posts skipped: ../shared/data/opinions/pool is not here');

for (const [title, load] of sets) {
  const started = performance.now();
  const report = await evaluateThroughPipeline(load());
  console.log(`\n${formatReport(title, report)}\n  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  printErrors(report);
}
