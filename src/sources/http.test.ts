import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { maxRequestsInWindow, startFakeUpstream, type FakeUpstream } from '../../test/support/fake-upstream.ts';
import { HttpClient, redactUrl, UpstreamError } from './http.ts';

let upstream: FakeUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

const Envelope = z.object({ items: z.array(z.number()) });
const fastClient = (url: string, extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) =>
  new HttpClient({ baseUrl: url, rateLimit: { minTimeMs: 0 }, minRetryDelayMs: 10, maxRetryDelayMs: 50, timeoutMs: 500, ...extra });

describe('HttpClient', () => {
  it('sends a descriptive User-Agent and query parameters', async () => {
    upstream = await startFakeUpstream(() => ({ body: { items: [1] } }));
    const data = await fastClient(upstream.url).json('/search', Envelope, { query: { q: 'claude code', tags: ['a', 'b'] } });
    expect(data.items).toEqual([1]);
    const [request] = upstream.requests;
    expect(request?.headers['user-agent']).toMatch(/^vibecheck\/\d+\.\d+\.\d+ /);
    expect(request?.query.get('q')).toBe('claude code');
    expect(request?.query.getAll('tags')).toEqual(['a', 'b']);
  });

  it('waits for Retry-After on a 429 before retrying', async () => {
    upstream = await startFakeUpstream(() => ({ body: { items: [2] } }));
    upstream.queue({ status: 429, headers: { 'retry-after': '1' }, body: 'slow down' });
    const data = await fastClient(upstream.url).json('/x', Envelope);
    expect(data.items).toEqual([2]);
    const [first, second] = upstream.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('waits the longer of Retry-After and its own backoff, never their sum', async () => {
    upstream = await startFakeUpstream(() => ({ body: { items: [2] } }));
    upstream.queue({ status: 429, headers: { 'retry-after': '2' } });
    // A backoff of 1 s: added to Retry-After, the retry would come 3 s later.
    await fastClient(upstream.url, { minRetryDelayMs: 1_000, maxRetryDelayMs: 1_000 }).json('/x', Envelope);
    const [first, second] = upstream.requests;
    const gap = (second?.at ?? 0) - (first?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(1_950);
    expect(gap).toBeLessThan(2_900);
  });

  it('retries 5xx and timeouts, then succeeds', async () => {
    upstream = await startFakeUpstream(() => ({ body: { items: [3] } }));
    upstream.queue({ status: 500, body: 'boom' }, { delayMs: 1_000, body: { items: [9] } }, { status: 503 });
    const data = await fastClient(upstream.url).json('/x', Envelope);
    expect(data.items).toEqual([3]);
    expect(upstream.requests).toHaveLength(4);
  });

  it('gives up after the retry budget with the last status in the error', async () => {
    upstream = await startFakeUpstream(() => ({ status: 502, body: 'bad gateway' }));
    const error = await fastClient(upstream.url, { retries: 2 })
      .json('/x', Envelope)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).status).toBe(502);
    expect(upstream.requests).toHaveLength(3);
  });

  it('does not retry a 404 or a 401', async () => {
    upstream = await startFakeUpstream(() => ({ status: 404, body: 'nope' }));
    await expect(fastClient(upstream.url).request('/x')).rejects.toThrow(/HTTP 404/);
    expect(upstream.requests).toHaveLength(1);
  });

  it('reports truncated JSON and a wrong shape precisely, without retrying', async () => {
    upstream = await startFakeUpstream(() => ({ body: '{"items":[1,2' }));
    await expect(fastClient(upstream.url).json('/x', Envelope)).rejects.toThrow(/malformed JSON/);
    upstream.setHandler(() => ({ body: { items: ['a'] } }));
    await expect(fastClient(upstream.url).json('/x', Envelope)).rejects.toThrow(/unexpected response shape at items\.0/);
    expect(upstream.requests).toHaveLength(2);
  });

  it('fails fast when Retry-After is longer than it is willing to wait', async () => {
    upstream = await startFakeUpstream(() => ({ status: 429, headers: { 'retry-after': '3600' } }));
    const error = await fastClient(upstream.url)
      .request('/x')
      .catch((e: unknown) => e);
    expect((error as UpstreamError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/Retry-After 3600 s exceeds/);
    expect(upstream.requests).toHaveLength(1);
  });

  it('spaces requests to stay inside the rate limit', async () => {
    upstream = await startFakeUpstream(() => ({ body: { items: [] } }));
    const client = fastClient(upstream.url, { rateLimit: { minTimeMs: 200 } });
    await Promise.all(Array.from({ length: 6 }, () => client.request('/x')));
    // Arrival times jitter around the 200 ms spacing the client keeps at its end (more on a busy machine).
    expect(maxRequestsInWindow(upstream.requests, 100)).toBe(1);
    const span = (upstream.requests.at(-1)?.at ?? 0) - (upstream.requests[0]?.at ?? 0);
    expect(span).toBeGreaterThanOrEqual(5 * 150);
  });
});

describe('redactUrl', () => {
  it('hides key-like query parameters', () => {
    expect(redactUrl('https://api.x/2.3/search?site=so&key=abc123&page=2')).toBe('https://api.x/2.3/search?site=so&key=REDACTED&page=2');
  });
});
