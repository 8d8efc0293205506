import { useSyncExternalStore } from 'react';

/**
 * The admin token for this tab only. It lives in sessionStorage (gone when the tab closes, never
 * shared with other tabs or written to disk like localStorage), never in the URL, and is never
 * logged. Pages read it to sign their writes; nothing else sees it.
 */
export const ADMIN_TOKEN_KEY = 'vibecheck.adminToken';

type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface AdminSession {
  /** The token, or null when signed out. */
  token(): string | null;
  signIn(token: string): void;
  signOut(): void;
  subscribe(listener: () => void): () => void;
}

/** A session kept in `storage`; with no storage (blocked by the browser), in memory for the page's life. */
export function createAdminSession(storage: StorageLike | null): AdminSession {
  let memory: string | null = null;
  const listeners = new Set<() => void>();
  const read = (): string | null => {
    if (!storage) return memory;
    try {
      return storage.getItem(ADMIN_TOKEN_KEY);
    } catch {
      return memory;
    }
  };
  const write = (value: string | null): void => {
    memory = value;
    try {
      if (value === null) storage?.removeItem(ADMIN_TOKEN_KEY);
      else storage?.setItem(ADMIN_TOKEN_KEY, value);
    } catch {
      // Storage refused (private mode, quota): the in-memory copy still serves this page.
    }
    for (const listener of listeners) listener();
  };
  return {
    token: read,
    signIn: (token) => {
      const trimmed = token.trim();
      if (!trimmed) throw new Error('the admin token is empty');
      write(trimmed);
    },
    signOut: () => write(null),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function browserSessionStorage(): StorageLike | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

export const adminSession = createAdminSession(browserSessionStorage());

/** The current admin token (null when signed out), re-rendering on sign-in and sign-out. */
export function useAdminToken(session: AdminSession = adminSession): string | null {
  return useSyncExternalStore(session.subscribe, session.token, () => null);
}
