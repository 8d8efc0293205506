import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatEndpoint, type ChatEndpoint, type ChatReply, chatClient } from '../../../test/support/chat-endpoint.ts';
import { createLlmAspectTier } from '../aspects/llm-tier.ts';
import { createLlmSentimentTier } from '../sentiment/llm-tier.ts';
import { createLlmEndpoint } from './endpoint.ts';

const API_KEY = 'sk-endpoint-test-secret-1122334455';
let status = 200;
let chat: ChatEndpoint;

/** Answers an aspect prompt with an aspect list and a sentiment prompt with a polarity. */
function answerFor(system: string): string {
  return system.includes('"aspects"')
    ? JSON.stringify({ aspects: [{ aspect: 'speed', polarity: 'negative', evidence: 'takes ages' }] })
    : JSON.stringify({ polarity: 'negative', confidence: 0.75 });
}

beforeAll(async () => {
  chat = await startChatEndpoint(({ body, authorization }) =>
    status === 200 ? { content: answerFor(body.messages[0]?.content ?? '') } : { status, message: `rejected ${authorization ?? ''}` },
  );
});

afterAll(() => chat.close());

beforeEach(() => {
  status = 200;
  chat.requests.length = 0;
});

const endpointWith = (dailyBudget: number) => chatClient(chat, { apiKey: API_KEY, model: 'm', dailyBudget });

describe('createLlmEndpoint', () => {
  it('returns the answer and counts one call per request', async () => {
    const endpoint = endpointWith(5);
    expect(await endpoint.complete({ system: 'polarity please', user: 'hello' })).toEqual({
      ok: true,
      content: JSON.stringify({ polarity: 'negative', confidence: 0.75 }),
    });
    expect(endpoint.model).toBe('m');
    expect(endpoint.callsToday()).toBe(1);
    expect(chat.requests[0]?.body.messages).toEqual([
      { role: 'system', content: 'polarity please' },
      { role: 'user', content: 'hello' },
    ]);
  });

  it('refuses past the daily budget without a request', async () => {
    const endpoint = endpointWith(1);
    await endpoint.complete({ system: 's', user: 'u' });
    expect(await endpoint.complete({ system: 's', user: 'u' })).toEqual({ ok: false, reason: 'daily budget exhausted' });
    expect(chat.requests).toHaveLength(1);
  });

  it('turns an error answer into a reason that does not carry the key, and never throws', async () => {
    status = 403;
    const result = await endpointWith(5).complete({ system: 's', user: 'u' });
    expect(result).toEqual({ ok: false, reason: 'endpoint error 403' });
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  });
});

describe('the chat request and its retries', () => {
  let replies: ChatReply[] = [];
  let scripted: ChatEndpoint;
  const content = JSON.stringify({ polarity: 'positive', confidence: 0.5 });

  beforeAll(async () => {
    scripted = await startChatEndpoint(() => replies.shift() ?? { content });
  });
  afterAll(() => scripted.close());
  beforeEach(() => {
    replies = [];
    scripted.requests.length = 0;
  });

  const scriptedEndpoint = (maxRetries: number) =>
    createLlmEndpoint({
      baseUrl: `${scripted.baseUrl}/`,
      apiKey: API_KEY,
      model: 'm',
      dailyBudget: 10,
      timeoutMs: 2_000,
      maxRetries,
      backoffMs: () => 0,
    });

  it('posts the model and both messages as JSON to {base}/chat/completions with the key as a Bearer token', async () => {
    await scriptedEndpoint(0).complete({ system: 's', user: 'u' });
    expect(scripted.requests).toHaveLength(1);
    expect(scripted.requests[0]?.path).toBe('/v1/chat/completions');
    expect(scripted.requests[0]?.authorization).toBe(`Bearer ${API_KEY}`);
    expect(scripted.requests[0]?.body).toMatchObject({ model: 'm', temperature: 0, response_format: { type: 'json_object' } });
  });

  it('waits the Retry-After a 429 names, then asks again within the one budgeted call', async () => {
    replies = [{ status: 429, message: 'slow down', headers: { 'retry-after': '1' } }];
    const endpoint = scriptedEndpoint(1);
    const started = Date.now();
    expect(await endpoint.complete({ system: 's', user: 'u' })).toEqual({ ok: true, content });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(scripted.requests).toHaveLength(2);
    expect(endpoint.callsToday()).toBe(1);
  });

  it('gives up at once on a Retry-After longer than a minute', async () => {
    replies = [{ status: 429, message: 'come back tomorrow', headers: { 'retry-after': '3600' } }];
    expect(await scriptedEndpoint(3).complete({ system: 's', user: 'u' })).toEqual({ ok: false, reason: 'endpoint error 429' });
    expect(scripted.requests).toHaveLength(1);
  });

  it('retries 5xx answers up to maxRetries and reports the last', async () => {
    replies = [500, 502, 503, 500].map((status) => ({ status, message: 'down' }));
    expect(await scriptedEndpoint(2).complete({ system: 's', user: 'u' })).toEqual({ ok: false, reason: 'endpoint error 503' });
    expect(scripted.requests).toHaveLength(3);
  });

  it('does not retry a refused request (4xx other than 408, 409 and 429)', async () => {
    replies = [{ status: 400, message: 'bad request' }];
    expect(await scriptedEndpoint(2).complete({ system: 's', user: 'u' })).toEqual({ ok: false, reason: 'endpoint error 400' });
    expect(scripted.requests).toHaveLength(1);
  });

  it('reports an answer that is not a chat completion as a failed call, without retrying', async () => {
    replies = [{ raw: '<html>proxy error</html>' }];
    expect(await scriptedEndpoint(2).complete({ system: 's', user: 'u' })).toEqual({ ok: false, reason: 'endpoint call failed' });
    replies = [{ raw: JSON.stringify({ choices: 'none' }) }];
    expect(await scriptedEndpoint(2).complete({ system: 's', user: 'u' })).toEqual({ ok: false, reason: 'endpoint call failed' });
    expect(scripted.requests).toHaveLength(2);
  });

  it('retries after a timeout and answers when the next attempt does', async () => {
    replies = ['hang'];
    const endpoint = createLlmEndpoint({
      baseUrl: scripted.baseUrl,
      apiKey: API_KEY,
      model: 'm',
      dailyBudget: 10,
      timeoutMs: 200,
      maxRetries: 1,
      backoffMs: () => 0,
    });
    expect(await endpoint.complete({ system: 's', user: 'u' })).toEqual({ ok: true, content });
    expect(scripted.requests).toHaveLength(2);
  });
});

describe('one endpoint behind both tiers', () => {
  const TEXT = 'Switched back to Cursor this morning; the new agent mode takes ages and I gave up on it.';
  const span = { start: TEXT.indexOf('Cursor'), end: TEXT.indexOf('Cursor') + 6 };

  it('spends one daily budget for aspects and sentiment together', async () => {
    const endpoint = endpointWith(2);
    const aspects = createLlmAspectTier({ endpoint });
    const sentiment = createLlmSentimentTier({ endpoint });
    const local = { label: 'neutral' as const, score: 0, confidence: 0.4 };

    expect((await aspects.refine(TEXT, span, 'cursor', [])).tier).toBe('llm');
    expect((await sentiment.refine(TEXT, [span], { slug: 'cursor', name: 'Cursor' }, local)).tier).toBe('llm');
    expect(endpoint.callsToday()).toBe(2);
    expect(aspects.callsToday()).toBe(2);

    // The budget is spent for both: another text goes unanswered by either tier.
    const other = `Later: ${TEXT}`;
    const otherSpan = { start: span.start + 7, end: span.end + 7 };
    expect(await sentiment.refine(other, [otherSpan], { slug: 'cursor', name: 'Cursor' }, local)).toEqual({
      result: local,
      tier: 'local',
      reason: 'daily budget exhausted',
    });
    expect(await aspects.refine(other, otherSpan, 'cursor', [])).toEqual({ findings: [], tier: 'rules', reason: 'daily budget exhausted' });
    expect(chat.requests).toHaveLength(2);

    // Cached answers still come back, at no cost.
    expect((await sentiment.refine(TEXT, [span], { slug: 'cursor', name: 'Cursor' }, local)).reason).toBe('cached');
    expect(endpoint.callsToday()).toBe(2);
  });
});
