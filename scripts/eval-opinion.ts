import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SENTIMENT_MODEL_VERSION } from '../src/understand/sentiment/classifier.ts';
import { parseSettings } from '../src/config/settings.ts';
import { loadConstructed, loadLabelledPool, poolAvailable } from './opinion/gold.ts';
import { evaluateThroughPipeline, formatReport, type OpinionReport } from './opinion/pipeline-eval.ts';

/**
 * Opinion toward each entity, measured as users meet it: every set is imported by `vibecheck
 * import` into a fresh embedded database and each gold (post, entity) pair is read back from the
 * stored mentions; a pair the pipeline did not link counts as wrong.
 *
 *   npm run eval:opinion [-- --errors N] [--llm]
 *
 * Sets: the test split of our labelled real posts (never trained on), the constructed held-out
 * posts (test/data/opinion/constructed-test.jsonl) and the project's own constructed set
 * (test/data/understand/posts.jsonl). Stack Overflow and GitHub figures: npm run eval:sentiment.
 *
 * --llm imports with the optional LLM tiers on (LLM_BASE_URL and LLM_MODEL, LLM_API_KEY if the
 * endpoint needs one), so the mentions the local model is unsure of are read by the endpoint, and
 * prints how many pairs each reader stored and how often each was right. The import's call budget
 * is LLM_DAILY_BUDGET when set, otherwise four calls per post (aspects, sentiment and flows share it).
 * LLM_SENTIMENT=every (and LLM_ASPECTS=every) ask the tier about every direct mention, as they do in ingest.
 */

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const errorsIndex = process.argv.indexOf('--errors');
const showErrors = errorsIndex >= 0 ? Number(process.argv[errorsIndex + 1] ?? '20') : 0;
const withLlm = process.argv.includes('--llm');
const endpoint = withLlm ? parseSettings(process.env).llm : undefined;
if (withLlm && !endpoint) {
  console.error('--llm: set LLM_BASE_URL and LLM_MODEL (and LLM_API_KEY if the endpoint needs one) to an OpenAI-compatible endpoint');
  process.exit(2);
}

function printErrors(report: OpinionReport): void {
  if (showErrors <= 0) return;
  const wrong = report.results.filter((r) => r.predicted !== r.gold).slice(0, showErrors);
  for (const r of wrong) console.log(`    ${r.post} ${r.slug}: gold ${r.gold}, stored ${r.predicted}`);
}

console.log(
  `opinion ${SENTIMENT_MODEL_VERSION}${endpoint ? ` with the LLM tier (${endpoint.model})` : ''}, through vibecheck import and the stored mentions`,
);
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
  const posts = load();
  const llm = endpoint && {
    ...endpoint,
    dailyBudget: process.env.LLM_DAILY_BUDGET ? endpoint.dailyBudget : Math.max(1, posts.length * 4),
  };
  const report = await evaluateThroughPipeline(posts, { llm });
  console.log(`\n${formatReport(title, report)}\n  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  printErrors(report);
}
