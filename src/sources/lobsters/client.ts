import { DEFAULT_USER_AGENT, HttpClient, type HttpResponse, type RateLimit } from '../http.ts';
import type { SourceHttpOptions } from '../types.ts';
import { LobstersStoryList, LobstersStoryWithComments } from './api-types.ts';

export const LOBSTERS_BASE_URL = 'https://lobste.rs';
/** Rack::Attack allows 4/s, 30/min, 100/10 min and 400/h per IP; only 9 s spacing keeps the hourly one. */
export const LOBSTERS_RATE_LIMIT: RateLimit = { minTimeMs: 9000, maxConcurrent: 1 };
const MAX_RESET_PAUSE_MS = 15 * 60_000;

/** Lobsters limits any User-Agent containing "axios" to one request a day. */
export function checkUserAgent(userAgent: string | undefined): string | null {
  return /axios/i.test(userAgent ?? DEFAULT_USER_AGENT)
    ? 'the User-Agent must not contain "axios" (Lobsters allows it one request a day)'
    : null;
}

export class LobstersClient {
  private readonly http: HttpClient;

  constructor(options: SourceHttpOptions) {
    this.http = new HttpClient({
      ...options,
      rateLimit: options.rateLimit ?? LOBSTERS_RATE_LIMIT,
      onResponse: pauseOnReset,
    });
  }

  /** Page `page` (from 1) of a story list: `newest`, `hottest` or `t/<tag,tag>`; 25 stories a page. */
  async storyPage(feed: string, page: number, signal?: AbortSignal): Promise<LobstersStoryList> {
    const path = page <= 1 ? `/${feed}.json` : `/${feed}/page/${page}.json`;
    return this.http.json(path, LobstersStoryList, { signal });
  }

  async storyWithComments(shortId: string, signal?: AbortSignal): Promise<LobstersStoryWithComments> {
    return this.http.json(`/s/${encodeURIComponent(shortId)}.json`, LobstersStoryWithComments, { signal });
  }
}

/** A 429 names its reset in RateLimit-Reset (epoch seconds, or seconds from now) when Retry-After is absent. */
function pauseOnReset(response: HttpResponse, client: HttpClient): void {
  if (response.status !== 429 || response.headers.has('retry-after')) return;
  const reset = Number(response.headers.get('ratelimit-reset'));
  if (!Number.isFinite(reset) || reset <= 0) return;
  const untilMs = reset > 1e9 ? reset * 1000 : Date.now() + reset * 1000;
  client.pauseUntil(Math.min(untilMs, Date.now() + MAX_RESET_PAUSE_MS));
}
