import { QueryClient, type DefaultOptions } from '@tanstack/react-query';
import { ApiError, onApiChange } from '../api/client.ts';
import { adminSession, type AdminSession } from './admin-session.ts';

/**
 * Answers stay fresh as long as the API lets the browser cache them (its max-age): a page opened
 * again within that shows them with no request; later, it shows them at once and asks again behind them.
 */
export const FRESH_MS = 30_000;
/** How long an answer no page shows is kept for a page that comes back to it. */
export const KEEP_MS = 5 * 60_000;
/** Tries after the first for an answer the server may give next time (no answer, or a 5xx). */
export const RETRIES = 2;

/** Trying again helps only when the server did not answer or failed itself; a 4xx would come back the same. */
export const shouldRetry = (failures: number, error: unknown): boolean =>
  failures < RETRIES && error instanceof ApiError && (error.status === 0 || error.status >= 500);

export function createQueryClient(overrides: DefaultOptions['queries'] = {}): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: FRESH_MS,
        gcTime: KEEP_MS,
        retry: shouldRetry,
        // The connection store (connection.ts) says whether the server answers, not navigator.onLine:
        // requests go out regardless, and their failures are what start its checks.
        networkMode: 'always',
        // A tab come back to after the answers went stale asks again (a failure keeps them, marked stale).
        refetchOnWindowFocus: true,
        ...overrides,
      },
    },
  });
}

/** The page's one client: main.tsx provides it, and useResource falls back to it outside a provider. */
export const queryClient = createQueryClient();

/**
 * Keeps `client` honest about changes. After a change made from this tab, shown answers load again
 * and the others are forgotten: a page come back to must not show, even for a moment, what the change
 * made untrue. Signing in or out forgets the answers no page shows, so nothing read with one token
 * outlives it in memory. Returns the unsubscribe.
 */
export function followChanges(client: QueryClient, session: AdminSession = adminSession): () => void {
  const stopChanges = onApiChange(() => {
    client.removeQueries({ type: 'inactive' });
    void client.invalidateQueries();
  });
  // After the sign-out's render: by then the admin pages' resources have no observer left.
  const stopSession = session.subscribe(() => setTimeout(() => client.removeQueries({ type: 'inactive' }), 0));
  return () => {
    stopChanges();
    stopSession();
  };
}
