import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from '@hono/zod-openapi';
import { AppError, OverloadedError } from '../core/errors.ts';

const STATUS_BY_CODE: Record<string, ContentfulStatusCode> = {
  invalid_parameter: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  overloaded: 503,
};

export const ErrorBody = z
  .object({
    error: z
      .object({
        code: z.string().openapi({
          description: `what went wrong, for programs: ${Object.keys(STATUS_BY_CODE).join(', ')} or internal (500)`,
          example: 'invalid_parameter',
        }),
        message: z.string().openapi({ description: 'what went wrong, for people; for a 400, it names the parameter or body field' }),
      })
      .openapi({ description: 'the error, in the same shape whatever the status' }),
  })
  .openapi('Error');
export type ErrorBody = z.infer<typeof ErrorBody>;

const ERROR_DESCRIPTIONS = {
  400: 'invalid parameter or body (the message names it)',
  401: 'no admin token',
  403: 'wrong admin token, or writes are disabled (ADMIN_TOKEN unset)',
  404: 'unknown entity',
  409: 'conflict',
  413: 'request body too large (the message gives the limit)',
  429: 'rate limited, or too many wrong admin tokens from this address (Retry-After says when to retry)',
  503: 'too many series, comparisons or exports being computed at once (Retry-After says when to retry)',
} as const;

/** An OpenAPI content entry: `schema` as JSON, the only body type the API reads or answers (CSV exports aside). */
export const json = <T>(schema: T) => ({ 'application/json': { schema } });

type ErrorResponse = { description: string; content: ReturnType<typeof json<typeof ErrorBody>> };

/**
 * The OpenAPI responses of the given error statuses, and `default` (an unexpected failure: 500, logged,
 * its message saying no more), in the one error shape; a route may still override a description.
 */
export function errorResponses<S extends keyof typeof ERROR_DESCRIPTIONS>(...statuses: S[]): Record<S | 'default', ErrorResponse> {
  const responses = {
    default: { description: 'unexpected server error (500; logged on the server, the message says no more)', content: json(ErrorBody) },
  } as Record<S | 'default', ErrorResponse>;
  for (const status of statuses) responses[status] = { description: ERROR_DESCRIPTIONS[status], content: json(ErrorBody) };
  return responses;
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** 405 with the Allow header, for a path that exists under other methods. */
export function respondMethodNotAllowed(c: Context, allowed: readonly string[]): Response {
  return c.json(errorBody('method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; allowed: ${allowed.join(', ')}`), 405, {
    Allow: allowed.join(', '),
  });
}

/** The one place errors become HTTP responses; anything unexpected is logged and hidden. */
export function respondWithError(c: Context, error: unknown, log: { error(obj: object, msg?: string): void }): Response {
  if (error instanceof AppError && STATUS_BY_CODE[error.code]) {
    if (error instanceof OverloadedError) c.header('Retry-After', String(error.retryAfterSeconds));
    return c.json(errorBody(error.code, error.message), STATUS_BY_CODE[error.code]);
  }
  // Hono's own refusals of a request it cannot read are the client's mistake, not ours.
  if (error instanceof HTTPException && error.status >= 400 && error.status < 500) {
    return c.json(errorBody('invalid_parameter', `body: ${error.message}`), error.status as ContentfulStatusCode);
  }
  log.error({ err: error, path: c.req.path }, 'request failed');
  return c.json(errorBody('internal', 'internal error'), 500);
}
