import { parseRetryAfter } from '../../core/retry-after.ts';
import { cleanCause, DEFAULT_TIMEOUT_MS, failure, secretPartsOf, USER_AGENT, type DeliveryOutcome } from './outcome.ts';

export interface PostOptions {
  headers?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** More strings to keep out of the cause (the signing secret). */
  secrets?: string[];
}

/** How much of a receiver's answer to read for the cause (Slack's `invalid_blocks`, Discord's JSON error). */
const MAX_BODY_BYTES = 1024;

/**
 * POSTs a JSON body once: no redirects followed, one timeout over the whole exchange, and the
 * answer classified (2xx ok; 408, 429 and 5xx retryable with Retry-After; other 4xx permanent).
 * `user:password@` in the URL becomes Basic authorization, since fetch refuses URLs with credentials.
 */
export async function postJson(target: string, body: string, options: PostOptions = {}): Promise<DeliveryOutcome> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const secrets = [...secretPartsOf(target), ...(options.secrets ?? [])];
  const url = new URL(target);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    'User-Agent': USER_AGENT,
    ...options.headers,
  };
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    headers.Authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }

  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal });
  } catch (error) {
    if (timeout.aborted) return failure(`no answer within ${formatSeconds(timeoutMs)}`, true);
    if (options.signal?.aborted) return failure('cancelled before the receiver answered', true);
    return failure(cleanCause(`network error: ${networkCode(error)}`, secrets), true);
  }

  const status = response.status;
  const snippet = cleanCause(await readSnippet(response), secrets);
  const said = snippet ? `: ${snippet}` : '';
  if (status >= 200 && status < 300) return { ok: true, status };
  if (status >= 300 && status < 400) {
    return failure(`HTTP ${status} redirect not followed; point the channel at the final URL`, false, { status });
  }
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  if (status === 429) return failure(cleanCause(`HTTP 429 rate limited${said}`), true, { status, retryAfterMs });
  if (status === 408 || status >= 500) return failure(cleanCause(`HTTP ${status}${said}`), true, { status, retryAfterMs });
  return failure(cleanCause(`HTTP ${status}${said}`), false, { status });
}

/** The start of the answer's body as text; nothing when it cannot be read in time. */
async function readSnippet(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short or timed out: the status alone decides.
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks)
    .subarray(0, MAX_BODY_BYTES)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}

/** ECONNREFUSED, ENOTFOUND, a TLS code...: the error code without its message, which may name the URL. */
/** The system error code of a failed fetch (ECONNREFUSED, ENOTFOUND), else the innermost cause's message ("bad port"), else the error's name. */
function networkCode(error: unknown): string {
  let current: unknown = error;
  let innermost = '';
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    if (current !== error && current.message) innermost = current.message;
    current = current.cause;
  }
  return innermost || (error instanceof Error ? error.name : 'unknown');
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
