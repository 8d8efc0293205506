import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach, vi } from 'vitest';
import { connection } from './connection.ts';

/** What the fake server answers a path with: a body, an HTTP status with an error body, no answer at all, or never. */
export type FakeAnswer<B> = B | number | 'unreachable' | 'hang' | Promise<B>;

export interface FakeServer<B> {
  /** Read when each request arrives, so a test may change it between requests. */
  answers: Record<string, FakeAnswer<B>>;
  /** Every request, in order: its path, with the query when `withQuery`. */
  requests: string[];
}

/**
 * A stand-in for the API behind `fetch` in the dashboard's hook tests, fresh for each test: each
 * path answers with what `answers` holds when the request arrives, `body` turning a body answer
 * into the JSON sent. After each test: the page unmounted, globals and timers restored, and the
 * connection store reachable again (ends any checking an unanswered request started).
 */
export function installFakeServer<B>({ withQuery, body }: { withQuery: boolean; body: (answer: B) => unknown }): FakeServer<B> {
  const server: FakeServer<B> = { answers: {}, requests: [] };
  beforeEach(() => {
    server.answers = {};
    server.requests = [];
    vi.stubGlobal('fetch', async (input: string) => {
      const url = new URL(input, 'http://dashboard.test');
      const path = withQuery ? url.pathname + url.search : url.pathname;
      server.requests.push(path);
      const answer = await server.answers[path];
      if (answer === undefined) throw new Error(`no answer set for ${path}`);
      if (answer === 'unreachable') throw new TypeError('Failed to fetch');
      if (answer === 'hang') return new Promise<Response>(() => {});
      if (typeof answer === 'number')
        return new Response(JSON.stringify({ error: { code: `http_${answer}`, message: `refused with ${answer}` } }), { status: answer });
      return new Response(JSON.stringify(body(answer)), { status: 200 });
    });
  });
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    vi.useRealTimers();
    connection.markReachable();
  });
  return server;
}
