import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ForbiddenError, UnauthorizedError } from '../core/errors.ts';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Write endpoints: 401 without a bearer token, 403 with a wrong one or when no token is configured. */
export function requireAdmin(adminToken: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const match = header?.match(/^Bearer\s+(.+)$/i);
    if (!match?.[1]) throw new UnauthorizedError();
    if (!adminToken || !timingSafeEqual(digest(match[1].trim()), digest(adminToken))) throw new ForbiddenError();
    await next();
  };
}
