import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerFor, readAnswerBook, type AnswerBook, type BookEntry } from '../scripts/llm/answer-book.ts';
import { loadRealAspectPosts } from '../scripts/aspects/real-posts.ts';
import { loadFlowPosts } from '../scripts/flows/labels.ts';
import { matchFlows } from '../scripts/flows/match.ts';
import { loadLabelledPool, poolAvailable } from '../scripts/opinion/gold.ts';
import { evaluateThroughPipeline } from '../scripts/opinion/pipeline-eval.ts';
import { loadEntityRegistry } from '../src/pipeline/entities.ts';
import { forEachLimited } from '../src/pipeline/ingest.ts';
import { createLlmAspectTier, type AspectFinding } from '../src/understand/aspects/index.ts';
import { buildMentionCases, evaluateAspects, readForCase, type MentionCase } from '../src/understand/aspects/evaluate-aspects.ts';
import { createLlmFlowTier, extractFlows, flowEntities, mayStateFlow, mentionOccurrences } from '../src/understand/flows/index.ts';
import { createLinker, toLinkableEntities } from '../src/understand/linking/index.ts';
import { chatClient, startChatEndpoint, type ChatEndpoint } from './support/chat-endpoint.ts';
import { BIN, REPO_ROOT } from './support/cli.ts';
import { copyEmptyCluster } from './support/databases.ts';

/**
 * The optional LLM tiers on real held-out posts, with the stand-in reader's answers replayed from the
 * committed answer books (labels/llm-answers/README.md) through a real local endpoint, read as the
 * eval commands read them. The floors sit a little under what the books give (README "Measured").
 * A prompt changed without new answers misses the books, the tiers fall back, and this fails: a
 * changed prompt must be measured again.
 */
const FLOORS = {
  sentiment: { macroF1: 0.77, negative: 0.69, positive: 0.74 },
  flows: { precision: 0.84, recall: 0.5 },
  aspects: { precision: 0.76, recall: 0.77 },
};

const BOOKS = ['opinion-sentiment', 'flows-test', 'aspects-test'];

describe.skipIf(!poolAvailable())('the LLM tiers on real posts, answered from the answer books', () => {
  let endpoint: ChatEndpoint;
  let book: AnswerBook;

  beforeAll(async () => {
    const entries = BOOKS.flatMap((name) =>
      readFileSync(path.join(REPO_ROOT, 'labels/llm-answers', `${name}.jsonl`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as BookEntry),
    );
    book = readAnswerBook(entries);
    endpoint = await startChatEndpoint((request) => {
      const message = (role: string) => request.body.messages.find((m) => m.role === role)?.content ?? '';
      const content = answerFor(book, message('system'), message('user'));
      return content === undefined ? { status: 400, message: 'no answer in the book' } : { content };
    });
  });
  afterAll(() => endpoint?.close());

  const client = () => chatClient(endpoint, { dailyBudget: 100_000, timeoutMs: 10_000 });

  it('sentiment: the mentions the local model is unsure of, through vibecheck import', async () => {
    const report = await evaluateThroughPipeline(loadLabelledPool('test'), {
      bin: BIN,
      prepareDataDir: copyEmptyCluster,
      llm: { baseUrl: endpoint.baseUrl, model: 'stand-in', dailyBudget: 100_000 },
    });
    expect(report.tiers.llm.pairs).toBeGreaterThan(300);
    expect(report.macroF1).toBeGreaterThanOrEqual(FLOORS.sentiment.macroF1);
    expect(report.perClass.negative.f1).toBeGreaterThanOrEqual(FLOORS.sentiment.negative);
    expect(report.perClass.positive.f1).toBeGreaterThanOrEqual(FLOORS.sentiment.positive);
  });

  it('flows: the posts that could state a move, the rest read by the rules', async () => {
    const registry = loadEntityRegistry();
    const linker = createLinker(toLinkableEntities(registry));
    const nameOf = new Map(registry.entities.map((e) => [e.slug, e.name]));
    const tier = createLlmFlowTier({ endpoint: client() });
    const posts = loadFlowPosts().posts.filter((p) => p.entry.split === 'test');
    let [gold, predicted, matched, asked, answered] = [0, 0, 0, 0, 0];
    await forEachLimited(posts, 4, async ({ label, text }) => {
      const mentions = mentionOccurrences(linker.link(text));
      const entities = flowEntities(mentions, (slug) => nameOf.get(slug) ?? slug);
      let flows = extractFlows(text, mentions);
      if (mayStateFlow(text, entities.length, flows.length)) {
        asked++;
        const refined = await tier.refine(text, mentions, entities, flows);
        if (refined.tier === 'llm') answered++;
        flows = refined.flows;
      }
      gold += label.flows.length;
      predicted += flows.length;
      matched += matchFlows(label.flows, flows).pairs.length;
    });
    expect(answered).toBeGreaterThanOrEqual(asked - 5);
    expect(matched / predicted).toBeGreaterThanOrEqual(FLOORS.flows.precision);
    expect(matched / gold).toBeGreaterThanOrEqual(FLOORS.flows.recall);
  });

  it('aspects: every located mention (LLM_ASPECTS=every)', async () => {
    const cases = buildMentionCases(loadRealAspectPosts('test').posts);
    const located = cases.filter((c) => c.located);
    const tier = createLlmAspectTier({ endpoint: client() });
    const read = new Map<MentionCase, AspectFinding[]>();
    await forEachLimited(located, 4, async (c) => {
      const refined = await tier.refine(c.text, c.spans[0]!, c.slug, readForCase(c));
      if (refined.tier === 'llm') read.set(c, refined.findings);
    });
    expect(read.size).toBeGreaterThan(located.length - 10);
    const { micro } = evaluateAspects(cases, (c) => read.get(c) ?? readForCase(c));
    expect(micro.precision).toBeGreaterThanOrEqual(FLOORS.aspects.precision);
    expect(micro.recall).toBeGreaterThanOrEqual(FLOORS.aspects.recall);
  });
});
