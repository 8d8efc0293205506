import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from '@hono/zod-openapi';
import { AppError } from '../core/errors.ts';

export const ErrorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .openapi('Error');
export type ErrorBody = z.infer<typeof ErrorBody>;

const STATUS_BY_CODE: Record<string, ContentfulStatusCode> = {
  invalid_parameter: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
};

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** The one place errors become HTTP responses; anything unexpected is logged and hidden. */
export function respondWithError(c: Context, error: unknown, log: { error(obj: object, msg?: string): void }): Response {
  if (error instanceof AppError && STATUS_BY_CODE[error.code]) {
    return c.json(errorBody(error.code, error.message), STATUS_BY_CODE[error.code]);
  }
  log.error({ err: error, path: c.req.path }, 'request failed');
  return c.json(errorBody('internal', 'internal error'), 500);
}

/** A zod failure on a request part, as a 400 that names the parameter. */
export function describeValidationError(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}
