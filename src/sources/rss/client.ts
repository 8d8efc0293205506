import { HttpClient, type RateLimit } from '../http.ts';
import type { SourceHttpOptions } from '../types.ts';

/** Feeds publish no limits; one request every 2 s per host is polite and plenty for a few feeds. */
export const RSS_RATE_LIMIT: RateLimit = { minTimeMs: 2000, maxConcurrent: 1 };

const FEED_ACCEPT =
  'application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5';

export interface FeedValidators {
  etag: string | null;
  lastModified: string | null;
}

export type FeedFetch = { modified: false } | { modified: true; bytes: Uint8Array; contentType: string | null; validators: FeedValidators };

export type FeedClientOptions = Omit<SourceHttpOptions, 'baseUrl'>;

/** Conditional GETs of feed URLs, spaced per host because feeds live on many unrelated servers. */
export class FeedClient {
  private readonly options: FeedClientOptions;
  private readonly clients = new Map<string, HttpClient>();

  constructor(options: FeedClientOptions) {
    this.options = options;
  }

  async fetchFeed(feedUrl: string, validators: FeedValidators, signal?: AbortSignal): Promise<FeedFetch> {
    const headers: Record<string, string> = { accept: FEED_ACCEPT };
    if (validators.etag) headers['if-none-match'] = validators.etag;
    if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
    const response = await this.clientFor(feedUrl).request(feedUrl, { headers, signal, acceptStatus: [304], bytes: true });
    if (response.status === 304) return { modified: false };
    return {
      modified: true,
      // Decoded later: the encoding may be named by the XML declaration, not the header.
      bytes: response.bytes ?? new TextEncoder().encode(response.text),
      contentType: response.headers.get('content-type'),
      validators: { etag: response.headers.get('etag'), lastModified: response.headers.get('last-modified') },
    };
  }

  private clientFor(feedUrl: string): HttpClient {
    const origin = new URL(feedUrl).origin;
    let client = this.clients.get(origin);
    if (!client) {
      client = new HttpClient({ ...this.options, baseUrl: origin, rateLimit: this.options.rateLimit ?? RSS_RATE_LIMIT });
      this.clients.set(origin, client);
    }
    return client;
  }
}
