import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatEndpoint, type ChatEndpoint, type ChatReply, chatClient } from '../../../test/support/chat-endpoint.ts';
import type { LlmEndpointOptions } from '../llm/endpoint.ts';
import { createLruAspectCache, type AspectCache } from './aspect-cache.ts';
import { createLlmAspectTier, MIN_ASPECT_CONFIDENCE, parseLlmAnswer } from './llm-tier.ts';
import type { AspectFinding } from './types.ts';

type Mode = 'good' | 'garbage' | 'wrong-shape' | 'foreign-evidence' | 'status-500' | 'status-401' | 'hang';

const fake: { mode: Mode; answer: string } = { mode: 'good', answer: '' };
let chat: ChatEndpoint;
const API_KEY = 'sk-test-do-not-log-0123456789';

function respond(): ChatReply {
  switch (fake.mode) {
    case 'good':
      return { content: fake.answer };
    case 'garbage':
      return { content: 'Sure! Here are the aspects you asked for: cost is bad.' };
    case 'wrong-shape':
      return { content: JSON.stringify({ aspects: [{ aspect: 'vibes', polarity: 'negative', evidence: 'pricing' }] }) };
    case 'foreign-evidence':
      return {
        content: JSON.stringify({ aspects: [{ aspect: 'cost', polarity: 'negative', evidence: 'words that are not in the post' }] }),
      };
    case 'status-500':
      return { status: 500, message: 'upstream exploded' };
    case 'status-401':
      return { status: 401, message: 'invalid api key' };
    case 'hang':
      return 'hang'; // the client's timeout must fire
  }
}

const TEXT = 'Honestly Cursor is fine, but the new pricing is a joke and tab completion lags.';
const SPAN = { start: TEXT.indexOf('Cursor'), end: TEXT.indexOf('Cursor') + 'Cursor'.length };
const RULES: AspectFinding[] = [
  {
    aspect: 'speed',
    polarity: 'negative',
    score: -0.4,
    confidence: 0.5,
    evidence: { start: TEXT.indexOf('lags'), end: TEXT.indexOf('lags') + 4, text: 'lags' },
  },
];
const GOOD = JSON.stringify({
  aspects: [
    { aspect: 'cost', polarity: 'negative', evidence: 'the new pricing is a joke', confidence: 0.9 },
    { aspect: 'speed', polarity: 'negative', evidence: 'tab completion lags' },
  ],
});

function makeTier({ cache, ...overrides }: Partial<LlmEndpointOptions> & { cache?: AspectCache } = {}) {
  const logged: string[] = [];
  const endpoint = chatClient(chat, { apiKey: API_KEY, timeoutMs: 300, ...overrides });
  const tier = createLlmAspectTier({
    endpoint,
    cache,
    logger: {
      warn: (fields, message) => logged.push(JSON.stringify(fields) + message),
      debug: (fields, message) => logged.push(JSON.stringify(fields) + message),
    },
  });
  return { tier, logged };
}

beforeAll(async () => {
  chat = await startChatEndpoint(respond);
});

afterAll(() => chat.close());

beforeEach(() => {
  fake.mode = 'good';
  chat.requests.length = 0;
  fake.answer = GOOD;
});

describe('createLlmAspectTier against a local OpenAI-compatible endpoint', () => {
  it('uses a valid JSON answer, with evidence offsets found in the text', async () => {
    const { tier } = makeTier();
    const result = await tier.refine(TEXT, SPAN, 'cursor', RULES);
    expect(result.tier).toBe('llm');
    expect(result.reason).toBeUndefined();
    const cost = result.findings.find((f) => f.aspect === 'cost');
    expect(cost).toMatchObject({ polarity: 'negative', confidence: 0.9, evidence: { text: 'the new pricing is a joke' } });
    expect(TEXT.slice(cost?.evidence.start, cost?.evidence.end)).toBe('the new pricing is a joke');
    expect(chat.requests).toHaveLength(1);
    expect(chat.requests[0]?.authorization).toBe(`Bearer ${API_KEY}`);
    expect(chat.requests[0]?.body).toMatchObject({ model: 'fake-model', response_format: { type: 'json_object' } });
    // The mention asked about is marked in the text sent.
    const sent = chat.requests[0]!.body.messages.find((m) => m.role === 'user')!.content;
    expect(sent).toContain(`[[${TEXT.slice(SPAN.start, SPAN.end)}]]`);
  });

  it('answers a repeated mention from the cache without a second request', async () => {
    const { tier } = makeTier();
    await tier.refine(TEXT, SPAN, 'cursor', RULES);
    const again = await tier.refine(TEXT, SPAN, 'cursor', RULES);
    expect(again).toMatchObject({ tier: 'llm', reason: 'cached' });
    expect(again.findings.map((f) => f.aspect).sort()).toEqual(['cost', 'speed']);
    expect(chat.requests).toHaveLength(1);
  });

  it('shares one request between concurrent calls for the same mention', async () => {
    const { tier } = makeTier();
    const [a, b] = await Promise.all([tier.refine(TEXT, SPAN, 'cursor', RULES), tier.refine(TEXT, SPAN, 'cursor', RULES)]);
    expect(a.tier).toBe('llm');
    expect(b).toEqual(a);
    expect(chat.requests).toHaveLength(1);
  });

  it('keeps the rules and makes no request once the daily budget is spent', async () => {
    const { tier } = makeTier({ dailyBudget: 1 });
    await tier.refine(TEXT, SPAN, 'cursor', RULES);
    const other = { start: 0, end: 8 };
    const result = await tier.refine(TEXT, other, 'cursor', RULES);
    expect(result).toEqual({ findings: RULES, tier: 'rules', reason: 'daily budget exhausted' });
    expect(chat.requests).toHaveLength(1);
  });

  it('starts a fresh budget on the next UTC day', async () => {
    let clock = new Date('2025-03-01T23:59:00Z');
    const { tier } = makeTier({ dailyBudget: 1, now: () => clock });
    await tier.refine(TEXT, SPAN, 'cursor', RULES);
    expect((await tier.refine(TEXT, { start: 0, end: 8 }, 'cursor', RULES)).tier).toBe('rules');
    clock = new Date('2025-03-02T00:00:30Z');
    expect((await tier.refine(TEXT, { start: 0, end: 8 }, 'cursor', RULES)).tier).toBe('llm');
    expect(chat.requests).toHaveLength(2);
  });

  it.each([
    ['garbage', 'garbage: answer is not JSON'],
    ['wrong-shape', 'garbage: answer has the wrong shape'],
    ['foreign-evidence', 'garbage: evidence does not occur in the text'],
    ['status-500', 'endpoint error 500'],
    ['status-401', 'endpoint error 401'],
    ['hang', 'timeout after 300 ms'],
  ] as const)('falls back to the rules when the endpoint gives %s', async (mode, reason) => {
    fake.mode = mode;
    const { tier, logged } = makeTier();
    const result = await tier.refine(TEXT, SPAN, 'cursor', RULES);
    expect(result.tier).toBe('rules');
    expect(result.findings).toBe(RULES);
    expect(result.reason?.startsWith(reason)).toBe(true);
    expect(chat.requests.length).toBeGreaterThanOrEqual(1);
    expect(logged.join('\n')).not.toContain(API_KEY);
  });

  it('does not cache a failed answer, so the next call asks again', async () => {
    fake.mode = 'status-500';
    const { tier } = makeTier();
    await tier.refine(TEXT, SPAN, 'cursor', RULES);
    fake.mode = 'good';
    const result = await tier.refine(TEXT, SPAN, 'cursor', RULES);
    expect(result.tier).toBe('llm');
    expect(chat.requests).toHaveLength(2);
  });

  it('falls back with a reason when nothing listens at the address', async () => {
    const { tier } = makeTier({ baseUrl: 'http://127.0.0.1:9/v1' });
    const result = await tier.refine(TEXT, SPAN, 'cursor', RULES);
    expect(result.tier).toBe('rules');
    expect(result.reason).toBe('endpoint unreachable');
  });

  it('reads answers through a cache supplied by the caller', async () => {
    const cache = createLruAspectCache(10);
    await makeTier({ cache }).tier.refine(TEXT, SPAN, 'cursor', RULES);
    const second = await makeTier({ cache }).tier.refine(TEXT, SPAN, 'cursor', RULES);
    expect(second.reason).toBe('cached');
    expect(chat.requests).toHaveLength(1);
  });
});

describe('parseLlmAnswer', () => {
  it('accepts a fenced JSON answer and an empty aspect list', () => {
    expect(parseLlmAnswer('```json\n{"aspects":[]}\n```', TEXT, SPAN)).toEqual({ ok: true, findings: [] });
  });

  it('finds evidence quoted with the mention markers still in it', () => {
    const quote = `[[${TEXT.slice(SPAN.start, SPAN.end)}]]${TEXT.slice(SPAN.end, SPAN.end + 12)}`;
    const parsed = parseLlmAnswer(JSON.stringify({ aspects: [{ aspect: 'ux', polarity: 'negative', evidence: quote }] }), TEXT, SPAN);
    expect(parsed.ok && parsed.findings[0]?.evidence).toMatchObject({ start: SPAN.start, end: SPAN.end + 12 });
  });

  it('finds evidence quoted in a different case', () => {
    const parsed = parseLlmAnswer('{"aspects":[{"aspect":"cost","polarity":"negative","evidence":"THE NEW PRICING"}]}', TEXT, SPAN);
    expect(parsed.ok && parsed.findings[0]?.evidence.text).toBe('the new pricing');
  });

  it('leaves out the findings the answer gives less than MIN_ASPECT_CONFIDENCE: loosely implied aspects and guesses', () => {
    const aspects = (confidence: number) =>
      parseLlmAnswer(
        JSON.stringify({
          aspects: [
            { aspect: 'cost', polarity: 'negative', evidence: 'the new pricing', confidence },
            { aspect: 'ux', polarity: 'negative', evidence: 'the new pricing', confidence: 0.9 },
          ],
        }),
        TEXT,
        SPAN,
      );
    const kept = (confidence: number) => {
      const parsed = aspects(confidence);
      return parsed.ok ? parsed.findings.map((f) => f.aspect) : parsed.reason;
    };
    expect(kept(MIN_ASPECT_CONFIDENCE)).toEqual(['cost', 'ux']);
    expect(kept(MIN_ASPECT_CONFIDENCE - 0.01)).toEqual(['ux']);
  });
});
