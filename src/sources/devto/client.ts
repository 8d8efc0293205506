import { HttpClient, parseJsonBody, type RateLimit } from '../http.ts';
import type { SourceHttpOptions } from '../types.ts';
import { z } from 'zod';
import { DevtoArticleList, DevtoCommentList } from './api-types.ts';

export const DEVTO_API_URL = 'https://dev.to/api';
/** Forem throttles API GETs at 3 a second per IP. */
export const DEVTO_RATE_LIMIT: RateLimit = { minTimeMs: 334 };

export interface DevtoClientOptions extends SourceHttpOptions {
  apiKey?: string | null;
}

export class DevtoClient {
  private readonly http: HttpClient;

  constructor(options: DevtoClientOptions) {
    this.http = new HttpClient({
      ...options,
      rateLimit: options.rateLimit ?? DEVTO_RATE_LIMIT,
      headers: {
        accept: 'application/vnd.forem.api-v1+json',
        ...(options.apiKey ? { 'api-key': options.apiKey } : {}),
      },
    });
  }

  /** Newest first by published_at; the only Dev.to list whose order is by date without filters. */
  async listLatest(page: number, perPage: number, signal?: AbortSignal): Promise<unknown[]> {
    return this.http.json('/articles/latest', DevtoArticleList, { query: { page, per_page: perPage }, signal });
  }

  /** The article with its body, or null when it is gone (unpublished or deleted since it was listed). */
  async getArticle(id: number, signal?: AbortSignal): Promise<unknown> {
    const response = await this.http.request(`/articles/${id}`, { signal, acceptStatus: [404] });
    if (response.status === 404) return null;
    return parseJsonBody(response, z.unknown());
  }

  /** The article's comment tree: top-level comments with their replies nested in `children`. */
  async listComments(articleId: number, signal?: AbortSignal): Promise<unknown[]> {
    return this.http.json('/comments', DevtoCommentList, { query: { a_id: articleId }, signal });
  }
}
