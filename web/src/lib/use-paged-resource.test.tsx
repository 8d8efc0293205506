// @vitest-environment jsdom
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { act, cleanup, render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { fetchJson } from '../api/client.ts';
import { connection } from './connection.ts';
import { installFakeServer } from './fake-server.ts';
import { createQueryClient, FRESH_MS, RETRIES } from './query-client.ts';
import { usePagedResource, type Page } from './use-paged-resource.ts';

/** The API behind `fetch`: each path and query (`/api/a`, `/api/a?cursor=2`) answers a page. */
const server = installFakeServer<Page<string>>({ withQuery: true, body: (page) => page });

const page = (items: string[], nextCursor: string | null = null): Page<string> => ({ items, nextCursor });
/** Entity a's feed in three pages. */
const feedA = () => ({
  '/api/a': page(['a1', 'a2'], '2'),
  '/api/a?cursor=2': page(['a3', 'a4'], '3'),
  '/api/a?cursor=3': page(['a5']),
});

const newClient = () => createQueryClient({ retryDelay: 0 });
const withClient = (client: QueryClient, children: ReactNode) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;

/** Shows the paged resource `/api/<feed>` as the feeds do: items, the first page's state, and the next page's. */
function Probe({ feed }: { feed: string | null }) {
  const posts = usePagedResource(feed, (cursor, signal) =>
    fetchJson<Page<string>>(`/api/${feed}${cursor === null ? '' : `?cursor=${cursor}`}`, { signal }),
  );
  return (
    <div>
      <p data-testid="items">{posts.items.join(',')}</p>
      <p data-testid="first">{posts.data?.items.join(',') ?? 'none'}</p>
      <p data-testid="error">{posts.error?.message ?? 'none'}</p>
      <p data-testid="loading">{String(posts.loading)}</p>
      <p data-testid="stale">{String(posts.stale)}</p>
      <p data-testid="has-more">{String(posts.hasMore)}</p>
      <p data-testid="loading-more">{String(posts.loadingMore)}</p>
      <p data-testid="more-error">{posts.moreError?.message ?? 'none'}</p>
      <button type="button" onClick={posts.loadMore}>
        more
      </button>
      <button type="button" onClick={posts.retry}>
        retry
      </button>
    </div>
  );
}

const text = (id: string) => screen.getByTestId(id).textContent;
const click = (name: string) => act(() => screen.getByText(name).click());
const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !check(); i++) await settle();
  expect(check()).toBe(true);
}
const count = (path: string) => server.requests.filter((p) => p === path).length;

describe('usePagedResource: loading more', () => {
  it('appends each page after the ones loaded, in order, and offers no more after the last', async () => {
    server.answers = feedA();
    render(withClient(newClient(), <Probe feed="a" />));
    await until(() => text('items') === 'a1,a2');
    expect(text('has-more')).toBe('true');

    let answer = (_: Page<string>) => {};
    server.answers['/api/a?cursor=2'] = new Promise((resolve) => (answer = resolve));
    click('more');
    await settle();
    // The next page loading is not the first page loading: the list is not dimmed.
    expect(text('loading-more')).toBe('true');
    expect(text('loading')).toBe('false');
    // A second click while it loads asks nothing more.
    click('more');
    await settle();
    expect(count('/api/a?cursor=2')).toBe(1);
    answer(page(['a3', 'a4'], '3'));
    await until(() => text('items') === 'a1,a2,a3,a4');
    expect(text('loading-more')).toBe('false');

    click('more');
    await until(() => text('items') === 'a1,a2,a3,a4,a5');
    expect(text('has-more')).toBe('false');
    expect(text('first')).toBe('a1,a2');
    click('more');
    await settle();
    expect(server.requests).toEqual(['/api/a', '/api/a?cursor=2', '/api/a?cursor=3']);
  });

  it("starts a new key from its first page, showing the old key's pages only while it loads", async () => {
    server.answers = { ...feedA(), '/api/c': 404 };
    const client = newClient();
    const { rerender } = render(withClient(client, <Probe feed="a" />));
    await until(() => text('items') === 'a1,a2');
    click('more');
    await until(() => text('items') === 'a1,a2,a3,a4');

    let answer = (_: Page<string>) => {};
    server.answers['/api/b'] = new Promise((resolve) => (answer = resolve));
    rerender(withClient(client, <Probe feed="b" />));
    // The old pages stay, dimmed, but loading more of them under the new key is not offered.
    expect(text('items')).toBe('a1,a2,a3,a4');
    expect(text('loading')).toBe('true');
    expect(text('has-more')).toBe('false');
    click('more');
    answer(page(['b1', 'b2'], '2'));
    await until(() => text('items') === 'b1,b2');
    expect(text('loading')).toBe('false');
    expect(text('has-more')).toBe('true');
    expect(server.requests).toEqual(['/api/a', '/api/a?cursor=2', '/api/b']);

    // A key whose first page fails shows none of another key's items.
    rerender(withClient(client, <Probe feed="c" />));
    await until(() => text('error') !== 'none');
    expect(text('error')).toBe('refused with 404');
    expect(text('items')).toBe('');
    expect(text('first')).toBe('none');
    expect(text('has-more')).toBe('false');
    // Nor do b's come back to stand in while the next key loads.
    server.answers['/api/d'] = 'hang';
    rerender(withClient(client, <Probe feed="d" />));
    await settle();
    expect(text('items')).toBe('');
    expect(text('loading')).toBe('true');
  });

  it('keeps the pages loaded when the next one fails, says so apart from the first page, and loads it on retry', async () => {
    server.answers = { ...feedA(), '/api/a?cursor=2': 503 };
    render(withClient(newClient(), <Probe feed="a" />));
    await until(() => text('items') === 'a1,a2');
    click('more');
    await until(() => text('more-error') !== 'none');
    expect(text('more-error')).toBe('refused with 503');
    // Tried again before giving up, as for a first page.
    expect(count('/api/a?cursor=2')).toBe(1 + RETRIES);
    expect(text('items')).toBe('a1,a2');
    expect(text('error')).toBe('none');
    expect(text('stale')).toBe('false');
    expect(text('loading')).toBe('false');
    expect(text('has-more')).toBe('true');

    server.answers['/api/a?cursor=2'] = page(['a3', 'a4'], '3');
    click('more');
    await settle();
    expect(text('more-error')).toBe('none');
    await until(() => text('items') === 'a1,a2,a3,a4');
    expect(text('more-error')).toBe('none');
    expect(server.requests.filter((p) => p === '/api/a')).toHaveLength(1);
  });

  it('does not try a refused next page again; one that failed for want of the server loads when it comes back', async () => {
    server.answers = { ...feedA(), '/api/a?cursor=2': 400 };
    render(withClient(newClient(), <Probe feed="a" />));
    await until(() => text('items') === 'a1,a2');
    click('more');
    await until(() => text('more-error') !== 'none');
    expect(count('/api/a?cursor=2')).toBe(1);
    expect(connection.get().reachable).toBe(true);
    act(() => {
      connection.markUnreachable();
      connection.markReachable();
    });
    await settle();
    expect(count('/api/a?cursor=2')).toBe(1);

    server.answers['/api/a?cursor=2'] = 'unreachable';
    click('more');
    await until(() => text('more-error') !== 'none' && count('/api/a?cursor=2') === 2 + RETRIES);
    expect(text('more-error')).toContain('could not reach the server');
    expect(connection.get().reachable).toBe(false);
    server.answers['/api/a?cursor=2'] = page(['a3', 'a4'], '3');
    act(() => connection.markReachable());
    await until(() => text('items') === 'a1,a2,a3,a4');
    expect(text('more-error')).toBe('none');
  });

  it('loads a first page that failed for want of the server when it comes back', async () => {
    server.answers = { '/api/a': 'unreachable' };
    render(withClient(newClient(), <Probe feed="a" />));
    await until(() => text('error') !== 'none');
    expect(connection.get().reachable).toBe(false);
    expect(count('/api/a')).toBe(1 + RETRIES);
    server.answers = feedA();
    act(() => connection.markReachable());
    await until(() => text('items') === 'a1,a2');
    expect(text('error')).toBe('none');
  });
});

describe('usePagedResource: the cache across pages', () => {
  it('shows a feed come back to with every page loaded before, at once and with no request while fresh', async () => {
    server.answers = feedA();
    const client = newClient();
    render(withClient(client, <Probe feed="a" />));
    await until(() => text('items') === 'a1,a2');
    click('more');
    await until(() => text('items') === 'a1,a2,a3,a4');
    cleanup(); // navigated away

    for (const path of Object.keys(server.answers)) server.answers[path] = 'hang';
    render(withClient(client, <Probe feed="a" />));
    // On the first render, before any answer could arrive.
    expect(text('items')).toBe('a1,a2,a3,a4');
    expect(text('loading')).toBe('false');
    expect(text('has-more')).toBe('true');
    await settle();
    expect(server.requests).toEqual(['/api/a', '/api/a?cursor=2']);
  });

  it('once stale, loads every page again from the first behind the ones shown; Load more meanwhile follows them', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    server.answers = feedA();
    const client = newClient();
    render(withClient(client, <Probe feed="a" />));
    await until(() => text('items') === 'a1,a2');
    click('more');
    await until(() => text('items') === 'a1,a2,a3,a4');
    cleanup();

    vi.setSystemTime(Date.now() + FRESH_MS + 1_000);
    let answer = (_: Page<string>) => {};
    server.answers['/api/a'] = new Promise((resolve) => (answer = resolve));
    server.answers['/api/a?cursor=2'] = page(['a3 edited', 'a4'], '3');
    render(withClient(client, <Probe feed="a" />));
    expect(text('items')).toBe('a1,a2,a3,a4');
    expect(text('loading')).toBe('false');
    await settle();
    click('more');
    await settle();
    // The reload is not cancelled, and the next page waits for it.
    expect(count('/api/a?cursor=3')).toBe(0);
    answer(page(['a0', 'a1', 'a2'], '2'));
    await until(() => text('items') === 'a0,a1,a2,a3 edited,a4,a5');
    expect(server.requests.slice(2)).toEqual(['/api/a', '/api/a?cursor=2', '/api/a?cursor=3']);
  });
});
