import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client.ts';

export interface Resource<T> {
  /**
   * The last answer for the current key, or the previous key's while the new one loads (pages dim
   * it meanwhile). A failed load drops another key's answer: it would show under the new labels.
   */
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  retry: () => void;
}

const toApiError = (error: unknown): ApiError =>
  error instanceof ApiError ? error : new ApiError(0, 'client', error instanceof Error ? error.message : String(error));

/** Loads `key` with `load`, cancelling the previous request whenever the key changes. */
export function useResource<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): Resource<T> {
  const [state, setState] = useState<{ key: string | null; data?: T; dataKey?: string; error?: ApiError; loading: boolean }>({ key: null, loading: key !== null });
  const [attempt, setAttempt] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, key, error: undefined, loading: true }));
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ key, data, dataKey: key, loading: false });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState((s) => (s.dataKey === key ? { ...s, key, error: toApiError(error), loading: false } : { key, error: toApiError(error), loading: false }));
      },
    );
    return () => controller.abort();
  }, [key, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, retry };
}
