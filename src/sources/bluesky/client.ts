import { HttpClient, parseJsonBody, UpstreamError, type HttpResponse, type RateLimit } from '../http.ts';
import type { SourceHttpOptions } from '../types.ts';
import { BlueskySearchResponse, BlueskySession, XrpcError } from './api-types.ts';

export const BLUESKY_BASE_URL = 'https://bsky.social';
/** The PDS allows 3,000 requests per 5 minutes per IP: 10 a second. */
export const BLUESKY_RATE_LIMIT: RateLimit = { minTimeMs: 100, maxConcurrent: 1 };
/** Refresh this long before the access token's `exp` instead of waiting for a 401. */
const EXPIRY_MARGIN_MS = 60_000;
const TOKEN_ERRORS = new Set(['ExpiredToken', 'InvalidToken']);

export interface BlueskyCredentials {
  handle: string;
  appPassword: string;
}

export interface SearchParams {
  q: string;
  since?: string;
  until?: string;
  limit: number;
  signal?: AbortSignal;
}

interface Session {
  accessJwt: string;
  refreshJwt: string;
  accessExpiresAt: number | null;
}

/** XRPC over HTTP with an app-password session: created once, refreshed on expiry, re-created if the refresh token died. */
export class BlueskyClient {
  private readonly http: HttpClient;
  private readonly credentials: BlueskyCredentials;
  private session: Session | null = null;
  private pending: Promise<Session> | null = null;

  constructor(credentials: BlueskyCredentials, options: SourceHttpOptions) {
    this.credentials = credentials;
    this.http = new HttpClient({ ...options, rateLimit: options.rateLimit ?? BLUESKY_RATE_LIMIT });
  }

  async searchPosts(params: SearchParams): Promise<BlueskySearchResponse> {
    const query = { q: params.q, sort: 'latest', since: params.since, until: params.until, limit: params.limit };
    const call = async (session: Session) =>
      this.http.request('/xrpc/app.bsky.feed.searchPosts', {
        query,
        signal: params.signal,
        headers: { authorization: `Bearer ${session.accessJwt}` },
        acceptStatus: [400, 401],
      });
    let response = await call(await this.getSession(params.signal));
    if (isTokenProblem(response)) {
      response = await call(await this.renewSession(params.signal));
    }
    throwXrpcError(response, 'searchPosts');
    return parseJsonBody(response, BlueskySearchResponse);
  }

  private async getSession(signal?: AbortSignal): Promise<Session> {
    if (this.session && (this.session.accessExpiresAt === null || this.session.accessExpiresAt - Date.now() > EXPIRY_MARGIN_MS)) {
      return this.session;
    }
    return this.session ? this.renewSession(signal) : this.runOnce(() => this.createSession(signal));
  }

  private renewSession(signal?: AbortSignal): Promise<Session> {
    return this.runOnce(async () =>
      this.session ? ((await this.refreshSession(this.session, signal)) ?? this.createSession(signal)) : this.createSession(signal),
    );
  }

  /** Concurrent callers share one login or refresh: createSession is limited to 30 per 5 minutes. */
  private runOnce(task: () => Promise<Session>): Promise<Session> {
    this.pending ??= task()
      .then((session) => {
        this.session = session;
        return session;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }

  private async createSession(signal?: AbortSignal): Promise<Session> {
    const response = await this.http.request('/xrpc/com.atproto.server.createSession', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: this.credentials.handle, password: this.credentials.appPassword }),
      signal,
      acceptStatus: [400, 401],
    });
    throwXrpcError(response, 'createSession');
    return toSession(parseJsonBody(response, BlueskySession));
  }

  /** Null when the refresh token itself is no longer accepted, so the caller logs in again. */
  private async refreshSession(session: Session, signal?: AbortSignal): Promise<Session | null> {
    const response = await this.http.request('/xrpc/com.atproto.server.refreshSession', {
      method: 'POST',
      headers: { authorization: `Bearer ${session.refreshJwt}` },
      signal,
      acceptStatus: [400, 401],
    });
    if (isTokenProblem(response)) return null;
    throwXrpcError(response, 'refreshSession');
    return toSession(parseJsonBody(response, BlueskySession));
  }
}

function toSession(data: BlueskySession): Session {
  return { accessJwt: data.accessJwt, refreshJwt: data.refreshJwt, accessExpiresAt: readJwtExpiry(data.accessJwt) };
}

/** The `exp` claim of a JWT in epoch ms, or null when the token is not a readable JWT. */
export function readJwtExpiry(jwt: string): number | null {
  const payload = jwt.split('.')[1];
  if (!payload) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof claims === 'object' && claims !== null && 'exp' in claims && typeof claims.exp === 'number') return claims.exp * 1000;
  } catch {
    return null;
  }
  return null;
}

function readXrpcError(response: HttpResponse): XrpcError | null {
  try {
    const parsed = XrpcError.safeParse(JSON.parse(response.text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function isTokenProblem(response: HttpResponse): boolean {
  if (response.status === 401) return true;
  const error = response.status === 400 ? readXrpcError(response) : null;
  return error !== null && TOKEN_ERRORS.has(error.error);
}

function throwXrpcError(response: HttpResponse, method: string): void {
  if (response.status < 400) return;
  const error = readXrpcError(response);
  const detail = error ? `${error.error}${error.message ? `: ${error.message}` : ''}` : response.text.slice(0, 200);
  throw new UpstreamError(`Bluesky ${method} failed with HTTP ${response.status}: ${detail}`, {
    status: response.status,
    url: response.url,
    retryable: false,
  });
}
