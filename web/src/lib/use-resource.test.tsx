// @vitest-environment jsdom
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { act, cleanup, render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { adminRequest, ApiError, fetchJson } from '../api/client.ts';
import { createAdminSession } from './admin-session.ts';
import { connection } from './connection.ts';
import { installFakeServer } from './fake-server.ts';
import { createQueryClient, FRESH_MS, followChanges, RETRIES, shouldRetry } from './query-client.ts';
import { useResource } from './use-resource.ts';

/** The API behind `fetch`: each path (no query) answers a body string as `{ text }`. */
const server = installFakeServer<string>({ withQuery: false, body: (text) => ({ text }) });

/** The production defaults, but retries without the pause between them. */
const newClient = () => createQueryClient({ retryDelay: 0 });
const withClient = (client: QueryClient, children: ReactNode) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;

/** Shows the resource `/api/<resourceKey>` as the pages do: data, error, stale and loading, and a retry button. */
function Probe({ resourceKey, id = 'p' }: { resourceKey: string | null; id?: string }) {
  const resource = useResource(resourceKey, (signal) => fetchJson<{ text: string }>(`/api/${resourceKey}`, { signal }));
  return (
    <div>
      <p data-testid={`${id}-data`}>{resource.data?.text ?? 'none'}</p>
      <p data-testid={`${id}-error`}>{resource.error?.message ?? 'none'}</p>
      <p data-testid={`${id}-stale`}>{String(resource.stale)}</p>
      <p data-testid={`${id}-loading`}>{String(resource.loading)}</p>
      <button type="button" onClick={resource.retry}>
        retry {id}
      </button>
    </div>
  );
}

const text = (id: string) => screen.getByTestId(id).textContent;
const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));
/** Waits until `check` holds (answers and retries take a few turns of the event loop). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !check(); i++) await settle();
  expect(check()).toBe(true);
}

describe('useResource: what a page shows while keys change and loads fail', () => {
  it("drops the previous window's data when the new window fails, instead of showing it under the new labels", async () => {
    server.answers = { '/api/30d': 'thirty days of data', '/api/90d': 'unreachable', '/api/1y': 'hang' };
    const client = newClient();
    const { rerender } = render(withClient(client, <Probe resourceKey="30d" />));
    await until(() => text('p-data') === 'thirty days of data');

    rerender(withClient(client, <Probe resourceKey="90d" />));
    // While the new window loads (and is tried again), the old one stays, dimmed.
    expect(text('p-data')).toBe('thirty days of data');
    expect(text('p-loading')).toBe('true');
    await until(() => text('p-error') !== 'none');
    expect(text('p-error')).toContain('could not reach the server');
    expect(text('p-data')).toBe('none');
    expect(text('p-stale')).toBe('false');
    // Tried again before giving up, as an unreachable server may answer next time.
    expect(server.requests.filter((path) => path === '/api/90d')).toHaveLength(1 + RETRIES);

    // Nor does it come back to stand in while a third window loads.
    rerender(withClient(client, <Probe resourceKey="1y" />));
    await settle();
    expect(text('p-data')).toBe('none');
    expect(text('p-loading')).toBe('true');
  });

  it('keeps the data of the same key when a reload of it fails, says it is stale, and not once it loads', async () => {
    server.answers = { '/api/30d': 'thirty days of data' };
    render(withClient(newClient(), <Probe resourceKey="30d" />));
    await until(() => text('p-data') === 'thirty days of data');
    expect(text('p-stale')).toBe('false');

    server.answers['/api/30d'] = 503;
    act(() => screen.getByText('retry p').click());
    await until(() => text('p-error') !== 'none');
    expect(text('p-error')).toBe('refused with 503');
    expect(text('p-data')).toBe('thirty days of data');
    expect(text('p-stale')).toBe('true');

    let answer = (_: string) => {};
    server.answers['/api/30d'] = new Promise<string>((resolve) => (answer = resolve));
    act(() => screen.getByText('retry p').click());
    await settle();
    // Trying again clears the error and dims the stale data until the answer.
    expect(text('p-error')).toBe('none');
    expect(text('p-stale')).toBe('false');
    expect(text('p-loading')).toBe('true');
    expect(text('p-data')).toBe('thirty days of data');
    answer('fresh data');
    await until(() => text('p-data') === 'fresh data');
    expect(text('p-stale')).toBe('false');
    expect(text('p-loading')).toBe('false');
  });

  it('loads again by itself when the server comes back, but not after a refused request', async () => {
    server.answers = { '/api/a': 'unreachable', '/api/b': 400 };
    const client = newClient();
    render(withClient(client, <Probe resourceKey="a" />));
    await until(() => text('p-error') !== 'none');
    expect(connection.get().reachable).toBe(false);
    server.answers['/api/a'] = 'back again';
    act(() => connection.markReachable());
    await until(() => text('p-data') === 'back again');
    cleanup();

    render(withClient(client, <Probe resourceKey="b" />));
    await until(() => text('p-error') !== 'none');
    expect(connection.get().reachable).toBe(true);
    act(() => {
      connection.markUnreachable();
      connection.markReachable();
    });
    await settle();
    expect(server.requests.filter((path) => path === '/api/b')).toHaveLength(1);
    expect(text('p-error')).toBe('refused with 400');
  });
});

describe('useResource: the cache across pages and components', () => {
  it('shows a page come back to at once from the cache, with no request while the answer is fresh', async () => {
    server.answers = { '/api/overview': 'the overview' };
    const client = newClient();
    render(withClient(client, <Probe resourceKey="overview" />));
    await until(() => text('p-data') === 'the overview');
    cleanup(); // navigated away

    server.answers['/api/overview'] = 'hang';
    render(withClient(client, <Probe resourceKey="overview" />));
    // On the first render, before any answer could arrive.
    expect(text('p-data')).toBe('the overview');
    expect(text('p-loading')).toBe('false');
    await settle();
    expect(server.requests).toEqual(['/api/overview']);
  });

  it('asks again behind the cached answer once it is stale, without dimming it, and shows the new one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    server.answers = { '/api/overview': 'the overview' };
    const client = newClient();
    render(withClient(client, <Probe resourceKey="overview" />));
    await until(() => text('p-data') === 'the overview');
    cleanup();

    vi.setSystemTime(Date.now() + FRESH_MS + 1_000);
    server.answers['/api/overview'] = 'the overview, a minute later';
    render(withClient(client, <Probe resourceKey="overview" />));
    expect(text('p-data')).toBe('the overview');
    expect(text('p-loading')).toBe('false');
    await until(() => text('p-data') === 'the overview, a minute later');
    expect(server.requests).toEqual(['/api/overview', '/api/overview']);
  });

  it('makes one request for two components asking for the same resource, and none for a third that comes later', async () => {
    server.answers = { '/api/sources': 'the sources' };
    const client = newClient();
    const { rerender } = render(
      withClient(
        client,
        <>
          <Probe resourceKey="sources" id="select" />
          <Probe resourceKey="sources" id="hint" />
        </>,
      ),
    );
    await until(() => text('select-data') === 'the sources' && text('hint-data') === 'the sources');
    rerender(
      withClient(
        client,
        <>
          <Probe resourceKey="sources" id="select" />
          <Probe resourceKey="sources" id="hint" />
          <Probe resourceKey="sources" id="page" />
        </>,
      ),
    );
    expect(text('page-data')).toBe('the sources');
    await settle();
    expect(server.requests).toEqual(['/api/sources']);
  });

  // An unreachable server is tried twice more too (the first case above counts it).
  it('does not try a 4xx again, but tries a 5xx twice more', async () => {
    server.answers = { '/api/missing': 404, '/api/busy': 503 };
    render(
      withClient(
        newClient(),
        <>
          <Probe resourceKey="missing" id="missing" />
          <Probe resourceKey="busy" id="busy" />
        </>,
      ),
    );
    await until(() => ['missing', 'busy'].every((id) => text(`${id}-error`) !== 'none'));
    const count = (path: string) => server.requests.filter((p) => p === path).length;
    expect([count('/api/missing'), count('/api/busy')]).toEqual([1, 1 + RETRIES]);
    expect(text('missing-error')).toBe('refused with 404');
  });

  it('cancels the request of a key no component wants any more', async () => {
    server.answers = { '/api/30d': 'hang', '/api/90d': 'ninety days' };
    const signals: AbortSignal[] = [];
    const original = globalThis.fetch;
    vi.stubGlobal('fetch', (input: string, init?: RequestInit) => {
      if (init?.signal) signals.push(init.signal);
      return original(input, init);
    });
    const client = newClient();
    const { rerender } = render(withClient(client, <Probe resourceKey="30d" />));
    await settle();
    rerender(withClient(client, <Probe resourceKey="90d" />));
    await until(() => text('p-data') === 'ninety days');
    expect(signals[0]?.aborted).toBe(true);
    expect(text('p-error')).toBe('none');
  });

  it('after a change made from this tab, loads what is shown again and forgets the rest; on sign-out forgets what no page shows', async () => {
    server.answers = { '/api/entities': 'three entities', '/api/alerts': 'two rules', '/api/overview': 'the overview' };
    const client = newClient();
    const session = createAdminSession(null);
    session.signIn('token');
    const stop = followChanges(client, session);
    const { rerender } = render(
      withClient(
        client,
        <>
          <Probe resourceKey="entities" id="list" />
          <Probe resourceKey="alerts" id="rules" />
        </>,
      ),
    );
    await until(() => text('list-data') === 'three entities' && text('rules-data') === 'two rules');
    // A page seen before, not shown now.
    await client.fetchQuery({ queryKey: ['overview'], queryFn: () => fetchJson('/api/overview') });
    expect(client.getQueryData(['overview'])).toEqual({ text: 'the overview' });

    server.answers['/api/entities'] = 'four entities';
    vi.stubGlobal('fetch', async (input: string) => {
      server.requests.push(new URL(input, 'http://dashboard.test').pathname);
      return input.endsWith('/api/v1/entities')
        ? new Response('{"slug":"quill"}', { status: 201 })
        : new Response(JSON.stringify({ text: server.answers['/api/entities'] }), { status: 200 });
    });
    await act(() => adminRequest('POST', '/api/v1/entities', 'token', { slug: 'quill' }));
    await until(() => text('list-data') === 'four entities');
    expect(client.getQueryData(['overview'])).toBeUndefined();

    rerender(withClient(client, <Probe resourceKey="entities" id="list" />));
    act(() => session.signOut());
    await settle();
    expect(client.getQueryData(['alerts'])).toBeUndefined();
    expect(client.getQueryData(['entities'])).toEqual({ text: 'four entities' });
    stop();
  });
});

describe('shouldRetry', () => {
  it('tries again only when the server did not answer or failed itself, at most twice', () => {
    expect(shouldRetry(0, new ApiError(0, 'network', 'no answer'))).toBe(true);
    expect(shouldRetry(1, new ApiError(502, 'http_502', 'bad gateway'))).toBe(true);
    expect(shouldRetry(2, new ApiError(500, 'http_500', 'broken'))).toBe(false);
    for (const status of [400, 401, 403, 404, 429]) expect(shouldRetry(0, new ApiError(status, 'x', 'refused'))).toBe(false);
    expect(shouldRetry(0, new Error('a bug'))).toBe(false);
  });
});
