import { HttpClient, parseJsonBody, type HttpResponse, type RateLimit } from '../http.ts';
import type { SourceHttpOptions } from '../types.ts';
import { MastodonTimeline } from './api-types.ts';

/** 300 requests per 5 minutes per IP: one a second keeps inside it. */
export const MASTODON_RATE_LIMIT: RateLimit = { minTimeMs: 1000, maxConcurrent: 1 };
export const MASTODON_PAGE_LIMIT = 40;

export interface MastodonInstance {
  url: string;
  /** App token with read:statuses, for instances that disabled public timeline previews. */
  accessToken?: string;
}

export interface TimelinePage {
  statuses: MastodonTimeline;
  /** Paging ids from the Link header: `next` walks older (max_id), `prev` newer (min_id). */
  nextMaxId: string | null;
  prevMinId: string | null;
}

export type MastodonClientOptions = Omit<SourceHttpOptions, 'baseUrl'>;

export class MastodonClient {
  readonly instance: MastodonInstance;
  private readonly http: HttpClient;

  constructor(instance: MastodonInstance, options: MastodonClientOptions) {
    this.instance = instance;
    this.http = new HttpClient({
      ...options,
      baseUrl: instance.url,
      headers: instance.accessToken ? { authorization: `Bearer ${instance.accessToken}` } : {},
      rateLimit: options.rateLimit ?? MASTODON_RATE_LIMIT,
      onResponse: pauseWhenExhausted,
    });
  }

  async tagTimeline(tag: string, paging: { minId?: string; maxId?: string }, signal?: AbortSignal): Promise<TimelinePage> {
    const response = await this.http.request(`/api/v1/timelines/tag/${encodeURIComponent(tag)}`, {
      query: { limit: MASTODON_PAGE_LIMIT, min_id: paging.minId, max_id: paging.maxId },
      signal,
    });
    const statuses = parseJsonBody(response, MastodonTimeline);
    const links = parseLinkHeader(response.headers.get('link'));
    return {
      statuses,
      nextMaxId: links.next?.searchParams.get('max_id') ?? null,
      prevMinId: links.prev?.searchParams.get('min_id') ?? null,
    };
  }
}

/** `<url>; rel="next", <url>; rel="prev"` to URLs by rel. */
export function parseLinkHeader(header: string | null): Record<string, URL> {
  const links: Record<string, URL> = {};
  for (const part of (header ?? '').split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part);
    if (!match?.[1] || !match[2]) continue;
    try {
      links[match[2]] = new URL(match[1]);
    } catch {
      continue;
    }
  }
  return links;
}

const MAX_RESET_PAUSE_MS = 10 * 60_000;

/** X-RateLimit-Remaining at 0 holds the client until X-RateLimit-Reset (an ISO timestamp), bounded against skewed clocks. */
function pauseWhenExhausted(response: HttpResponse, client: HttpClient): void {
  if (response.headers.get('x-ratelimit-remaining') !== '0') return;
  const reset = Date.parse(response.headers.get('x-ratelimit-reset') ?? '');
  if (!Number.isNaN(reset)) client.pauseUntil(Math.min(reset, Date.now() + MAX_RESET_PAUSE_MS));
}
