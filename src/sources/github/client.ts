import { HttpClient, UpstreamError, parseJsonBody, type HttpResponse, type RateLimit } from '../http.ts';
import type { SourceHttpOptions } from '../types.ts';
import { GithubCommentList, GithubGraphqlResponse, GithubSearchResponse } from './api-types.ts';

export const GITHUB_API_URL = 'https://api.github.com';
/** Search allows 30 requests a minute with a token and 10 without. */
export const GITHUB_SEARCH_RATE_LIMIT: RateLimit = { minTimeMs: 2_000 };
export const GITHUB_SEARCH_RATE_LIMIT_ANONYMOUS: RateLimit = { minTimeMs: 6_000 };
/** Core REST (issue comments) allows 5,000 requests an hour with a token; 750 ms spacing is 4,800. */
export const GITHUB_CORE_RATE_LIMIT: RateLimit = { minTimeMs: 750 };

export interface GithubClientOptions extends SourceHttpOptions {
  token: string | null;
  graphqlUrl: string;
  /** Spacing for core REST calls (comments), which have their own budget apart from search. */
  coreRateLimit?: RateLimit;
}

const DISCUSSION_QUERY = `query($q: String!, $first: Int!, $after: String) {
  search(query: $q, type: DISCUSSION, first: $first, after: $after) {
    discussionCount
    pageInfo { endCursor hasNextPage }
    nodes { ... on Discussion { id number title body url createdAt author { login } comments { totalCount } upvoteCount repository { nameWithOwner } } }
  }
}`;

/** Rate-limit answers come as 403 or 429 (or a GraphQL error body); these many waits before giving up. */
const RATE_LIMIT_ATTEMPTS = 3;

export type DiscussionPage = NonNullable<GithubGraphqlResponse['data']>['search'];

export class GithubClient {
  private readonly http: HttpClient;
  private readonly core: HttpClient;
  private readonly graphqlUrl: string;
  private readonly maxWaitMs: number;

  constructor(options: GithubClientOptions) {
    this.graphqlUrl = options.graphqlUrl;
    this.maxWaitMs = options.maxRetryAfterMs ?? 120_000;
    const shared = {
      ...options,
      headers: {
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      onResponse: (response: HttpResponse, client: HttpClient) => {
        const wait = readRateLimitWait(response);
        if (wait !== null) client.pauseUntil(Date.now() + Math.min(wait, this.maxWaitMs));
      },
    };
    this.http = new HttpClient({
      ...shared,
      rateLimit: options.rateLimit ?? (options.token ? GITHUB_SEARCH_RATE_LIMIT : GITHUB_SEARCH_RATE_LIMIT_ANONYMOUS),
    });
    this.core = new HttpClient({ ...shared, rateLimit: options.coreRateLimit ?? GITHUB_CORE_RATE_LIMIT });
  }

  /** First page of an issue's comments updated at or after `since`; items are left unparsed for the mapper. */
  async listIssueComments(
    repo: string,
    issueNumber: number,
    since: Date,
    perPage: number,
    signal?: AbortSignal,
  ): Promise<GithubCommentList> {
    const response = await this.send(
      `/repos/${repo}/issues/${issueNumber}/comments`,
      {
        query: { since: since.toISOString(), per_page: perPage, page: 1 },
        signal,
      },
      this.core,
    );
    return parseJsonBody(response, GithubCommentList);
  }

  async searchIssues(q: string, perPage: number, signal?: AbortSignal): Promise<GithubSearchResponse> {
    const response = await this.send('/search/issues', {
      query: { q, sort: 'created', order: 'desc', per_page: perPage, page: 1 },
      signal,
    });
    return parseJsonBody(response, GithubSearchResponse);
  }

  async searchDiscussions(q: string, first: number, after: string | null, signal?: AbortSignal): Promise<DiscussionPage> {
    for (let attempt = 1; ; attempt++) {
      const response = await this.send(this.graphqlUrl, {
        method: 'POST',
        body: JSON.stringify({ query: DISCUSSION_QUERY, variables: { q, first, after } }),
        headers: { 'content-type': 'application/json' },
        signal,
      });
      const parsed = parseJsonBody(response, GithubGraphqlResponse);
      const limited = parsed.errors?.some((e) => e.type === 'RATE_LIMITED') ?? false;
      if (limited && attempt < RATE_LIMIT_ATTEMPTS) continue;
      if (parsed.data) return parsed.data.search;
      throw new UpstreamError(`GraphQL error: ${parsed.errors?.map((e) => e.message).join('; ') ?? 'no data'}`, {
        status: response.status,
        url: this.graphqlUrl,
        retryable: false,
      });
    }
  }

  /** A 403 that is a rate limit (remaining 0 or Retry-After) waits for the reset; any other 403 fails. */
  private async send(path: string, options: Parameters<HttpClient['request']>[1], http = this.http): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      const response = await http.request(path, { ...options, acceptStatus: [403] });
      if (response.status !== 403) return response;
      const wait = readRateLimitWait(response);
      const url = http.url(path, options?.query);
      if (wait === null || wait > this.maxWaitMs || attempt >= RATE_LIMIT_ATTEMPTS) {
        throw new UpstreamError(`HTTP 403${wait === null ? '' : ' (rate limited)'}: ${response.text.slice(0, 200)}`, {
          status: 403,
          url,
          retryable: false,
          retryAfterMs: wait,
        });
      }
    }
  }
}

/** How long the rate-limit headers ask us to wait, or null when they do not. */
export function readRateLimitWait(response: HttpResponse, now = Date.now()): number | null {
  const retryAfter = response.headers.get('retry-after');
  if (retryAfter !== null && (response.status === 403 || response.status === 429)) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  }
  if (response.headers.get('x-ratelimit-remaining') === '0') {
    const reset = Number(response.headers.get('x-ratelimit-reset'));
    return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - now) + 250 : 60_000;
  }
  return null;
}
