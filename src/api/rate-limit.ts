import type { Context, MiddlewareHandler } from 'hono';
import { errorBody } from './errors.ts';

export interface RateLimitOptions {
  /** requests allowed per client and window */
  limit: number;
  windowMs: number;
  /** who a request counts against; the peer address by default */
  identify?: (c: Context) => string;
  now?: () => number;
}

export const DEFAULT_RATE_LIMIT: Readonly<RateLimitOptions> = Object.freeze({ limit: 600, windowMs: 60_000 });

interface SocketEnv {
  incoming?: { socket?: { remoteAddress?: string } };
}

/** The TCP peer as @hono/node-server exposes it; forwarded headers are not trusted. */
export function identifyPeer(c: Context): string {
  const env = c.env as SocketEnv | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

/** `::ffff:10.0.0.2`, as Node reports an IPv4 peer on a dual-stack socket, is 10.0.0.2. */
const plainAddress = (address: string): string => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

/**
 * Who a request comes from when the reverse proxies at `trustedProxies` stand in front of the
 * server. Each proxy appends the address it was reached from to X-Forwarded-For, so reading the
 * header from the right, past every trusted proxy, the first other address is the client. A request
 * whose TCP peer is not a trusted proxy is that peer, whatever its header says; entries left of the
 * client were written by the client and are never believed. No proxies: the TCP peer, always.
 */
export function createClientIdentifier(trustedProxies: readonly string[]): (c: Context) => string {
  if (trustedProxies.length === 0) return identifyPeer;
  const trusted = new Set(trustedProxies.map(plainAddress));
  return (c) => {
    let client = plainAddress(identifyPeer(c));
    const forwarded = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((entry) => plainAddress(entry.trim()))
      .filter(Boolean);
    while (trusted.has(client) && forwarded.length > 0) client = forwarded.pop()!;
    return client;
  };
}

/**
 * Fixed-window counter of requests per client, every method alike, in memory: cheap and enough for one
 * process. A refused request gets 429, Retry-After (seconds until the window ends) and the usual error shape.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const identify = options.identify ?? identifyPeer;
  const now = options.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = 0;
  return async (c, next) => {
    const time = now();
    const windowStart = time - (time % options.windowMs);
    if (windowStart !== lastSweep) {
      // Entries of past windows are dead weight: drop them once per window.
      for (const [key, entry] of windows) if (entry.start < windowStart) windows.delete(key);
      lastSweep = windowStart;
    }
    const key = identify(c);
    const entry = windows.get(key) ?? { start: windowStart, count: 0 };
    entry.count += 1;
    windows.set(key, entry);
    const remaining = Math.max(0, options.limit - entry.count);
    c.header('RateLimit-Limit', String(options.limit));
    c.header('RateLimit-Remaining', String(remaining));
    if (entry.count > options.limit) {
      const retryAfter = Math.max(1, Math.ceil((windowStart + options.windowMs - time) / 1000));
      return c.json(
        errorBody('rate_limited', `too many requests: at most ${options.limit} per ${options.windowMs / 1000} s; retry in ${retryAfter} s`),
        429,
        {
          'Retry-After': String(retryAfter),
        },
      );
    }
    await next();
  };
}
