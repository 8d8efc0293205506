import { HttpClient, UpstreamError, parseJsonBody, type HttpResponse, type RateLimit } from '../http.ts';
import type { SourceHttpOptions } from '../types.ts';
import { RedditCommentsResponse, RedditListing, RedditToken } from './api-types.ts';

export const REDDIT_WWW_URL = 'https://www.reddit.com';
export const REDDIT_OAUTH_URL = 'https://oauth.reddit.com';
/** 100 queries a minute per OAuth client; 10 without OAuth. */
export const REDDIT_OAUTH_RATE_LIMIT: RateLimit = { minTimeMs: 600 };
export const REDDIT_ANONYMOUS_RATE_LIMIT: RateLimit = { minTimeMs: 6_000 };

export interface RedditClientOptions extends SourceHttpOptions {
  clientId: string | null;
  clientSecret: string | null;
  /** Where bearer requests go; `baseUrl` serves the token endpoint and anonymous `.json`. */
  oauthBaseUrl: string;
}

export type TimeFilter = 'hour' | 'day' | 'week' | 'month' | 'year' | 'all';

export interface SearchRequest {
  q: string;
  t: TimeFilter;
  after: string | null;
  limit: number;
  /** Scope to these subreddits (restrict_sr), or search all of Reddit. */
  subreddits: string[];
  signal?: AbortSignal;
}

/** Refresh a little before Reddit's stated expiry so a request never carries a token that just died. */
const TOKEN_MARGIN_MS = 60_000;

export class RedditClient {
  readonly authenticated: boolean;
  private readonly http: HttpClient;
  private readonly options: RedditClientOptions;
  private token: { value: string; expiresAt: number } | null = null;

  constructor(options: RedditClientOptions) {
    this.options = options;
    this.authenticated = Boolean(options.clientId && options.clientSecret);
    this.http = new HttpClient({
      ...options,
      baseUrl: this.authenticated ? options.oauthBaseUrl : options.baseUrl,
      rateLimit: options.rateLimit ?? (this.authenticated ? REDDIT_OAUTH_RATE_LIMIT : REDDIT_ANONYMOUS_RATE_LIMIT),
      onResponse: (response, client) => {
        const wait = readRatelimitSpacing(response);
        if (wait !== null) client.pauseUntil(Date.now() + wait);
      },
    });
  }

  async search(request: SearchRequest): Promise<RedditListing> {
    const scoped = request.subreddits.length > 0 ? `/r/${request.subreddits.join('+')}/search` : '/search';
    const path = this.authenticated ? scoped : `${scoped}.json`;
    const query = {
      q: request.q,
      sort: 'new',
      t: request.t,
      limit: request.limit,
      after: request.after,
      restrict_sr: request.subreddits.length > 0 ? 1 : undefined,
      raw_json: 1,
    };
    return parseJsonBody(await this.get(path, query, request.signal), RedditListing);
  }

  /** The comment tree of post `id` (base36, no `t3_`), newest first; truncated branches come back as `more`. */
  async getComments(id: string, signal?: AbortSignal): Promise<RedditCommentsResponse> {
    const scoped = `/comments/${encodeURIComponent(id)}`;
    const path = this.authenticated ? scoped : `${scoped}.json`;
    return parseJsonBody(await this.get(path, { raw_json: 1, limit: 100, sort: 'new' }, signal), RedditCommentsResponse);
  }

  private async get(path: string, query: Record<string, string | number | null | undefined>, signal?: AbortSignal): Promise<HttpResponse> {
    if (!this.authenticated) {
      try {
        return await this.http.request(path, { query, signal });
      } catch (error) {
        if (!(error instanceof UpstreamError) || error.status !== 403) throw error;
        throw new UpstreamError('HTTP 403: Reddit refuses anonymous API access; set REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET', {
          status: 403,
          url: error.url,
          retryable: false,
          cause: error,
        });
      }
    }
    for (let attempt = 1; ; attempt++) {
      const token = await this.getToken(signal);
      const response = await this.http.request(path, { query, signal, headers: { authorization: `bearer ${token}` }, acceptStatus: [401] });
      if (response.status !== 401) return response;
      this.token = null;
      if (attempt >= 2) {
        throw new UpstreamError('HTTP 401 with a fresh token: check REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET', {
          status: 401,
          url: this.http.url(path),
          retryable: false,
        });
      }
    }
  }

  private async getToken(signal?: AbortSignal): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now()) return this.token.value;
    const basic = Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`).toString('base64');
    const tokenUrl = `${this.options.baseUrl.replace(/\/+$/, '')}/api/v1/access_token`;
    const response = await this.http.request(tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
      signal,
    });
    const token = parseJsonBody(response, RedditToken);
    this.token = { value: token.access_token, expiresAt: Date.now() + Math.max(0, token.expires_in * 1000 - TOKEN_MARGIN_MS) };
    return token.access_token;
  }
}

/** prawcore's pacing: spread the requests remaining over the seconds until the window resets. */
export function readRatelimitSpacing(response: HttpResponse): number | null {
  const remaining = Number(response.headers.get('x-ratelimit-remaining') ?? NaN);
  const reset = Number(response.headers.get('x-ratelimit-reset') ?? NaN);
  if (!Number.isFinite(remaining) || !Number.isFinite(reset)) return null;
  if (remaining < 1) return reset * 1000;
  return (reset * 1000) / remaining;
}
