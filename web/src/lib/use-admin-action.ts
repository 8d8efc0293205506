import { useCallback, useState } from 'react';
import { describeAdminFailure } from './admin-session.ts';

export interface AdminAction<T> {
  busy: boolean;
  /** What went wrong with the last attempt; null after a refused token (the sign-in form says why). */
  error: string | null;
  /** The last attempt's result, until the next attempt or reset. */
  done: T | null;
  /** Runs `action`; on failure keeps `fallback` (or the server's message) as the error. Resolves whether it worked. */
  run(action: () => Promise<T>, fallback: string): Promise<boolean>;
  /** Shows a problem found before sending anything. */
  refuse(message: string): void;
  reset(): void;
}

/** The busy / error / done state every admin form shares, and the one way a failed write is reported. */
export function useAdminAction<T>(): AdminAction<T> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<T | null>(null);
  const reset = useCallback(() => {
    setError(null);
    setDone(null);
  }, []);
  const run = useCallback(async (action: () => Promise<T>, fallback: string) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setDone(await action());
      return true;
    } catch (failure) {
      // A refused token signs out (the sign-in form says why), so the next try starts from signing in.
      setError(describeAdminFailure(failure, fallback));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  const refuse = useCallback((message: string) => {
    setDone(null);
    setError(message);
  }, []);
  return { busy, error, done, run, refuse, reset };
}
