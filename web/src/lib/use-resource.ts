import { QueryClientContext, useQuery } from '@tanstack/react-query';
import { useCallback, useContext, useEffect, useMemo, useRef } from 'react';
import { ApiError } from '../api/client.ts';
import { connection, useConnection } from './connection.ts';
import { queryClient } from './query-client.ts';

export interface Resource<T> {
  /**
   * The last answer for the current key, or the previous key's while the new one loads (pages dim
   * it meanwhile). A failed load drops another key's answer: it would show under the new labels.
   */
  data: T | undefined;
  error: ApiError | undefined;
  /** An answer for this key is on its way and what is shown is not one (none yet, another key's, or a failed one's). */
  loading: boolean;
  /** The data shown is this key's, but reloading it failed: pages mark it as possibly out of date. */
  stale: boolean;
  retry: () => void;
}

const toApiError = (error: unknown): ApiError =>
  error instanceof ApiError ? error : new ApiError(0, 'client', error instanceof Error ? error.message : String(error));

/** No answer from the server itself: the network failed, or a proxy in front says it could not reach it. */
export const isUnreachable = (error: ApiError): boolean => error.status === 0 || error.status === 502 || error.status === 504;

/** Runs `load`, telling the page's connection store whether the server answered. */
export async function loadReporting<T>(load: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
  try {
    const data = await load(signal);
    if (!signal.aborted) connection.markReachable();
    return data;
  } catch (error) {
    if (signal.aborted) throw error;
    const apiError = toApiError(error);
    if (isUnreachable(apiError)) connection.markUnreachable();
    else if (apiError.status > 0) connection.markReachable();
    throw apiError;
  }
}

/**
 * Keeps the previous key's answer on show while a new key loads, except after the last key shown
 * failed with nothing of its own. Give the query `placeholderData`, and its result to `useResourceView`.
 */
export function useKeepPrevious(): { placeholderData: <D>(previous: D | undefined) => D | undefined; dropped: { current: boolean } } {
  const dropped = useRef(false);
  const placeholderData = useCallback(<D>(previous: D | undefined): D | undefined => (dropped.current ? undefined : previous), []);
  return { placeholderData, dropped };
}

/** Runs `again` each time the server comes back while `failedOffline` holds (a load failed for want of it). */
export function useAgainWhenBack(failedOffline: boolean, again: () => void): void {
  const { epoch } = useConnection();
  const latest = useRef({ failedOffline, again });
  latest.current = { failedOffline, again };
  useEffect(() => {
    if (epoch > 0 && latest.current.failedOffline) latest.current.again();
  }, [epoch]);
}

/** What a keyed query's result shows a page (see Resource), `reload` loading its key again; the server's return reloads a load that failed without it. */
export function useResourceView<T>(
  keep: ReturnType<typeof useKeepPrevious>,
  query: { data: T | undefined; error: ApiError | null; isFetching: boolean; isPlaceholderData: boolean },
  reload: (() => void) | null,
): Resource<T> {
  const { data, error, isFetching, isPlaceholderData } = query;
  const own = data !== undefined && !isPlaceholderData;
  const { dropped } = keep;
  useEffect(() => {
    if (own) dropped.current = false;
    else if (error && !isFetching) dropped.current = true;
  }, [dropped, own, error, isFetching]);

  // The server is back: load again what failed without it (a bad request would only fail again).
  const retry = useCallback(() => reload?.(), [reload]);
  useAgainWhenBack(error !== null && !isFetching && isUnreachable(error), retry);

  const shownError = error !== null && !isFetching ? error : undefined;
  return {
    data,
    error: shownError,
    loading: isFetching && !(own && error === null),
    stale: shownError !== undefined && own,
    retry,
  };
}

/**
 * Loads `key` with `load` through the page's query cache: one request per key however many
 * components ask, answers kept across pages (shown at once, asked again once stale), failures of
 * an unreachable server or a 5xx tried again. A key change cancels the old request if nothing else
 * wants it. Answers and unanswered requests tell the connection store; when the server comes back,
 * a load that failed for want of it runs again by itself. `key` null loads nothing.
 */
export function useResource<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): Resource<T> {
  // Outside a provider (a component rendered alone in a test), the page's client.
  const client = useContext(QueryClientContext) ?? queryClient;
  const loadRef = useRef(load);
  loadRef.current = load;
  const keep = useKeepPrevious();
  const query = useQuery<T, ApiError, T, [string | null]>(
    {
      queryKey: [key],
      queryFn: ({ signal }) => loadReporting(loadRef.current, signal),
      enabled: key !== null,
      placeholderData: keep.placeholderData,
    },
    client,
  );
  // Joins a load already running for this key (a Retry click while one is on its way, or another component's).
  const { refetch } = query;
  const enabled = key !== null;
  const reload = useMemo(() => (enabled ? () => void refetch({ cancelRefetch: false }) : null), [enabled, refetch]);
  return useResourceView(keep, query, reload);
}
