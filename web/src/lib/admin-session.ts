import { useSyncExternalStore } from 'react';
import { ApiError } from '../api/client.ts';

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
  /** `reason`: why (the server refused the token), shown by the sign-in form until the next sign-in. */
  signOut(reason?: string): void;
  /** Why the last sign-out happened, when the server refused the token; null otherwise. */
  refusal(): string | null;
  subscribe(listener: () => void): () => void;
}

/** A session kept in `storage`; with no storage (blocked by the browser), in memory for the page's life. */
export function createAdminSession(storage: StorageLike | null): AdminSession {
  let memory: string | null = null;
  let refusal: string | null = null;
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
      refusal = null;
      write(trimmed);
    },
    signOut: (reason) => {
      refusal = reason ?? null;
      write(null);
    },
    refusal: () => refusal,
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

/** Why the server refused the token that was signed out, re-rendering with the session. */
export function useAdminRefusal(session: AdminSession = adminSession): string | null {
  return useSyncExternalStore(session.subscribe, session.refusal, () => null);
}

/**
 * The message to show for a failed admin request: a refused token (401, 403) signs out with the
 * server's reason, which the sign-in form shows, and gives null; anything else its message or `fallback`.
 */
export function describeAdminFailure(failure: unknown, fallback: string, session: AdminSession = adminSession): string | null {
  const apiError = failure instanceof ApiError ? failure : null;
  if (apiError && (apiError.status === 401 || apiError.status === 403)) {
    session.signOut(apiError.message);
    return null;
  }
  return apiError ? apiError.message : fallback;
}
