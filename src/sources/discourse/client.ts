import { HttpClient, type RateLimit } from '../http.ts';
import type { SourceHttpOptions } from '../types.ts';
import { DiscourseLatestPosts, DiscourseSearchResponse, DiscourseTopicPosts } from './api-types.ts';

/** Default global limits per IP are 200/min and 50 per 10 s: 300 ms spacing satisfies both. */
export const DISCOURSE_RATE_LIMIT: RateLimit = { minTimeMs: 300, maxConcurrent: 1 };

export interface DiscourseForum {
  url: string;
  /** `posts` walks /posts.json; `search` runs /search.json per term (for forums that refuse /posts.json). */
  mode?: 'posts' | 'search';
  /** Admin or user API key headers, for forums that do not serve /posts.json anonymously. */
  apiKey?: string;
  apiUsername?: string;
}

export type DiscourseClientOptions = Omit<SourceHttpOptions, 'baseUrl'>;

export class DiscourseClient {
  readonly forum: DiscourseForum;
  private readonly http: HttpClient;

  constructor(forum: DiscourseForum, options: DiscourseClientOptions) {
    this.forum = forum;
    const headers: Record<string, string> = {};
    if (forum.apiKey) headers['Api-Key'] = forum.apiKey;
    if (forum.apiUsername) headers['Api-Username'] = forum.apiUsername;
    this.http = new HttpClient({ ...options, baseUrl: forum.url, headers, rateLimit: options.rateLimit ?? DISCOURSE_RATE_LIMIT });
  }

  /** Up to 50 latest regular posts, highest id first; `before` keeps ids <= before (inclusive). */
  async latestPosts(before: number | null, signal?: AbortSignal): Promise<DiscourseLatestPosts> {
    return this.http.json('/posts.json', DiscourseLatestPosts, { query: { before: before ?? undefined }, signal });
  }

  /** One page (from 1) of full-text search; `q` carries the filters (`after:`, `before:`, `order:latest`). */
  async search(q: string, page: number, signal?: AbortSignal): Promise<DiscourseSearchResponse> {
    return this.http.json('/search.json', DiscourseSearchResponse, { query: { q, page }, signal });
  }

  /** Full posts of one topic by post id, for search hits whose blurb is truncated. */
  async topicPosts(topicId: number, postIds: number[], signal?: AbortSignal): Promise<DiscourseTopicPosts> {
    return this.http.json(`/t/${topicId}/posts.json`, DiscourseTopicPosts, { query: { 'post_ids[]': postIds }, signal });
  }
}
