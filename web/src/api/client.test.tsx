// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { api, ApiError, buildApiUrl, fetchJson } from './client.ts';

const respond =
  (status: number, body: string, contentType = 'application/json') =>
  async () =>
    new Response(body, { status, headers: { 'content-type': contentType } });

describe('fetchJson', () => {
  it('returns the parsed body of a 200', async () => {
    expect(await fetchJson('/api/v1/entities', { fetch: respond(200, '{"items":[]}') })).toEqual({ items: [] });
  });

  it('turns a documented error body into an ApiError with its status, code and message', async () => {
    const error = await fetchJson('/x', {
      fetch: respond(400, '{"error":{"code":"invalid_parameter","message":"bucket: expected hour, day, week or month"}}'),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'invalid_parameter',
      message: 'bucket: expected hour, day, week or month',
      retryable: false,
    });
  });

  it('turns a non-JSON error page (a proxy 502) into an ApiError worth retrying', async () => {
    const error = await fetchJson('/x', { fetch: respond(502, '<html>Bad gateway</html>', 'text/html') }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: 'http_502', retryable: true });
  });

  it('turns a JSON error of another shape into a generic ApiError', async () => {
    const error = await fetchJson('/x', { fetch: respond(500, '{"oops":true}') }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 500, code: 'http_500' });
  });

  it('reports a refused connection as status 0, retryable', async () => {
    const error = await fetchJson('/x', {
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0, code: 'network', retryable: true });
    expect((error as Error).message).toContain('Failed to fetch');
  });

  it('passes an abort through unchanged so a superseded request is not shown as an error', async () => {
    const controller = new AbortController();
    controller.abort();
    const abortError = new DOMException('aborted', 'AbortError');
    const error = await fetchJson('/x', {
      signal: controller.signal,
      fetch: async () => {
        throw abortError;
      },
    }).catch((e: unknown) => e);
    expect(error).toBe(abortError);
  });
});

describe('request building', () => {
  it('drops empty parameters and encodes the rest', () => {
    expect(buildApiUrl('/api/v1/compare', { entities: 'a,b', source: undefined, q: '', bucket: 'week' })).toBe(
      '/api/v1/compare?entities=a%2Cb&bucket=week',
    );
  });

  it('asks for the series path of the entity with the window', async () => {
    let asked = '';
    await api.getSentiment(
      'claude-code',
      { from: '2026-01-01', to: '2026-02-01', bucket: 'day', source: 'hn' },
      {
        fetch: async (url) => {
          asked = url;
          return new Response('{"series":[]}', { status: 200 });
        },
      },
    );
    expect(asked).toBe('/api/v1/entities/claude-code/sentiment?from=2026-01-01&to=2026-02-01&bucket=day&source=hn');
  });
});
