import { QueryClientContext, useInfiniteQuery, type InfiniteData } from '@tanstack/react-query';
import { useCallback, useContext, useMemo, useRef } from 'react';
import type { ApiError } from '../api/client.ts';
import { queryClient } from './query-client.ts';
import { isUnreachable, loadReporting, useAgainWhenBack, useKeepPrevious, useResourceView, type Resource } from './use-resource.ts';

/** One page of a list the API hands out a page at a time: `nextCursor` asks for the next, null after the last. */
export interface Page<I = unknown> {
  items: I[];
  nextCursor: string | null;
}

/**
 * A list loaded a page at a time: the first page as a Resource (its data, error, loading, stale and
 * retry), and every page loaded so far.
 */
export interface PagedResource<P extends Page> extends Resource<P> {
  /** The items of every page loaded, in order; of the data shown (another key's while this one's first page loads). */
  items: P['items'];
  /** This key's pages are shown and the last one says there are more. */
  hasMore: boolean;
  /** Loads the next page (again, after it failed); does nothing while one is on its way or when there are no more. */
  loadMore: () => void;
  loadingMore: boolean;
  /** Loading the next page failed: the pages loaded stay, and `loadMore` tries again. */
  moreError: ApiError | undefined;
}

const NO_ITEMS: never[] = [];

/**
 * Loads `key` a page at a time with `load` (the cursor of the page, null for the first) through the
 * page's query cache, as useResource loads one answer: the pages loaded are kept with the key, so a
 * page come back to shows all of them at once, with no request while they are fresh (once stale,
 * they load again from the first, behind what is shown). Each request tells the connection store;
 * an unreachable server or a 5xx is tried again, a 4xx not; when the server comes back, the load
 * that failed for want of it (the first page's or the next one's) runs again by itself. A key change
 * starts from the new key's first page. `key` null loads nothing.
 */
export function usePagedResource<P extends Page>(
  key: string | null,
  load: (cursor: string | null, signal: AbortSignal) => Promise<P>,
): PagedResource<P> {
  const client = useContext(QueryClientContext) ?? queryClient;
  const loadRef = useRef(load);
  loadRef.current = load;
  const keep = useKeepPrevious();
  const query = useInfiniteQuery<P, ApiError, InfiniteData<P, string | null>, [string, string | null], string | null>(
    {
      queryKey: ['paged', key],
      queryFn: ({ pageParam, signal }) => loadReporting((s) => loadRef.current(pageParam, s), signal),
      initialPageParam: null,
      getNextPageParam: (last) => last.nextCursor,
      enabled: key !== null,
      placeholderData: keep.placeholderData,
    },
    client,
  );
  const { data, error, isFetching, isPlaceholderData, isFetchingNextPage, isFetchNextPageError, hasNextPage, fetchNextPage, refetch } =
    query;

  // The first page's state: a failed or running "load more" is not the first page's.
  const enabled = key !== null;
  const reload = useMemo(() => (enabled ? () => void refetch({ cancelRefetch: false }) : null), [enabled, refetch]);
  const first = useResourceView(
    keep,
    {
      data: data?.pages[0],
      error: isFetchNextPageError ? null : error,
      isFetching: isFetching && !isFetchingNextPage,
      isPlaceholderData,
    },
    reload,
  );

  // hasNextPage reads this key's pages, never another key's standing in for them.
  const hasMore = hasNextPage;
  const fetchingAll = isFetching && !isFetchingNextPage;
  const state = useRef({ hasMore, fetchingAll, isFetchingNextPage });
  state.current = { hasMore, fetchingAll, isFetchingNextPage };
  const loadMore = useCallback(() => {
    const { hasMore, fetchingAll, isFetchingNextPage } = state.current;
    if (!hasMore || isFetchingNextPage) return;
    // Pages loading again from the first (stale, or after a change): the next page follows them
    // rather than cancelling them; fetchNextPage asks nothing if they end without a next cursor.
    if (fetchingAll) void fetchNextPage({ cancelRefetch: false }).then(() => fetchNextPage());
    else void fetchNextPage();
  }, [fetchNextPage]);

  const moreError = isFetchNextPageError && !isFetchingNextPage && error !== null ? error : undefined;
  useAgainWhenBack(moreError !== undefined && isUnreachable(moreError), loadMore);

  const items = useMemo(() => data?.pages.flatMap((page) => page.items) ?? NO_ITEMS, [data]);
  return { ...first, items, hasMore, loadMore, loadingMore: isFetchingNextPage, moreError };
}
