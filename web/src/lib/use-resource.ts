import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { connection, useConnection } from './connection.ts';

export interface Resource<T> {
  /**
   * The last answer for the current key, or the previous key's while the new one loads (pages dim
   * it meanwhile). A failed load drops another key's answer: it would show under the new labels.
   */
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** The data shown is this key's, but reloading it failed: pages mark it as possibly out of date. */
  stale: boolean;
  retry: () => void;
}

const toApiError = (error: unknown): ApiError =>
  error instanceof ApiError ? error : new ApiError(0, 'client', error instanceof Error ? error.message : String(error));

/** No answer from the server itself: the network failed, or a proxy in front says it could not reach it. */
export const isUnreachable = (error: ApiError): boolean => error.status === 0 || error.status === 502 || error.status === 504;

/**
 * Loads `key` with `load`, cancelling the previous request whenever the key changes. Answers and
 * unanswered requests tell the page's connection store; when the server comes back, a load that
 * failed for want of it runs again by itself.
 */
export function useResource<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): Resource<T> {
  const [state, setState] = useState<{ key: string | null; data?: T; dataKey?: string; error?: ApiError; loading: boolean }>({
    key: null,
    loading: key !== null,
  });
  const [attempt, setAttempt] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const { epoch } = useConnection();
  const failedOffline = useRef(false);

  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, key, error: undefined, loading: true }));
    loadRef.current(controller.signal).then(
      (data) => {
        if (controller.signal.aborted) return;
        failedOffline.current = false;
        connection.markReachable();
        setState({ key, data, dataKey: key, loading: false });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const apiError = toApiError(error);
        failedOffline.current = isUnreachable(apiError);
        if (failedOffline.current) connection.markUnreachable();
        else if (apiError.status > 0) connection.markReachable();
        setState((s) => (s.dataKey === key ? { ...s, key, error: apiError, loading: false } : { key, error: apiError, loading: false }));
      },
    );
    return () => controller.abort();
  }, [key, attempt]);

  // The server is back: load again what failed without it (a bad request would only fail again).
  useEffect(() => {
    if (epoch > 0 && failedOffline.current) setAttempt((n) => n + 1);
  }, [epoch]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  const current = state.key === key;
  return {
    data: state.data,
    error: current ? state.error : undefined,
    loading: state.loading,
    stale: current && state.error !== undefined && state.data !== undefined,
    retry,
  };
}
