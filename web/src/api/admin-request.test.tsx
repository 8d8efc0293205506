// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { adminErrorMessage, adminRequest, ApiError } from './client.ts';

const TOKEN = 'secret-admin-token';

/** A fetch that records what it was asked and answers `status` with `body` and `headers`. */
function answering(status: number, body: string | null, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetch = async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    return new Response(body, { status, headers });
  };
  return { calls, fetch };
}

const errorBody = (code: string, message: string) => JSON.stringify({ error: { code, message } });

describe('adminRequest', () => {
  it('sends the token as a bearer header with a JSON body, never in the URL, and returns the answer', async () => {
    const server = answering(201, '{"slug":"quill"}');
    const created = await adminRequest('POST', '/api/v1/entities', TOKEN, { slug: 'quill' }, { fetch: server.fetch });
    expect(created).toEqual({ slug: 'quill' });
    const [call] = server.calls;
    expect(call?.url).toBe('/api/v1/entities');
    expect(call?.init?.method).toBe('POST');
    expect(call?.init?.headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' });
    expect(call?.init?.body).toBe('{"slug":"quill"}');
  });

  it('resolves a 204 to undefined', async () => {
    expect(await adminRequest('DELETE', '/api/v1/alerts/3', TOKEN, undefined, { fetch: answering(204, null).fetch })).toBeUndefined();
  });

  it.each([
    [401, 'unauthorized', /sign in with the admin token/i],
    [403, 'forbidden', /admin token was refused.*nothing was changed/i],
  ])('turns %i into a message that says what to do, keeping the code', async (status, code, message) => {
    const error = await adminRequest('POST', '/x', TOKEN, {}, { fetch: answering(status, errorBody(code, 'server words')).fetch }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status, code });
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(TOKEN);
  });

  it('says how long to wait after a 429, from Retry-After', async () => {
    const server = answering(429, errorBody('rate_limited', 'too many'), { 'content-type': 'application/json', 'retry-after': '300' });
    const error = await adminRequest('POST', '/x', TOKEN, {}, { fetch: server.fetch }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryable: true });
    expect((error as Error).message).toMatch(/Too many attempts.*Try again in 5 min/);
  });

  it("keeps the server's message for a bad request or a conflict (it names the field)", async () => {
    const error = await adminRequest(
      'POST',
      '/x',
      TOKEN,
      {},
      { fetch: answering(409, errorBody('conflict', 'an entity with slug "cursor" already exists')).fetch },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 409, code: 'conflict', message: 'an entity with slug "cursor" already exists' });
  });

  it('reports an unreachable server as status 0 and says nothing was sent', async () => {
    const error = await adminRequest(
      'POST',
      '/x',
      TOKEN,
      {},
      {
        fetch: async () => {
          throw new TypeError('Failed to fetch');
        },
      },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0, code: 'network' });
    expect((error as Error).message).toMatch(/nothing was sent/);
  });
});

describe('adminErrorMessage', () => {
  it('words a short and a missing Retry-After', () => {
    expect(adminErrorMessage(429, '', '7')).toContain('Try again in 7 s.');
    expect(adminErrorMessage(429, '', null)).toContain('Try again later.');
  });
});
