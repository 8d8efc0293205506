import { useCallback, useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();

function subscribeToLocation(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

const readLocation = (): string => window.location.pathname + window.location.search;

const readScroll = (state: unknown): number | null =>
  typeof state === 'object' && state !== null && typeof (state as { scrollY?: unknown }).scrollY === 'number'
    ? (state as { scrollY: number }).scrollY
    : null;

/** Moves to another URL of the app; pushes a history entry unless `replace`. The entry left keeps its scroll position for back. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === readLocation()) return;
  if (options.replace) window.history.replaceState(window.history.state, '', to);
  else {
    window.history.replaceState({ scrollY: window.scrollY }, '');
    window.history.pushState(null, '', to);
  }
  for (const listener of listeners) listener();
}

/**
 * Back and forward return to where the reader was on that page. The page loads its data after the
 * URL changes, so the position is tried again for a few seconds until the page is long enough
 * (or the reader scrolls). Returns the function that stops it.
 */
export function restoreScrollOnHistory(): () => void {
  if ('scrollRestoration' in window.history) window.history.scrollRestoration = 'manual';
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  const onPop = (event: PopStateEvent) => {
    stop();
    const y = readScroll(event.state) ?? 0;
    const started = Date.now();
    const attempt = () => {
      window.scrollTo(0, y);
      if (Math.abs(window.scrollY - y) < 2 || Date.now() - started > 3000) stop();
    };
    attempt();
    if (timer === undefined && Math.abs(window.scrollY - y) >= 2) timer = setInterval(attempt, 100);
  };
  window.addEventListener('popstate', onPop);
  window.addEventListener('wheel', stop, { passive: true });
  window.addEventListener('keydown', stop);
  return () => {
    stop();
    window.removeEventListener('popstate', onPop);
    window.removeEventListener('wheel', stop);
    window.removeEventListener('keydown', stop);
  };
}

export interface AppLocation {
  path: string;
  query: URLSearchParams;
}

/** The current path and query; re-renders on navigate() and on back/forward. */
export function useLocation(): AppLocation {
  const href = useSyncExternalStore(subscribeToLocation, readLocation, readLocation);
  const url = new URL(href, 'http://local');
  return { path: url.pathname, query: url.searchParams };
}

export type QueryPatch = Record<string, string | number | null | undefined | readonly string[]>;

/** A query string with `patch` applied: null, undefined, '' and [] remove a key; arrays are comma-joined. */
export function applyQueryPatch(search: string, patch: QueryPatch): string {
  const params = new URLSearchParams(search);
  for (const [key, value] of Object.entries(patch)) {
    const text = Array.isArray(value) ? value.join(',') : value === null || value === undefined ? '' : String(value);
    if (text === '') params.delete(key);
    else params.set(key, text);
  }
  params.sort();
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** Builds an app link: a path plus query parameters (empty ones dropped). */
export function buildHref(path: string, patch: QueryPatch = {}): string {
  return path + applyQueryPatch('', patch);
}

/**
 * The query string as state: read with `query.get(...)`, change with `setQuery({ key: value })`.
 * Each change is a history entry (back undoes it) unless `replace` is set, e.g. while typing.
 */
export function useUrlState(): [URLSearchParams, (patch: QueryPatch, options?: { replace?: boolean }) => void] {
  const { query } = useLocation();
  const setQuery = useCallback((patch: QueryPatch, options: { replace?: boolean } = {}) => {
    navigate(window.location.pathname + applyQueryPatch(window.location.search, patch), options);
  }, []);
  return [query, setQuery];
}
