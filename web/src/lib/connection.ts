import { useSyncExternalStore } from 'react';

/**
 * Whether the server answers, as one store for the whole page: a request that gets no answer marks
 * it unreachable, and from then on /health is tried with growing pauses (1 s, 2 s, 4 s ... 30 s)
 * until it answers. Each return bumps `epoch`, which failed resources watch to load again by themselves.
 */
export interface ConnectionState {
  reachable: boolean;
  /** When the next check runs (ms since the epoch), while unreachable. */
  nextCheckAt: number | null;
  /** Checks that failed in a row. */
  failures: number;
  /** Grows by one each time the server comes back. */
  epoch: number;
}

export const FIRST_PAUSE_MS = 1_000;
export const LONGEST_PAUSE_MS = 30_000;
const HEALTH_URL = '/health';

type Probe = () => Promise<boolean>;

const probeHealth: Probe = async () => {
  try {
    const response = await fetch(HEALTH_URL, { cache: 'no-store', headers: { accept: 'application/json' } });
    return response.ok;
  } catch {
    return false;
  }
};

/** The pause before check number `failures + 1`: doubling from FIRST_PAUSE_MS, at most LONGEST_PAUSE_MS. */
export const pauseAfter = (failures: number): number => Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** Math.min(failures, 16));

export function createConnection(probe: Probe = probeHealth) {
  let state: ConnectionState = { reachable: true, nextCheckAt: null, failures: 0, epoch: 0 };
  const listeners = new Set<() => void>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let checking = false;

  const set = (next: ConnectionState) => {
    state = next;
    for (const listener of listeners) listener();
  };

  const schedule = () => {
    if (timer !== null) clearTimeout(timer);
    const pause = pauseAfter(state.failures);
    set({ ...state, nextCheckAt: Date.now() + pause });
    timer = setTimeout(() => void check(), pause);
  };

  const check = async () => {
    if (state.reachable || checking) return;
    checking = true;
    timer = null;
    const answered = await probe();
    checking = false;
    if (state.reachable) return;
    if (answered) markReachable();
    else {
      state = { ...state, failures: state.failures + 1 };
      schedule();
    }
  };

  const markReachable = () => {
    if (state.reachable) return;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    set({ reachable: true, nextCheckAt: null, failures: 0, epoch: state.epoch + 1 });
  };

  return {
    get: (): ConnectionState => state,
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** A request got no answer: start checking, unless already. */
    markUnreachable(): void {
      if (!state.reachable) return;
      state = { ...state, reachable: false, failures: 0 };
      schedule();
    },
    /** A request got an answer (any HTTP status): the server is there. */
    markReachable,
    /** Check now instead of waiting out the pause. */
    checkNow(): void {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      void check();
    },
  };
}

/** The page's one connection. */
export const connection = createConnection();

export function useConnection(): ConnectionState {
  return useSyncExternalStore(connection.subscribe, connection.get, connection.get);
}
