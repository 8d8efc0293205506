import type { z } from 'zod';
import { HttpClient, redactUrl, UpstreamError, type HttpResponse, type RateLimit } from '../http.ts';
import type { SourceHttpOptions } from '../types.ts';
import { StackExchangeAnswersWrapper, StackExchangeErrorBody, StackExchangeWrapper } from './api-types.ts';

export const STACKEXCHANGE_BASE_URL = 'https://api.stackexchange.com/2.3';
/** More than 30 requests/s from one IP earns a ban; 10/s keeps well clear while the daily quota is the real cap. */
export const STACKEXCHANGE_RATE_LIMIT: RateLimit = { minTimeMs: 100, maxConcurrent: 1 };

/** error_id values that describe a passing condition on Stack Exchange's side. */
const RETRYABLE_ERROR_IDS = new Set([500, 503]);

export interface SearchPageParams {
  site: string;
  q: string;
  fromdate: number;
  todate?: number;
  page: number;
  pagesize: number;
  signal?: AbortSignal;
}

export interface AnswersPageParams {
  site: string;
  /** At most ANSWERS_IDS_PER_REQUEST question ids. */
  questionIds: readonly number[];
  /** Only answers created at or after this unix second. */
  fromdate?: number;
  page: number;
  pagesize: number;
  signal?: AbortSignal;
}

/** `{ids}` in a path holds at most 100 ids. */
export const ANSWERS_IDS_PER_REQUEST = 100;

export interface Quota {
  max: number;
  remaining: number;
}

export class StackExchangeClient {
  readonly http: HttpClient;
  private readonly key: string | undefined;
  private quota: Quota | null = null;

  constructor(options: SourceHttpOptions & { key?: string }) {
    this.key = options.key;
    this.http = new HttpClient({
      baseUrl: options.baseUrl,
      userAgent: options.userAgent,
      rateLimit: options.rateLimit ?? STACKEXCHANGE_RATE_LIMIT,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      minRetryDelayMs: options.minRetryDelayMs,
      maxRetryDelayMs: options.maxRetryDelayMs,
      maxRetryAfterMs: options.maxRetryAfterMs,
      onResponse: (response, client) => inspectResponse(response, client),
    });
  }

  /** The quota reported by the last response, null before the first. */
  lastQuota(): Quota | null {
    return this.quota;
  }

  /** One page of `/search/advanced`, oldest first by creation date, bodies included. */
  searchPage(params: SearchPageParams): Promise<StackExchangeWrapper> {
    const { q, fromdate, todate } = params;
    return this.page('/search/advanced', StackExchangeWrapper, params, { q, fromdate, todate });
  }

  /** One page of the answers to up to 100 questions, oldest first, bodies included. */
  answersPage(params: AnswersPageParams): Promise<StackExchangeAnswersWrapper> {
    if (params.questionIds.length === 0 || params.questionIds.length > ANSWERS_IDS_PER_REQUEST) {
      throw new RangeError(`answersPage takes 1 to ${ANSWERS_IDS_PER_REQUEST} question ids, got ${params.questionIds.length}`);
    }
    return this.page(`/questions/${params.questionIds.join(';')}/answers`, StackExchangeAnswersWrapper, params, {
      fromdate: params.fromdate,
    });
  }

  /** A page of any list oldest first with bodies, remembering the quota the response reports. */
  private async page<S extends z.ZodType<{ quota_max: number; quota_remaining: number }>>(
    path: string,
    schema: S,
    params: { site: string; page: number; pagesize: number; signal?: AbortSignal },
    extra: Record<string, string | number | undefined>,
  ): Promise<z.infer<S>> {
    const wrapper = await this.http.json(path, schema, {
      signal: params.signal,
      query: {
        site: params.site,
        ...extra,
        sort: 'creation',
        order: 'asc',
        filter: 'withbody',
        page: params.page,
        pagesize: params.pagesize,
        key: this.key,
      },
    });
    this.quota = { max: wrapper.quota_max, remaining: wrapper.quota_remaining };
    return wrapper;
  }
}

/**
 * Honours `backoff` (the client pauses for that many seconds) and turns an error body into an
 * UpstreamError that names error_id, error_name and error_message, whatever the HTTP status.
 */
function inspectResponse(response: HttpResponse, client: HttpClient): void {
  let data: unknown;
  try {
    data = JSON.parse(response.text);
  } catch {
    return;
  }
  if (typeof data !== 'object' || data === null) return;
  if ('backoff' in data && typeof data.backoff === 'number' && data.backoff > 0) {
    client.pauseUntil(Date.now() + data.backoff * 1000);
  }
  const error = StackExchangeErrorBody.safeParse(data);
  if (!error.success) return;
  const { error_id: id, error_name: name, error_message: message } = error.data;
  throw new UpstreamError(`Stack Exchange error ${id} ${name}: ${message}`, {
    status: response.status,
    url: redactUrl(response.url),
    retryable: RETRYABLE_ERROR_IDS.has(id),
  });
}
