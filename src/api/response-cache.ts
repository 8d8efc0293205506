import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/** What `vibecheck serve` uses: collection runs every few minutes, so 5 s old reads cost nothing. */
export const SERVE_RESPONSE_CACHE_MS = 5_000;

export interface ResponseCacheOptions {
  /** How long a successful read is served from memory. */
  ttlMs: number;
  maxEntries?: number;
  /** Body bytes held at most, oldest entries dropped first; a body over an eighth of it is never kept. */
  maxBytes?: number;
  now?: () => number;
}

interface Entry {
  body: ArrayBuffer;
  status: number;
  headers: [string, string][];
  expires: number;
}

export interface ResponseCache {
  middleware: MiddlewareHandler;
  clear(): void;
}

/**
 * Serves repeated GETs of the same URL from memory for a few seconds, and lets concurrent misses
 * share one computation. Collection runs every few minutes, so a read at most `ttlMs` old is as
 * good as a fresh one; any write through this process clears it.
 */
export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 500;
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  const entries = new Map<string, Entry>();
  let bytes = 0;
  const drop = (key: string): void => {
    bytes -= entries.get(key)?.body.byteLength ?? 0;
    entries.delete(key);
  };
  const keep = (key: string, entry: Entry): void => {
    if (entry.body.byteLength > maxBytes / 8) return;
    drop(key);
    for (const oldest of entries.keys()) {
      if (entries.size < maxEntries && bytes + entry.body.byteLength <= maxBytes) break;
      drop(oldest);
    }
    entries.set(key, entry);
    bytes += entry.body.byteLength;
  };
  const clear = (): void => {
    entries.clear();
    bytes = 0;
  };
  const inflight = new Map<string, Promise<Entry | null>>();
  const respond = (entry: Entry): Response => new Response(entry.body.slice(0), { status: entry.status, headers: entry.headers });

  const middleware: MiddlewareHandler = async (c, next) => {
    if (c.req.method !== 'GET') {
      await next();
      if (c.res.status < 400) clear();
      return;
    }
    const key = c.req.url;
    const cached = entries.get(key);
    if (cached && cached.expires > now()) return respond(cached);
    const pending = inflight.get(key);
    if (pending) {
      const shared = await pending;
      if (shared) return respond(shared);
    }
    let settle: (entry: Entry | null) => void = () => undefined;
    inflight.set(key, new Promise((resolve) => (settle = resolve)));
    try {
      await next();
      let entry: Entry | null = null;
      // An answer marked private or no-store (an admin's) is never kept: the cache runs before the token check.
      if (c.res.status === 200 && !/\b(no-store|private)\b/i.test(c.res.headers.get('cache-control') ?? '')) {
        const body = await c.res.clone().arrayBuffer();
        // Tagged once here, so the ETag middleware does not hash the same body on every hit.
        if (!c.res.headers.has('etag')) c.res.headers.set('etag', `W/"${createHash('sha1').update(new Uint8Array(body)).digest('hex')}"`);
        entry = { body, status: 200, headers: [...c.res.headers], expires: now() + options.ttlMs };
        keep(key, entry);
      }
      settle(entry);
    } catch (error) {
      settle(null);
      throw error;
    } finally {
      inflight.delete(key);
    }
  };
  return { middleware, clear };
}
