import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLlmAspectTier } from '../aspects/llm-tier.ts';
import { createLlmSentimentTier } from '../sentiment/llm-tier.ts';
import { createLlmEndpoint } from './endpoint.ts';

const API_KEY = 'sk-endpoint-test-secret-1122334455';
let server: Server;
let baseUrl = '';
let status = 200;
const bodies: { messages: { role: string; content: string }[] }[] = [];

/** Answers an aspect prompt with an aspect list and a sentiment prompt with a polarity. */
function answerFor(system: string): string {
  return system.includes('"aspects"')
    ? JSON.stringify({ aspects: [{ aspect: 'speed', polarity: 'negative', evidence: 'takes ages' }] })
    : JSON.stringify({ polarity: 'negative', confidence: 0.75 });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { messages: { role: string; content: string }[] };
      bodies.push(body);
      res.writeHead(status, { 'content-type': 'application/json' });
      if (status !== 200) return res.end(JSON.stringify({ error: { message: `rejected ${req.headers.authorization ?? ''}` } }));
      const content = answerFor(body.messages[0]?.content ?? '');
      res.end(JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  status = 200;
  bodies.length = 0;
});

const endpointWith = (dailyBudget: number) =>
  createLlmEndpoint({ baseUrl, apiKey: API_KEY, model: 'm', dailyBudget, timeoutMs: 2_000, maxRetries: 0 });

describe('createLlmEndpoint', () => {
  it('returns the answer and counts one call per request', async () => {
    const endpoint = endpointWith(5);
    expect(await endpoint.complete({ system: 'polarity please', user: 'hello' })).toEqual({ ok: true, content: JSON.stringify({ polarity: 'negative', confidence: 0.75 }) });
    expect(endpoint.model).toBe('m');
    expect(endpoint.callsToday()).toBe(1);
    expect(bodies[0]?.messages).toEqual([
      { role: 'system', content: 'polarity please' },
      { role: 'user', content: 'hello' },
    ]);
  });

  it('refuses past the daily budget without a request', async () => {
    const endpoint = endpointWith(1);
    await endpoint.complete({ system: 's', user: 'u' });
    expect(await endpoint.complete({ system: 's', user: 'u' })).toEqual({ ok: false, reason: 'daily budget exhausted' });
    expect(bodies).toHaveLength(1);
  });

  it('turns an error answer into a reason that does not carry the key, and never throws', async () => {
    status = 403;
    const result = await endpointWith(5).complete({ system: 's', user: 'u' });
    expect(result).toEqual({ ok: false, reason: 'endpoint error 403' });
    expect(JSON.stringify(result)).not.toContain(API_KEY);
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
    expect(await sentiment.refine(other, [otherSpan], { slug: 'cursor', name: 'Cursor' }, local)).toEqual({ result: local, tier: 'local', reason: 'daily budget exhausted' });
    expect(await aspects.refine(other, otherSpan, 'cursor', [])).toEqual({ findings: [], tier: 'rules', reason: 'daily budget exhausted' });
    expect(bodies).toHaveLength(2);

    // Cached answers still come back, at no cost.
    expect((await sentiment.refine(TEXT, [span], { slug: 'cursor', name: 'Cursor' }, local)).reason).toBe('cached');
    expect(endpoint.callsToday()).toBe(2);
  });
});
