import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ValidationError } from '../core/errors.ts';
import { errorBody } from './errors.ts';

/** Write bodies are small JSON documents; this holds the largest a route accepts several times over. */
export const MAX_BODY_BYTES = 256 * 1024;

/** Refuses a larger body from its Content-Length, or while it streams, before anything buffers it. */
export const limitBodySize: MiddlewareHandler = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) => c.json(errorBody('payload_too_large', `body: larger than ${MAX_BODY_BYTES / 1024} KiB`), 413),
});

/** Where a NUL (which PostgreSQL text cannot hold) sits in a parsed JSON value: "title", "aliases.2"; undefined when nowhere. */
export function findNul(value: unknown, path: readonly string[] = []): string | undefined {
  const here = (): string => (path.length ? path.join('.') : 'body');
  if (typeof value === 'string') return value.includes('\u0000') ? here() : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return here();
    const found = findNul(item, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

const nulError = (where: string): ValidationError => new ValidationError(`${where}: must not contain NUL (U+0000)`);

/** A query value with NUL is refused naming its parameter, before it can reach a query. */
export const refuseNulInQuery: MiddlewareHandler = async (c, next) => {
  for (const [name, values] of Object.entries(c.req.queries())) {
    if (name.includes('\u0000') || values.some((value) => value.includes('\u0000'))) throw nulError(name.replaceAll('\u0000', '\\0'));
  }
  await next();
};

/**
 * A write's body: Content-Type application/json (any case, parameters allowed), not empty, valid JSON,
 * no NUL in any string; otherwise a 400 naming what is wrong. Runs after the admin check, so nobody
 * unauthenticated gets a body parsed.
 */
export const requireJsonBody: MiddlewareHandler = async (c, next) => {
  const mediaType = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new ValidationError(
      `body: expected Content-Type application/json, got ${mediaType ? JSON.stringify(mediaType.slice(0, 100)) : 'none'}`,
    );
  }
  const text = await c.req.text();
  if (text.trim() === '') throw new ValidationError('body: empty; expected a JSON object');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`body: not valid JSON (${(error as Error).message})`);
  }
  const nul = findNul(parsed);
  if (nul !== undefined) throw nulError(nul);
  await next();
};
