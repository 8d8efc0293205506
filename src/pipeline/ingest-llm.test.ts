import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatEndpoint, type ChatEndpoint, type ChatReply, chatClient } from '../../test/support/chat-endpoint.ts';
import { startFakeUpstream, type FakeUpstream } from '../../test/support/fake-upstream.ts';
import { createDataDir } from '../../test/support/databases.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { parseSettings } from '../config/settings.ts';
import { createLogger } from '../config/logger.ts';
import type { NormalizedPost } from '../core/post.ts';
import { createLlmAspectTier, createLruAspectCache } from '../understand/aspects/index.ts';
import { createLlmFlowTier, createLruFlowCache, type LlmFlowTier } from '../understand/flows/index.ts';
import { createLlmEndpoint } from '../understand/llm/index.ts';
import { createLlmSentimentTier, createLruSentimentCache, SENTIMENT_UNSURE_BELOW } from '../understand/sentiment/index.ts';
import { seedEntities } from './entities.ts';
import { createIngestor } from './ingest.ts';
import { createLlmTiers } from './runtime.ts';

/** The rules tier finds a weak "performance" reading here and flags it as unsure. */
const UNSURE = 'I think Cursor is kind of weird lately, hard to say why, the whole thing feels off to me.';
const CLEAR = 'Cursor is blazing fast and the pricing is fair.';

describe('the optional LLM aspect tier inside ingest', () => {
  let upstream: FakeUpstream;
  let database: Database;
  const dataDir = createDataDir({ cluster: true });

  beforeAll(async () => {
    upstream = await startFakeUpstream(() => ({
      body: {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'fake',
        choices: [
          {
            index: 0,
            finish_reason: 'stop',
            message: {
              role: 'assistant',
              content: JSON.stringify({ aspects: [{ aspect: 'ux', polarity: 'negative', evidence: 'the whole thing feels off' }] }),
            },
          },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      },
    }));
    database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
    await migrate(database.db);
    await seedEntities(database.db);
  });
  afterAll(async () => {
    await database.close();
    await upstream.close();
    dataDir.remove();
  });

  it('asks the endpoint only about unsure mentions and stores its answer as tier llm', async () => {
    const tier = createLlmAspectTier({
      endpoint: createLlmEndpoint({
        baseUrl: `${upstream.url}/v1`,
        apiKey: 'test',
        model: 'fake',
        dailyBudget: 10,
        timeoutMs: 2_000,
        maxRetries: 0,
      }),
      cache: createLruAspectCache(100),
    });
    const ingestor = await createIngestor(database.db, { aspectTier: tier });
    await ingestor.ingest({
      posts: [
        {
          source: 'hn',
          externalId: 'u1',
          url: null,
          author: null,
          title: null,
          body: UNSURE,
          createdAt: new Date('2026-03-01T00:00:00Z'),
          score: null,
          comments: null,
          parentId: null,
          threadId: null,
        },
        {
          source: 'hn',
          externalId: 'c1',
          url: null,
          author: null,
          title: null,
          body: CLEAR,
          createdAt: new Date('2026-03-01T00:00:00Z'),
          score: null,
          comments: null,
          parentId: null,
          threadId: null,
        },
      ],
    });
    expect(upstream.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(1);
    const rows = await sql<{ external_id: string; aspect: string; polarity: string; tier: string }>`
      SELECT p.external_id, a.aspect, a.polarity, a.tier FROM mention_aspects a JOIN posts p ON p.id = a.post_id
      JOIN entities e ON e.id = a.entity_id WHERE e.slug = 'cursor' ORDER BY 1, 2`.execute(database.db);
    expect(rows.rows.filter((r) => r.external_id === 'u1')).toEqual([
      { external_id: 'u1', aspect: 'ux', polarity: 'negative', tier: 'llm' },
    ]);
    expect(rows.rows.filter((r) => r.external_id === 'c1').every((r) => r.tier === 'rules')).toBe(true);
    expect(rows.rows.filter((r) => r.external_id === 'c1').length).toBeGreaterThan(0);
  });

  it('with LLM_ASPECTS=every, asks about every direct mention, the confident ones too', async () => {
    const llm = await startChatEndpoint(() => ({
      content: JSON.stringify({ aspects: [{ aspect: 'docs', polarity: 'negative', evidence: 'Cursor', confidence: 0.9 }] }),
    }));
    try {
      const settings = parseSettings({ LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'fake', LLM_ASPECTS: 'every', LOG_LEVEL: 'silent' });
      const { aspectTier } = createLlmTiers(settings, createLogger(settings));
      expect(aspectTier?.every).toBe(true);
      const ingestor = await createIngestor(database.db, { aspectTier });
      await ingestor.ingest({ posts: [post('every-unsure', UNSURE, 2), post('every-clear', CLEAR, 2)] });
      expect(llm.requests).toHaveLength(2);
      const rows = await sql<{ external_id: string; aspect: string; polarity: string; tier: string }>`
        SELECT p.external_id, a.aspect, a.polarity, a.tier FROM mention_aspects a JOIN posts p ON p.id = a.post_id
        JOIN entities e ON e.id = a.entity_id WHERE e.slug = 'cursor' AND p.external_id LIKE 'every-%' ORDER BY 1`.execute(database.db);
      expect(rows.rows).toEqual([
        { external_id: 'every-clear', aspect: 'docs', polarity: 'negative', tier: 'llm' },
        { external_id: 'every-unsure', aspect: 'docs', polarity: 'negative', tier: 'llm' },
      ]);
    } finally {
      await llm.close();
    }
  });

  it('keeps the rules answer when the endpoint fails', async () => {
    upstream.setHandler(() => ({ status: 500, body: 'down' }));
    const tier = createLlmAspectTier({
      endpoint: createLlmEndpoint({
        baseUrl: `${upstream.url}/v1`,
        apiKey: 'test',
        model: 'fake',
        dailyBudget: 10,
        timeoutMs: 2_000,
        maxRetries: 0,
      }),
    });
    const ingestor = await createIngestor(database.db, { aspectTier: tier });
    const result = await ingestor.ingest({
      posts: [
        {
          source: 'hn',
          externalId: 'u2',
          url: null,
          author: null,
          title: null,
          body: `Still true a day later: ${UNSURE}`,
          createdAt: new Date('2026-03-02T00:00:00Z'),
          score: null,
          comments: null,
          parentId: null,
          threadId: null,
        },
      ],
    });
    expect(result.stored).toBe(1);
    const rows = await sql<{ tier: string }>`
      SELECT a.tier FROM mention_aspects a JOIN posts p ON p.id = a.post_id WHERE p.external_id = 'u2'`.execute(database.db);
    expect(rows.rows.length).toBeGreaterThan(0);
    expect(rows.rows.every((r) => r.tier === 'rules')).toBe(true);
  });
});

const chat = (content: string) => ({
  body: {
    id: 'chatcmpl-2',
    object: 'chat.completion',
    created: 1,
    model: 'fake',
    choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  },
});

const post = (externalId: string, body: string, day: number): NormalizedPost => ({
  source: 'hn',
  externalId,
  url: null,
  author: null,
  title: null,
  body,
  createdAt: new Date(Date.UTC(2026, 3, day)),
  score: null,
  comments: null,
  parentId: null,
  threadId: null,
});

/**
 * Posts about Claude Code (whose vendor, Anthropic, is implied), from flat to plainly felt. The test
 * reads the local model's confidence on each and takes one below SENTIMENT_UNSURE_BELOW and one at or
 * above it, so it keeps testing the real threshold when the model is retrained.
 */
const CANDIDATES = [
  'Claude Code, version two, as of this week.',
  'So Claude Code. Hmm. Some days yes, some days no.',
  'Tried Claude Code on the billing service, not sure yet what I think, ask me next month.',
  'Claude Code did the refactor; half of it was right, the other half I redid myself.',
  'Claude Code is an absolute joy to work with, I love it, best tool I have paid for this year.',
  'Claude Code is wonderful, thank you so much to the team, it is amazing and I am very happy with it.',
  'Claude Code deleted my uncommitted work again. This is awful, I hate it, worst tool I have ever used.',
  'I am furious: Claude Code crashed, corrupted the repo and wasted my whole day. Terrible, useless garbage.',
];

interface StoredMention {
  external_id: string;
  slug: string;
  direct: boolean;
  label: string;
  score: number;
  sentiment_tier: string;
}

describe('the optional LLM sentiment tier inside ingest', () => {
  let upstream: FakeUpstream;
  let database: Database;
  const dataDir = createDataDir({ cluster: true });
  let answer = JSON.stringify({ polarity: 'positive', confidence: 0.93 });

  beforeAll(async () => {
    upstream = await startFakeUpstream(() => chat(answer));
    database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
    await migrate(database.db);
    await seedEntities(database.db);
  });
  afterAll(async () => {
    await database.close();
    await upstream.close();
    dataDir.remove();
  });
  // The same candidate texts are stored by several tests; a second copy would be kept as a repost, without mentions.
  beforeEach(async () => {
    await sql`DELETE FROM mention_aspects`.execute(database.db);
    await sql`DELETE FROM posts`.execute(database.db);
  });

  const endpointAt = (budget = 10) =>
    createLlmEndpoint({
      baseUrl: `${upstream.url}/v1`,
      apiKey: 'sk-ingest-test',
      model: 'fake',
      dailyBudget: budget,
      timeoutMs: 2_000,
      maxRetries: 0,
    });

  const stored = async (externalId: string): Promise<StoredMention[]> =>
    (
      await sql<StoredMention>`
        SELECT p.external_id, e.slug, m.direct, m.label, m.score, m.sentiment_tier FROM mentions m
        JOIN posts p ON p.id = m.post_id JOIN entities e ON e.id = m.entity_id
        WHERE p.external_id = ${externalId} ORDER BY e.slug`.execute(database.db)
    ).rows;

  /** One candidate the local model is unsure of and one it is sure of, with its local reading. */
  async function pickCandidates() {
    const probe = await createIngestor(database.db);
    const read = CANDIDATES.map((text) => {
      const mention = probe.analyzer.analyze({ title: null, body: text, parentId: null }).mentions.find((m) => m.slug === 'claude-code');
      return { text, sentiment: mention?.sentiment };
    });
    const unsure = read.find((r) => r.sentiment && r.sentiment.confidence < SENTIMENT_UNSURE_BELOW);
    const confident = read.find((r) => r.sentiment && r.sentiment.confidence >= SENTIMENT_UNSURE_BELOW);
    expect(unsure, `no candidate below ${SENTIMENT_UNSURE_BELOW}: ${JSON.stringify(read)}`).toBeDefined();
    expect(confident, `no candidate at or above ${SENTIMENT_UNSURE_BELOW}: ${JSON.stringify(read)}`).toBeDefined();
    return {
      unsure: { text: unsure!.text, local: unsure!.sentiment! },
      confident: { text: confident!.text, local: confident!.sentiment! },
    };
  }

  it("stores the endpoint's polarity with tier llm for an unsure mention and its ancestor, and keeps a confident one local", async () => {
    const { unsure, confident } = await pickCandidates();
    // An answer the local model did not give, so the stored label shows where it came from.
    const polarity = unsure.local.label === 'negative' ? 'positive' : 'negative';
    answer = JSON.stringify({ polarity, confidence: 0.93 });
    const tier = createLlmSentimentTier({ endpoint: endpointAt(), cache: createLruSentimentCache(100) });
    const ingestor = await createIngestor(database.db, { sentimentTier: tier });
    const result = await ingestor.ingest({ posts: [post('s-unsure', unsure.text, 1), post('s-sure', confident.text, 1)] });
    expect(result.stored).toBe(2);

    const asked = upstream.requests.filter((r) => r.path === '/v1/chat/completions');
    expect(asked).toHaveLength(1);
    const prompt = (JSON.parse(asked[0]!.body) as { messages: { content: string }[] }).messages[1]!.content;
    expect(prompt).toContain('Entity: Claude Code (claude-code)');
    expect(prompt).toContain('[[Claude Code]]');

    const score = polarity === 'positive' ? 0.93 : -0.93;
    const refined = await stored('s-unsure');
    expect(refined.find((m) => m.slug === 'claude-code')).toMatchObject({ direct: true, label: polarity, sentiment_tier: 'llm' });
    expect(refined.find((m) => m.slug === 'claude-code')!.score).toBeCloseTo(score, 5);
    expect(refined.find((m) => m.slug === 'anthropic')).toMatchObject({ direct: false, label: polarity, sentiment_tier: 'llm' });

    const kept = await stored('s-sure');
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((m) => m.sentiment_tier === 'local')).toBe(true);
    expect(kept.find((m) => m.slug === 'claude-code')).toMatchObject({ label: confident.local.label });
  });

  it('with LLM_SENTIMENT=every, asks about the confident mention too and stores the answer for each', async () => {
    const { unsure, confident } = await pickCandidates();
    answer = JSON.stringify({ polarity: 'neutral', confidence: 0.77 });
    const before = upstream.requests.length;
    const tier = createLlmSentimentTier({ endpoint: endpointAt(), every: true });
    expect(tier.every).toBe(true);
    const ingestor = await createIngestor(database.db, { sentimentTier: tier });
    await ingestor.ingest({ posts: [post('e-unsure', unsure.text, 4), post('e-sure', confident.text, 4)] });
    expect(upstream.requests.length - before).toBe(2);
    for (const id of ['e-unsure', 'e-sure'])
      expect((await stored(id)).find((m) => m.slug === 'claude-code')).toMatchObject({ label: 'neutral', score: 0, sentiment_tier: 'llm' });
    answer = JSON.stringify({ polarity: 'positive', confidence: 0.93 });
  });

  it('keeps the local reading, tier local, when the endpoint fails', async () => {
    const { unsure } = await pickCandidates();
    upstream.setHandler(() => ({ status: 500, body: { error: { message: 'overloaded' } } }));
    const before = upstream.requests.length;
    const tier = createLlmSentimentTier({ endpoint: endpointAt() });
    const ingestor = await createIngestor(database.db, { sentimentTier: tier });
    await ingestor.ingest({ posts: [post('s-failed', unsure.text, 2)] });
    expect(upstream.requests.length).toBeGreaterThan(before);
    const rows = await stored('s-failed');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((m) => m.sentiment_tier === 'local')).toBe(true);
    upstream.setHandler(() => chat(answer));
  });

  it('leaves every mention local when no tier is configured', async () => {
    const { unsure } = await pickCandidates();
    const ingestor = await createIngestor(database.db);
    await ingestor.ingest({ posts: [post('s-none', unsure.text, 3)] });
    const rows = await stored('s-none');
    expect(rows.find((m) => m.slug === 'claude-code')).toMatchObject({ label: unsure.local.label, sentiment_tier: 'local' });
  });

  it('builds the runtime tiers (aspects, sentiment, flows) on one endpoint, so LLM_DAILY_BUDGET bounds them together', async () => {
    const settings = parseSettings({
      LLM_BASE_URL: `${upstream.url}/v1`,
      LLM_MODEL: 'fake',
      LLM_API_KEY: 'sk-runtime',
      LLM_DAILY_BUDGET: '1',
      LOG_LEVEL: 'silent',
    });
    const { aspectTier, sentimentTier, flowTier } = createLlmTiers(settings, createLogger(settings));
    const text = 'Claude Code wrote the migration but the whole thing feels slow.';
    const span = { start: 0, end: 'Claude Code'.length };
    const local = { label: 'neutral' as const, score: 0, confidence: 0.4 };
    expect((await sentimentTier!.refine(text, [span], { slug: 'claude-code', name: 'Claude Code' }, local)).tier).toBe('llm');
    expect(await aspectTier!.refine(text, span, 'claude-code', [])).toMatchObject({ tier: 'rules', reason: 'daily budget exhausted' });
    const entity = { slug: 'claude-code', name: 'Claude Code' };
    expect(await flowTier!.refine(text, [{ slug: 'claude-code', ...span }], [entity], [])).toMatchObject({
      tier: 'rules',
      reason: 'daily budget exhausted',
    });
    expect(aspectTier!.callsToday()).toBe(1);
    const off = createLlmTiers(parseSettings({ LOG_LEVEL: 'silent' }), createLogger(settings));
    expect(off).toEqual({ aspectTier: undefined, sentimentTier: undefined, flowTier: undefined, summarizer: undefined });
    expect(Object.keys(off).sort()).toEqual(['aspectTier', 'flowTier', 'sentimentTier', 'summarizer']);
  });
});

/** A post naming Cursor and Claude Code with movement words; the rules read a switch in it. */
const CUED = 'Cancelled my Cursor sub last month and moved everything to Claude Code, the tab completion kept breaking.';
/** Names Cursor, with no word of movement: never asked. */
const UNCUED = 'Cursor has been solid for me this month, the tab completion is great.';
/** Words of movement but no tracked entity: never asked. */
const NO_ENTITY = 'I switched to a standing desk and moved my monitor back to the left.';

interface StoredFlow {
  external_id: string;
  from_slug: string | null;
  to_slug: string | null;
  kind: string;
  reason: string | null;
  evidence: string;
  start_offset: number;
  end_offset: number;
  tier: string;
}

describe('the optional LLM flow tier inside ingest', () => {
  let chat: ChatEndpoint;
  let database: Database;
  const dataDir = createDataDir({ cluster: true });
  let reply: () => ChatReply = () => ({ content: '{"flows":[]}' });

  beforeAll(async () => {
    chat = await startChatEndpoint(() => reply());
    database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
    await migrate(database.db);
    await seedEntities(database.db);
  });
  afterAll(async () => {
    await database.close();
    await chat.close();
    dataDir.remove();
  });
  beforeEach(async () => {
    chat.requests.length = 0;
    await sql`DELETE FROM posts`.execute(database.db);
  });

  const tier = (): LlmFlowTier =>
    createLlmFlowTier({
      endpoint: chatClient(chat, { apiKey: 'sk-flows', model: 'fake', dailyBudget: 10 }),
      cache: createLruFlowCache(100),
    });

  const stored = async (): Promise<StoredFlow[]> =>
    (
      await sql<StoredFlow>`
        SELECT p.external_id, ef.slug AS from_slug, et.slug AS to_slug, f.kind, f.reason, f.evidence, f.start_offset, f.end_offset, f.tier
        FROM post_flows f JOIN posts p ON p.id = f.post_id
        LEFT JOIN entities ef ON ef.id = f.from_entity_id LEFT JOIN entities et ON et.id = f.to_entity_id
        ORDER BY p.external_id, f.start_offset`.execute(database.db)
    ).rows;

  it("asks only about the cued post, and stores the tier's flows in place of the rules', with tier llm", async () => {
    // What the rules read alone, so the test shows the stored flows are not theirs.
    const rules = (await createIngestor(database.db)).analyzer.analyze({ title: null, body: CUED, parentId: null }).flows;
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.every((f) => f.reason !== 'limits')).toBe(true);
    reply = () => ({
      content: JSON.stringify({
        flows: [
          {
            from: 'cursor',
            to: 'claude-code',
            kind: 'switch',
            reason: 'limits',
            evidence: 'moved everything to Claude Code',
            confidence: 0.9,
          },
        ],
      }),
    });
    const ingestor = await createIngestor(database.db, { flowTier: tier() });
    const result = await ingestor.ingest({
      posts: [post('f-cued', CUED, 10), post('f-uncued', UNCUED, 10), post('f-none', NO_ENTITY, 10)],
    });
    expect(result.stored).toBe(3);

    expect(chat.requests).toHaveLength(1);
    const user = chat.requests[0]!.body.messages[1]!.content;
    expect(user).toContain('- cursor: Cursor\n- claude-code: Claude Code\n');
    expect(user).toContain(CUED);

    const start = CUED.indexOf('moved everything to Claude Code');
    expect(await stored()).toEqual([
      {
        external_id: 'f-cued',
        from_slug: 'cursor',
        to_slug: 'claude-code',
        kind: 'switch',
        reason: 'limits',
        evidence: 'moved everything to Claude Code',
        start_offset: start,
        end_offset: start + 'moved everything to Claude Code'.length,
        tier: 'llm',
      },
    ]);
  });

  it('stores no flow for a cued post the tier reads as none', async () => {
    reply = () => ({ content: '{"flows":[]}' });
    await (await createIngestor(database.db, { flowTier: tier() })).ingest({ posts: [post('f-empty', CUED, 11)] });
    expect(chat.requests).toHaveLength(1);
    expect(await stored()).toEqual([]);
  });

  it("keeps the rules' flows, tier rules, when the endpoint fails", async () => {
    reply = () => ({ status: 500, message: 'overloaded' });
    const rules = (await createIngestor(database.db)).analyzer.analyze({ title: null, body: CUED, parentId: null }).flows;
    expect(rules.length).toBeGreaterThan(0);
    await (await createIngestor(database.db, { flowTier: tier() })).ingest({ posts: [post('f-failed', CUED, 12)] });
    expect(chat.requests).toHaveLength(1);
    const rows = await stored();
    expect(rows.map((r) => [r.kind, r.from_slug, r.to_slug, r.evidence, r.tier])).toEqual(
      rules.map((f) => [f.kind, f.from, f.to, f.evidence.text, 'rules']),
    );
  });
});
