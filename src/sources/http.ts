import PQueue from 'p-queue';
import pRetry, { AbortError } from 'p-retry';
import type { z } from 'zod';
import { parseRetryAfter } from '../core/retry-after.ts';
import { VIBECHECK_VERSION } from '../core/version.ts';

export const DEFAULT_USER_AGENT = `vibecheck/${VIBECHECK_VERSION} (self-hosted developer-sentiment collector)`;

/** A failure talking to an upstream API, with what the operator needs to act on it. */
export class UpstreamError extends Error {
  readonly status: number | null;
  readonly url: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;

  constructor(
    message: string,
    details: { status?: number | null; url: string; retryable: boolean; retryAfterMs?: number | null; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'UpstreamError';
    this.status = details.status ?? null;
    this.url = details.url;
    this.retryable = details.retryable;
    this.retryAfterMs = details.retryAfterMs ?? null;
  }
}

export interface RateLimit {
  /** Smallest gap between two request starts; spacing keeps every documented window. */
  minTimeMs: number;
  /** Requests allowed in flight at once. */
  maxConcurrent?: number;
}

export interface HttpClientOptions {
  baseUrl: string;
  userAgent?: string;
  headers?: Record<string, string>;
  rateLimit: RateLimit;
  timeoutMs?: number;
  retries?: number;
  /** First backoff delay; doubles each attempt, with jitter, up to maxRetryDelayMs. */
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** A Retry-After longer than this fails the request instead of sleeping through it. */
  maxRetryAfterMs?: number;
  /** Looks at every response (rate-limit headers) and may ask the client to pause. */
  onResponse?: (response: HttpResponse, client: HttpClient) => void;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  url: string;
  /** The body as UTF-8. */
  text: string;
  /** The body's bytes, when the request asked for them (a document in its own encoding). */
  bytes?: Uint8Array;
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  query?: Record<string, string | number | boolean | undefined | null | Array<string | number>>;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Status codes the caller handles itself instead of treating them as errors. */
  acceptStatus?: number[];
  /** Keep the body's bytes as well as its UTF-8 text. */
  bytes?: boolean;
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * HTTP for one upstream API: a descriptive User-Agent, request spacing within the documented
 * rate, per-request timeouts, retries with exponential backoff and jitter on 429/5xx/timeouts,
 * and Retry-After honoured.
 */
export class HttpClient {
  readonly baseUrl: string;
  private readonly options: HttpClientOptions;
  private readonly limiter: PQueue;
  private pausedUntil = 0;

  constructor(options: HttpClientOptions) {
    this.options = options;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // A sliding window of one start per minTimeMs: no two requests start closer than the API allows.
    const spacing = Math.max(1, options.rateLimit.minTimeMs);
    this.limiter = new PQueue({ concurrency: options.rateLimit.maxConcurrent ?? 1, interval: spacing, intervalCap: 1, strict: true });
  }

  /** Holds every later request of this client until `untilMs` (epoch ms). */
  pauseUntil(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
  }

  url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(/^https?:\/\//.test(path) ? path : `${this.baseUrl}${path.startsWith('/') ? '' : '/'}${path}`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, String(item));
      else url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  async request(path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const url = this.url(path, options.query);
    const retries = this.options.retries ?? 4;
    return pRetry(() => this.attempt(url, options), {
      retries,
      factor: 2,
      minTimeout: this.options.minRetryDelayMs ?? 500,
      maxTimeout: this.options.maxRetryDelayMs ?? 30_000,
      randomize: true,
      signal: options.signal,
      shouldRetry: ({ error }) => error instanceof UpstreamError && error.retryable,
      // Retry-After holds this client's later requests (the retry included) until then; the retry's
      // own backoff runs meanwhile, so the wait is the longer of the two, never their sum.
      onFailedAttempt: ({ error }) => {
        if (error instanceof UpstreamError && error.retryAfterMs !== null) this.pauseUntil(Date.now() + error.retryAfterMs);
      },
    });
  }

  /** GET (or POST) and parse the body as JSON, then validate its envelope with `schema`. */
  async json<S extends z.ZodType>(path: string, schema: S, options: RequestOptions = {}): Promise<z.infer<S>> {
    const response = await this.request(path, options);
    return parseJsonBody(response, schema);
  }

  private async attempt(url: string, options: RequestOptions): Promise<HttpResponse> {
    const wait = this.pausedUntil - Date.now();
    if (wait > 0) await sleep(wait, options.signal);
    return this.limiter.add(() => this.send(url, options), { signal: options.signal });
  }

  private async send(url: string, options: RequestOptions): Promise<HttpResponse> {
    const timeoutMs = this.options.timeoutMs ?? 20_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    let text: string;
    let bytes: Uint8Array | undefined;
    try {
      response = await fetch(url, {
        method: options.method ?? 'GET',
        headers: {
          'user-agent': this.options.userAgent ?? DEFAULT_USER_AGENT,
          accept: 'application/json',
          ...this.options.headers,
          ...options.headers,
        },
        body: options.body,
        signal,
      });
      if (options.bytes) {
        bytes = new Uint8Array(await response.arrayBuffer());
        text = new TextDecoder().decode(bytes);
      } else {
        text = await response.text();
      }
    } catch (cause) {
      if (options.signal?.aborted) throw new AbortError(cause instanceof Error ? cause : String(cause));
      const timedOut = timeout.aborted;
      throw new UpstreamError(timedOut ? `timed out after ${timeoutMs} ms` : `request failed: ${describe(cause)}`, {
        url: redactUrl(url),
        retryable: true,
        cause,
      });
    }
    const result: HttpResponse = { status: response.status, headers: response.headers, url, text };
    if (bytes) result.bytes = bytes;
    this.options.onResponse?.(result, this);
    if (response.ok || options.acceptStatus?.includes(response.status)) return result;

    const retryAfterRaw = parseRetryAfter(response.headers.get('retry-after'));
    const maxRetryAfter = this.options.maxRetryAfterMs ?? 120_000;
    const tooLong = retryAfterRaw !== null && retryAfterRaw > maxRetryAfter;
    if (retryAfterRaw !== null) this.pauseUntil(Date.now() + Math.min(retryAfterRaw, maxRetryAfter));
    throw new UpstreamError(
      `HTTP ${response.status}${tooLong ? ` (Retry-After ${Math.round(retryAfterRaw / 1000)} s exceeds the limit)` : ''}: ${snippet(text)}`,
      {
        status: response.status,
        url: redactUrl(url),
        retryable: RETRYABLE_STATUS.has(response.status) && !tooLong,
        retryAfterMs: retryAfterRaw,
      },
    );
  }
}

export function parseJsonBody<S extends z.ZodType>(response: HttpResponse, schema: S): z.infer<S> {
  let data: unknown;
  try {
    data = JSON.parse(response.text);
  } catch (cause) {
    throw new UpstreamError(`malformed JSON (${response.text.length} bytes): ${describe(cause)}`, {
      status: response.status,
      url: redactUrl(response.url),
      retryable: false,
      cause,
    });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(root)';
    throw new UpstreamError(`unexpected response shape at ${where}: ${issue?.message ?? 'invalid'}`, {
      status: response.status,
      url: redactUrl(response.url),
      retryable: false,
    });
  }
  return parsed.data;
}

const SECRET_PARAMS = /([?&](?:key|access_token|token|client_secret|api_key)=)[^&]*/gi;

/** Query-string secrets (Stack Exchange `key`) never reach logs or stored errors. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1REDACTED');
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat || '(empty body)';
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
