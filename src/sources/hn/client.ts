import { z } from 'zod';
import { HttpClient, type RateLimit } from '../http.ts';
import type { SourceHttpOptions } from '../types.ts';
import { AlgoliaSearchResponse, FirebaseIdList } from './api-types.ts';

export const HN_ALGOLIA_URL = 'https://hn.algolia.com/api/v1';
export const HN_FIREBASE_URL = 'https://hacker-news.firebaseio.com/v0';
/** 10,000 requests an hour per IP is 1 every 360 ms. */
export const HN_ALGOLIA_RATE_LIMIT: RateLimit = { minTimeMs: 360 };
/** Firebase documents no limit; stay polite anyway. */
export const HN_FIREBASE_RATE_LIMIT: RateLimit = { minTimeMs: 50 };

export interface SearchWindow {
  /** Quoted Algolia query. */
  query: string;
  /** Inclusive bounds on created_at_i (unix seconds); null upper means "up to now". */
  lower: number;
  upper: number | null;
  hitsPerPage: number;
  signal?: AbortSignal;
}

/** Algolia search, always page 0 of a created_at_i window: callers slide the window, so the 1,000-hit cap never bites. */
export class AlgoliaClient {
  private readonly http: HttpClient;

  constructor(options: SourceHttpOptions) {
    this.http = new HttpClient({ ...options, rateLimit: options.rateLimit ?? HN_ALGOLIA_RATE_LIMIT });
  }

  async searchByDate(window: SearchWindow): Promise<AlgoliaSearchResponse> {
    const filters = [`created_at_i>=${window.lower}`];
    if (window.upper !== null) filters.push(`created_at_i<=${window.upper}`);
    return this.http.json('/search_by_date', AlgoliaSearchResponse, {
      query: {
        query: window.query,
        tags: '(story,comment)',
        numericFilters: filters.join(','),
        hitsPerPage: window.hitsPerPage,
        page: 0,
      },
      signal: window.signal,
    });
  }
}

export class FirebaseClient {
  private readonly http: HttpClient;

  constructor(options: SourceHttpOptions) {
    this.http = new HttpClient({ ...options, rateLimit: options.rateLimit ?? HN_FIREBASE_RATE_LIMIT });
  }

  async listNewStoryIds(signal?: AbortSignal): Promise<number[]> {
    return this.http.json('/newstories.json', FirebaseIdList, { signal });
  }

  /** The item as sent (validated by the mapper); `null` for ids that do not exist. */
  async getItem(id: number, signal?: AbortSignal): Promise<unknown> {
    return this.http.json(`/item/${id}.json`, z.unknown(), { signal });
  }
}
