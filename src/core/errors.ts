/** The few coded errors the app raises; mapped to HTTP in src/api and to exit codes in src/cli. */
export class AppError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_parameter', message, options);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super('conflict', message);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'this endpoint needs the admin token (Authorization: Bearer <ADMIN_TOKEN>)') {
    super('unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'the admin token is wrong, or write endpoints are disabled (ADMIN_TOKEN is unset)') {
    super('forbidden', message);
  }
}

/** Start-up cannot go on: bad configuration, a locked data directory, an unreachable database. */
export class StartupError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('startup', message, options);
  }
}

/** Too many costly requests at once; the client may try again after `retryAfterSeconds`. */
export class OverloadedError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super('overloaded', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The disk a database writes to is (nearly) full; the message says which one. */
export class DiskFullError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('disk_full', message, options);
  }
}

/** A thrown value's message; PGlite's file-system errors are not Errors and carry only an errno. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'errno' in error) {
    return `${(error as { name?: unknown }).name ?? 'error'} (errno ${String(error.errno)})`;
  }
  return String(error);
}

/** A zod failure as one line naming each field (an API 400, a CLI input error). */
export function describeValidationError(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues.map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : 'body'}: ${issue.message}`).join('; ');
}
