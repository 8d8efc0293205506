import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { ForbiddenError, UnauthorizedError } from '../core/errors.ts';
import { errorBody } from './errors.ts';
import { identifyPeer } from './rate-limit.ts';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export interface AuthBackoffOptions {
  /** Wrong tokens an address may send before it has to wait. */
  freeFailures: number;
  /** The first wait; every further wrong token doubles it, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** The address a failure counts against; the TCP peer by default. */
  identify?: (c: Context) => string;
  now?: () => number;
}

export const DEFAULT_AUTH_BACKOFF: Readonly<AuthBackoffOptions> = Object.freeze({
  freeFailures: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
});

interface Failures {
  count: number;
  /** No attempt from the address is checked before this time. */
  blockedUntil: number;
  last: number;
}

/**
 * Write endpoints: 401 without a bearer token, 403 with a wrong one or when no token is configured.
 * Wrong tokens are counted per address: past `freeFailures` the address waits (429 with Retry-After)
 * for a time that doubles with each further wrong token, so guessing costs hours, not seconds. A
 * right token clears the count; an address quiet for maxDelayMs starts afresh.
 */
export function requireAdmin(adminToken: string | undefined, backoff: AuthBackoffOptions = DEFAULT_AUTH_BACKOFF): MiddlewareHandler {
  const identify = backoff.identify ?? identifyPeer;
  const now = backoff.now ?? Date.now;
  const failures = new Map<string, Failures>();
  let lastSweep = 0;
  const forget = (time: number): void => {
    if (time - lastSweep < 60_000) return;
    lastSweep = time;
    for (const [address, entry] of failures) if (time - entry.last > backoff.maxDelayMs) failures.delete(address);
  };
  return async (c, next) => {
    const time = now();
    const address = identify(c);
    const entry = failures.get(address);
    if (entry && entry.blockedUntil > time) {
      const retryAfter = Math.ceil((entry.blockedUntil - time) / 1000);
      return c.json(errorBody('rate_limited', `too many wrong admin tokens from this address; retry in ${retryAfter} s`), 429, {
        'Retry-After': String(retryAfter),
      });
    }
    const header = c.req.header('authorization');
    const match = header?.match(/^Bearer\s+(.+)$/i);
    if (!match?.[1]) throw new UnauthorizedError();
    if (!adminToken || !timingSafeEqual(digest(match[1].trim()), digest(adminToken))) {
      forget(time);
      const count = entry && time - entry.last <= backoff.maxDelayMs ? entry.count + 1 : 1;
      const extra = count - backoff.freeFailures;
      const blockedUntil = extra > 0 ? time + Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** (extra - 1)) : 0;
      failures.set(address, { count, blockedUntil, last: time });
      throw new ForbiddenError();
    }
    failures.delete(address);
    await next();
  };
}

/** An answer behind the admin token is the admin's alone: never kept by a browser, a proxy or this server's response cache. */
export const privateAnswer: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Cache-Control', 'private, no-store');
};
