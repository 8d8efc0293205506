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
