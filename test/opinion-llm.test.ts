import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConstructed } from '../scripts/opinion/gold.ts';
import { evaluateThroughPipeline, type EvalLlm, type OpinionReport } from '../scripts/opinion/pipeline-eval.ts';
import { SENTIMENT_UNSURE_BELOW } from '../src/understand/sentiment/llm-tier.ts';
import { startChatEndpoint, type ChatEndpoint } from './support/chat-endpoint.ts';
import { BIN, REPO_ROOT } from './support/cli.ts';
import { copyEmptyCluster } from './support/databases.ts';

/**
 * `npm run eval:opinion -- --llm` measures the optional sentiment tier through the real import: the
 * endpoint (a real local server) answers every sentiment question "positive" and every other tier's
 * question with garbage, so the stored labels show exactly which pairs the tier read.
 */
describe('opinion evaluation with the LLM tier', () => {
  let endpoint: ChatEndpoint;
  let local: OpinionReport;
  let tiered: OpinionReport;
  const posts = loadConstructed(path.join(REPO_ROOT, 'test/data/understand/posts.jsonl'));
  const evaluate = (llm?: EvalLlm) => evaluateThroughPipeline(posts, { bin: BIN, prepareDataDir: copyEmptyCluster, llm });
  const asksSentiment = (content: string) => content.includes('"polarity"');

  beforeAll(async () => {
    endpoint = await startChatEndpoint((request) =>
      request.body.messages.some((m) => asksSentiment(m.content))
        ? { content: JSON.stringify({ polarity: 'positive', confidence: 0.9 }) }
        : { content: 'not json' },
    );
    local = await evaluate();
    tiered = await evaluate({ baseUrl: endpoint.baseUrl, model: 'test-model', dailyBudget: 10_000 });
  }, 120_000);
  afterAll(() => endpoint?.close());

  it('reads with the local model alone unless asked', () => {
    expect(local.tiers.llm.pairs).toBe(0);
    expect(local.tiers.local.pairs).toBe(local.linking.truePositives);
  });

  it("stores the endpoint's reading for exactly the pairs the local model is unsure of, and reports each reader", () => {
    const key = (r: { post: string; slug: string }) => `${r.post} ${r.slug}`;
    const unsureLocally = local.results.filter((r) => r.predicted !== 'unlinked' && (r.confidence ?? 1) < SENTIMENT_UNSURE_BELOW).map(key);
    const readByTier = tiered.results.filter((r) => r.tier === 'llm');
    expect(unsureLocally.length).toBeGreaterThan(10);
    expect(readByTier.map(key).sort()).toEqual(unsureLocally.sort());
    expect(readByTier.every((r) => r.predicted === 'positive' && r.confidence === 0.9)).toBe(true);
    expect(tiered.tiers.llm.pairs).toBe(unsureLocally.length);
    expect(tiered.tiers.llm.accuracy).toBeCloseTo(readByTier.filter((r) => r.gold === 'positive').length / readByTier.length, 10);
    expect(endpoint.requests.filter((r) => r.body.messages.some((m) => asksSentiment(m.content))).length).toBeGreaterThanOrEqual(
      unsureLocally.length,
    );
  });
});
