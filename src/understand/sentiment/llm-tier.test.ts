import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatEndpoint, type ChatEndpoint, type ChatReply, type ChatRequest, chatClient } from '../../../test/support/chat-endpoint.ts';
import type { LlmEndpointOptions } from '../llm/endpoint.ts';
import type { SentimentResult } from './classifier.ts';
import {
  buildSentimentPrompt,
  createLlmSentimentTier,
  createLruSentimentCache,
  hashSentimentRequest,
  parseSentimentAnswer,
  SENTIMENT_UNSURE_BELOW,
  type SentimentCache,
} from './llm-tier.ts';

type Mode = 'good' | 'garbage' | 'wrong-shape' | 'out-of-range' | 'status-500' | 'status-401' | 'hang' | 'slow';

const fake: { mode: Mode; answer: string } = { mode: 'good', answer: '' };
let chat: ChatEndpoint;
const API_KEY = 'sk-sentiment-test-never-log-9876543210';

function respond(request: ChatRequest): ChatReply {
  switch (fake.mode) {
    case 'good':
      return { content: fake.answer };
    case 'slow':
      return { content: fake.answer, delayMs: 100 };
    case 'garbage':
      return { content: 'The author seems to like it overall.' };
    case 'wrong-shape':
      return { content: JSON.stringify({ sentiment: 'positive', score: 0.9 }) };
    case 'out-of-range':
      return { content: JSON.stringify({ polarity: 'positive', confidence: 7 }) };
    case 'status-500':
      return { status: 500, message: 'model crashed' };
    case 'status-401':
      return { status: 401, message: `bad key ${request.authorization ?? ''}` };
    case 'hang':
      return 'hang'; // the client's timeout must fire
  }
}

const TEXT = 'Gave Zed another week. Honestly? It grew on me, though the extension story is still thin.';
const START = TEXT.indexOf('Zed');
const SPANS = [{ start: START, end: START + 3 }];
const ENTITY = { slug: 'zed', name: 'Zed' };
const LOCAL: SentimentResult = { label: 'neutral', score: 0.05, confidence: 0.44 };

function makeTier({
  cache,
  windowChars,
  ...overrides
}: Partial<LlmEndpointOptions> & { cache?: SentimentCache; windowChars?: number } = {}) {
  const logged: string[] = [];
  const endpoint = chatClient(chat, { apiKey: API_KEY, timeoutMs: 300, ...overrides });
  const tier = createLlmSentimentTier({
    endpoint,
    cache,
    windowChars,
    logger: {
      warn: (fields, message) => logged.push(JSON.stringify(fields) + message),
      debug: (fields, message) => logged.push(JSON.stringify(fields) + message),
    },
  });
  return { tier, endpoint, logged };
}

beforeAll(async () => {
  chat = await startChatEndpoint(respond);
});

afterAll(() => chat.close());

beforeEach(() => {
  fake.mode = 'good';
  chat.requests.length = 0;
  fake.answer = JSON.stringify({ polarity: 'positive', confidence: 0.7 });
});

describe('createLlmSentimentTier against a local OpenAI-compatible endpoint', () => {
  it('maps a valid answer to a SentimentResult with tier llm', async () => {
    const { tier, endpoint } = makeTier();
    const refined = await tier.refine(TEXT, SPANS, ENTITY, LOCAL);
    expect(refined).toEqual({ result: { label: 'positive', score: 0.7, confidence: 0.7 }, tier: 'llm' });
    expect(endpoint.callsToday()).toBe(1);
    expect(chat.requests).toHaveLength(1);
    const request = chat.requests[0]!;
    expect(request.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request.body).toMatchObject({ model: 'fake-model', temperature: 0, response_format: { type: 'json_object' } });
    const [system, user] = request.body.messages;
    expect(system?.role).toBe('system');
    expect(system?.content).toMatch(/author's own judgement/);
    expect(system?.content).toMatch(/questions, plain facts, news-style titles/);
    expect(system?.content).toMatch(/"polarity":"positive\|neutral\|negative","confidence"/);
    expect(user?.content).toContain('Entity: Zed (zed)');
    expect(user?.content).toContain('Gave [[Zed]] another week.');
  });

  it('scores a negative answer below zero, a neutral one at zero, and fills a missing confidence with 0.8', async () => {
    fake.answer = JSON.stringify({ polarity: 'negative', confidence: 0.9 });
    expect((await makeTier().tier.refine(TEXT, SPANS, ENTITY, LOCAL)).result).toEqual({ label: 'negative', score: -0.9, confidence: 0.9 });
    fake.answer = JSON.stringify({ polarity: 'neutral', confidence: 0.65 });
    expect((await makeTier().tier.refine(TEXT, SPANS, ENTITY, LOCAL)).result).toEqual({ label: 'neutral', score: 0, confidence: 0.65 });
    fake.answer = JSON.stringify({ polarity: 'Positive' });
    expect((await makeTier().tier.refine(TEXT, SPANS, ENTITY, LOCAL)).result).toEqual({ label: 'positive', score: 0.8, confidence: 0.8 });
  });

  it('answers a repeated mention from the cache without a request or any budget', async () => {
    const { tier, endpoint } = makeTier({ dailyBudget: 1 });
    await tier.refine(TEXT, SPANS, ENTITY, LOCAL);
    const again = await tier.refine(TEXT, SPANS, ENTITY, LOCAL);
    expect(again).toEqual({ result: { label: 'positive', score: 0.7, confidence: 0.7 }, tier: 'llm', reason: 'cached' });
    expect(chat.requests).toHaveLength(1);
    expect(endpoint.callsToday()).toBe(1);
  });

  it('shares one request between concurrent calls for the same mention', async () => {
    fake.mode = 'slow';
    const { tier, endpoint } = makeTier();
    const [a, b, c] = await Promise.all([
      tier.refine(TEXT, SPANS, ENTITY, LOCAL),
      tier.refine(TEXT, SPANS, ENTITY, LOCAL),
      tier.refine(TEXT, SPANS, ENTITY, LOCAL),
    ]);
    expect(a.tier).toBe('llm');
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(chat.requests).toHaveLength(1);
    expect(endpoint.callsToday()).toBe(1);
  });

  it('asks again for another entity, other spans or another text', async () => {
    const { tier } = makeTier();
    await tier.refine(TEXT, SPANS, ENTITY, LOCAL);
    await tier.refine(TEXT, SPANS, { slug: 'zed-other', name: 'Zed' }, LOCAL);
    await tier.refine(TEXT, [{ start: 0, end: 4 }], ENTITY, LOCAL);
    await tier.refine(`${TEXT} `, SPANS, ENTITY, LOCAL);
    expect(chat.requests).toHaveLength(4);
  });

  it('keeps the local result and makes no request once the daily budget is spent', async () => {
    const { tier } = makeTier({ dailyBudget: 1 });
    await tier.refine(TEXT, SPANS, ENTITY, LOCAL);
    const other = await tier.refine(`Another post about Zed. ${TEXT}`, SPANS, ENTITY, LOCAL);
    expect(other).toEqual({ result: LOCAL, tier: 'local', reason: 'daily budget exhausted' });
    expect(chat.requests).toHaveLength(1);
  });

  it.each([
    ['garbage', 'garbage: answer is not JSON'],
    ['wrong-shape', 'garbage: answer has the wrong shape'],
    ['out-of-range', 'garbage: answer has the wrong shape'],
    ['status-500', 'endpoint error 500'],
    ['status-401', 'endpoint error 401'],
    ['hang', 'timeout after 300 ms'],
  ] as const)('falls back to the local result when the endpoint gives %s, and never logs the key', async (mode, reason) => {
    fake.mode = mode;
    const { tier, logged } = makeTier();
    const refined = await tier.refine(TEXT, SPANS, ENTITY, LOCAL);
    expect(refined.tier).toBe('local');
    expect(refined.result).toBe(LOCAL);
    expect(refined.reason?.startsWith(reason)).toBe(true);
    expect(refined.reason).not.toContain(API_KEY);
    expect(chat.requests.length).toBeGreaterThanOrEqual(1);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('\n')).not.toContain(API_KEY);
  });

  it('does not cache a failed answer, so the next call asks again', async () => {
    fake.mode = 'status-500';
    const { tier } = makeTier();
    expect((await tier.refine(TEXT, SPANS, ENTITY, LOCAL)).tier).toBe('local');
    fake.mode = 'good';
    expect((await tier.refine(TEXT, SPANS, ENTITY, LOCAL)).tier).toBe('llm');
    expect(chat.requests).toHaveLength(2);
  });

  it('falls back with a reason when nothing listens at the address', async () => {
    const { tier } = makeTier({ baseUrl: 'http://127.0.0.1:9/v1' });
    expect(await tier.refine(TEXT, SPANS, ENTITY, LOCAL)).toEqual({ result: LOCAL, tier: 'local', reason: 'endpoint unreachable' });
  });

  it('reads answers through a cache supplied by the caller', async () => {
    const cache = createLruSentimentCache(10);
    await makeTier({ cache }).tier.refine(TEXT, SPANS, ENTITY, LOCAL);
    const second = makeTier({ cache });
    expect((await second.tier.refine(TEXT, SPANS, ENTITY, LOCAL)).reason).toBe('cached');
    expect(second.endpoint.callsToday()).toBe(0);
    expect(chat.requests).toHaveLength(1);
    expect(cache.size()).toBe(1);
  });
});

describe('buildSentimentPrompt', () => {
  it('sends windows around each mention, merged where they overlap, with every mention marked', () => {
    const filler = 'x'.repeat(200);
    const text = `Zed opens instantly. ${filler} Later on, Zed froze twice. ${filler} ${filler} The end: Zed again.`;
    const spans = [...text.matchAll(/Zed/g)].map((m) => ({ start: m.index, end: m.index + 3 }));
    const prompt = buildSentimentPrompt(text, spans, ENTITY, 60);
    expect(prompt.startsWith('Entity: Zed (zed)\n')).toBe(true);
    expect(prompt).toContain('[[Zed]] opens instantly.');
    expect(prompt).toContain('Later on, [[Zed]] froze twice.');
    expect(prompt).toContain('The end: [[Zed]] again.');
    expect(prompt).toContain('\n[…]\n');
    expect(prompt.length).toBeLessThan(text.length);
  });

  it('sends the whole of a short text', () => {
    expect(buildSentimentPrompt(TEXT, SPANS, ENTITY, 1500)).toContain(
      'Gave [[Zed]] another week. Honestly? It grew on me, though the extension story is still thin.',
    );
  });
});

describe('parseSentimentAnswer', () => {
  it('accepts a fenced answer and ignores extra fields', () => {
    expect(parseSentimentAnswer('```json\n{"polarity":"negative","confidence":0.5,"why":"sarcasm"}\n```')).toEqual({
      ok: true,
      result: { label: 'negative', score: -0.5, confidence: 0.5 },
    });
  });

  it('rejects an empty answer and an unknown polarity', () => {
    expect(parseSentimentAnswer('')).toEqual({ ok: false, reason: 'garbage: empty answer' });
    expect(parseSentimentAnswer('{"polarity":"mixed"}').ok).toBe(false);
  });
});

describe('hashSentimentRequest', () => {
  it('differs by model, text, spans and entity', () => {
    const base = hashSentimentRequest('m', TEXT, SPANS, ENTITY);
    expect(hashSentimentRequest('m2', TEXT, SPANS, ENTITY)).not.toBe(base);
    expect(hashSentimentRequest('m', `${TEXT}!`, SPANS, ENTITY)).not.toBe(base);
    expect(hashSentimentRequest('m', TEXT, [{ start: 0, end: 3 }], ENTITY)).not.toBe(base);
    expect(hashSentimentRequest('m', TEXT, SPANS, { slug: 'zed', name: 'Zed editor' })).not.toBe(base);
    expect(hashSentimentRequest('m', TEXT, SPANS, ENTITY)).toBe(base);
  });
});

describe('SENTIMENT_UNSURE_BELOW', () => {
  it('is 0.6', () => {
    expect(SENTIMENT_UNSURE_BELOW).toBe(0.6);
  });
});
