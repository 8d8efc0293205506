import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConstructed, loadLabelledPool, poolAvailable } from '../scripts/opinion/gold.ts';
import { evaluateThroughPipeline, type GoldPost } from '../scripts/opinion/pipeline-eval.ts';
import { BIN, REPO_ROOT } from './support/cli.ts';
import { copyEmptyCluster } from './support/databases.ts';

/**
 * Opinion toward each entity through the real pipeline (`vibecheck import`, then the stored
 * mentions), on data the model never trained on. The floors sit a little under what the committed
 * model reaches (README "Measured", `npm run eval:opinion`), so a change that loses accuracy fails.
 */
const FLOORS = {
  real: { macroF1: 0.59, negative: 0.44, positive: 0.53, linkPrecision: 0.95, linkRecall: 0.93 },
  constructed: { macroF1: 0.85 },
  project: { macroF1: 0.68 },
};

// The suite's CLI and its initdb'd cluster: what `npm run eval:opinion` does, minus a cluster's creation per set.
const evaluate = (posts: readonly GoldPost[]) => evaluateThroughPipeline(posts, { bin: BIN, prepareDataDir: copyEmptyCluster });

describe('opinion through the pipeline', () => {
  it.skipIf(!poolAvailable())('real posts, test split (texts from ../shared/data/opinions/pool)', async () => {
    const report = await evaluate(loadLabelledPool('test'));
    expect(report.pairs).toBeGreaterThan(900);
    expect(report.macroF1).toBeGreaterThanOrEqual(FLOORS.real.macroF1);
    expect(report.perClass.negative.f1).toBeGreaterThanOrEqual(FLOORS.real.negative);
    expect(report.perClass.positive.f1).toBeGreaterThanOrEqual(FLOORS.real.positive);
    expect(report.linking.precision).toBeGreaterThanOrEqual(FLOORS.real.linkPrecision);
    expect(report.linking.recall).toBeGreaterThanOrEqual(FLOORS.real.linkRecall);
  });

  it('constructed held-out posts (contrast, comparison, switching, sarcasm, questions, titles)', async () => {
    const report = await evaluate(loadConstructed(path.join(REPO_ROOT, 'test/data/opinion/constructed-test.jsonl')));
    expect(report.macroF1).toBeGreaterThanOrEqual(FLOORS.constructed.macroF1);
  });

  it('the project constructed set', async () => {
    const report = await evaluate(loadConstructed(path.join(REPO_ROOT, 'test/data/understand/posts.jsonl')));
    expect(report.macroF1).toBeGreaterThanOrEqual(FLOORS.project.macroF1);
  });
});

if (!poolAvailable()) console.warn('opinion.test.ts: ../shared/data/opinions/pool is absent, so the real-post figures are skipped');
