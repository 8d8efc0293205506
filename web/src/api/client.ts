import type {
  AlertDelivery,
  AlertRuleList,
  AlertTestResult,
  Aspects,
  Breakdown,
  Compare,
  CreatedAlertRule,
  CreatedDigestSubscription,
  DigestDelivery,
  DigestSendResult,
  DigestSubscription,
  Entity,
  EntityChanges,
  EntityEvent,
  EntityList,
  Events,
  Explanation,
  FlowMatrix,
  FlowPostPage,
  NewAlertRule,
  NewDigestSubscription,
  NewEntity,
  NewEvent,
  PostPage,
  SentimentSeries,
  SourceList,
  SourcePreview,
  VersionBreakdown,
} from './types.ts';

/** Any failure talking to the API: `status` 0 means the request never got an answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Worth trying again as it is (network, rate limit, server trouble), unlike a bad request. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;
export type Query = Record<string, string | number | undefined | null>;

const isErrorBody = (body: unknown): body is { error: { code: string; message: string } } => {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = (body as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
};

/** `path` with the non-empty values of `query` appended. */
export function buildApiUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * GETs JSON from the API. Error bodies of the documented shape become an ApiError with their
 * code and message; anything else (HTML from a proxy, a dropped connection) becomes one too.
 * An abort is passed through unchanged so callers can ignore it.
 */
export async function fetchJson<T>(url: string, options: { signal?: AbortSignal; fetch?: Fetch } = {}): Promise<T> {
  const doFetch = options.fetch ?? ((input: string, init?: RequestInit) => fetch(input, init));
  let response: Response;
  try {
    const init: RequestInit = { headers: { accept: 'application/json' }, signal: options.signal };
    if (Date.now() < revalidateUntil) init.cache = 'no-cache';
    response = await doFetch(url, init);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError(0, 'network', `could not reach the server (${(error as Error).message})`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    if (options.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    throw new ApiError(
      response.status,
      response.ok ? 'bad_response' : `http_${response.status}`,
      `the server answered ${response.status} without JSON`,
    );
  }
  if (!response.ok) {
    if (isErrorBody(body)) throw new ApiError(response.status, body.error.code, body.error.message);
    throw new ApiError(response.status, `http_${response.status}`, `the server answered ${response.status}`);
  }
  return body as T;
}

/**
 * Reads may sit in the browser's cache for up to 30 s (the API's max-age). After a change made from
 * this tab, reads ask the server again for that long, so the change shows at once on every page,
 * a reload or a link opened in this tab included (the deadline is kept in sessionStorage).
 */
const BROWSER_CACHE_MS = 30_000;
const REVALIDATE_KEY = 'vibecheck.revalidateUntil';

function tabStorage(): Pick<Storage, 'getItem' | 'setItem'> | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

let revalidateUntil = Number(tabStorage()?.getItem(REVALIDATE_KEY) ?? 0) || 0;

const changeListeners = new Set<() => void>();

/** Calls `listener` after each change made from this tab (an admin write the server accepted); returns the unsubscribe. */
export function onApiChange(listener: () => void): () => void {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}

function markChanged(): void {
  revalidateUntil = Date.now() + BROWSER_CACHE_MS;
  try {
    tabStorage()?.setItem(REVALIDATE_KEY, String(revalidateUntil));
  } catch {
    // Storage refused: this page still revalidates from memory.
  }
  for (const listener of changeListeners) listener();
}

/** What an admin request's refusal means to the person at the keyboard; other errors keep the server's words. */
export function adminErrorMessage(status: number, serverMessage: string, retryAfter: string | null): string {
  if (status === 401) return 'Sign in with the admin token to make changes.';
  if (status === 403) return 'The admin token was refused: it is wrong, or this server has no ADMIN_TOKEN set. Nothing was changed.';
  if (status === 429) {
    const seconds = Number(retryAfter);
    const wait =
      Number.isFinite(seconds) && seconds > 0
        ? ` Try again in ${seconds < 120 ? `${Math.ceil(seconds)} s` : `${Math.ceil(seconds / 60)} min`}.`
        : ' Try again later.';
    return `Too many attempts: the server is refusing requests from this address for now.${wait} Nothing was changed.`;
  }
  return serverMessage;
}

/**
 * An admin request: the token goes in `Authorization: Bearer`, never in the URL. 401/403/429 become
 * messages that say what to do; a 204 resolves to undefined. The token is never part of an error.
 */
export async function adminRequest<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  token: string,
  body?: unknown,
  options: ClientOptions = {},
): Promise<T> {
  const doFetch = options.fetch ?? ((input: string, init?: RequestInit) => fetch(input, init));
  const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await doFetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal,
      cache: 'no-store',
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError(0, 'network', `could not reach the server (${(error as Error).message}); nothing was sent`);
  }
  if (response.ok && method !== 'GET') markChanged();
  if (response.status === 204) return undefined as T;
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    if (options.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    parsed = undefined;
  }
  if (!response.ok) {
    const code = isErrorBody(parsed) ? parsed.error.code : `http_${response.status}`;
    const serverMessage = isErrorBody(parsed) ? parsed.error.message : `the server answered ${response.status}`;
    throw new ApiError(response.status, code, adminErrorMessage(response.status, serverMessage, response.headers.get('retry-after')));
  }
  if (parsed === undefined) throw new ApiError(response.status, 'bad_response', `the server answered ${response.status} without JSON`);
  return parsed as T;
}

export interface ClientOptions {
  signal?: AbortSignal;
  fetch?: Fetch;
}

const slugPath = (slug: string, rest = ''): string => `/api/v1/entities/${encodeURIComponent(slug)}${rest}`;
const alertPath = (id: number, rest = ''): string => `/api/v1/alerts/${encodeURIComponent(String(id))}${rest}`;
const digestPath = (id: number, rest = ''): string => `/api/v1/digests/${encodeURIComponent(String(id))}${rest}`;

export const api = {
  /** `q`: from/to (the summary's window, default the last 7 days) and source. */
  listEntities: (q: Query, o?: ClientOptions) => fetchJson<EntityList>(buildApiUrl('/api/v1/entities', q), o),
  getEntity: (slug: string, q: Query, o?: ClientOptions) => fetchJson<Entity>(buildApiUrl(slugPath(slug), q), o),
  getSentiment: (slug: string, q: Query, o?: ClientOptions) => fetchJson<SentimentSeries>(buildApiUrl(slugPath(slug, '/sentiment'), q), o),
  getAspects: (slug: string, q: Query, o?: ClientOptions) => fetchJson<Aspects>(buildApiUrl(slugPath(slug, '/aspects'), q), o),
  getBreakdown: (slug: string, q: Query & { by: 'source' | 'aspect' }, o?: ClientOptions) =>
    fetchJson<Breakdown>(buildApiUrl(slugPath(slug, '/breakdown'), q), o),
  getPosts: (slug: string, q: Query, o?: ClientOptions) => fetchJson<PostPage>(buildApiUrl(slugPath(slug, '/posts'), q), o),
  /** `q`: from, to, source; with bucket (and tz), each version's series too. */
  getVersions: (slug: string, q: Query, o?: ClientOptions) => fetchJson<VersionBreakdown>(buildApiUrl(slugPath(slug, '/versions'), q), o),
  getEvents: (q: Query, o?: ClientOptions) => fetchJson<Events>(buildApiUrl('/api/v1/events', q), o),
  explainEvent: (id: number, o?: ClientOptions) => fetchJson<Explanation>(`/api/v1/events/${encodeURIComponent(String(id))}/explain`, o),
  compare: (q: Query, o?: ClientOptions) => fetchJson<Compare>(buildApiUrl('/api/v1/compare', q), o),
  listSources: (o?: ClientOptions) => fetchJson<SourceList>('/api/v1/sources', o),
  /** `q`: from, to, bucket, tz, entity, source. */
  getFlows: (q: Query, o?: ClientOptions) => fetchJson<FlowMatrix>(buildApiUrl('/api/v1/flows', q), o),
  /** `q`: the window and filters of getFlows, narrowed by from_entity, to_entity (a slug or none), kind; cursor and limit. */
  getFlowPosts: (q: Query, o?: ClientOptions) => fetchJson<FlowPostPage>(buildApiUrl('/api/v1/flows/posts', q), o),
  /** Checks a token with an admin read that changes nothing (the alert rules list). */
  checkAdminToken: (token: string, o?: ClientOptions) => adminRequest<AlertRuleList>('GET', '/api/v1/alerts', token, undefined, o),
  addEntity: (token: string, entity: NewEntity, o?: ClientOptions) => adminRequest<Entity>('POST', '/api/v1/entities', token, entity, o),
  editEntity: (token: string, slug: string, changes: EntityChanges, o?: ClientOptions) =>
    adminRequest<Entity>('PATCH', slugPath(slug), token, changes, o),
  removeEntity: (token: string, slug: string, o?: ClientOptions) => adminRequest<undefined>('DELETE', slugPath(slug), token, undefined, o),
  addEvent: (token: string, event: NewEvent, o?: ClientOptions) => adminRequest<EntityEvent>('POST', '/api/v1/events', token, event, o),
  previewSource: (token: string, name: string, request: { query?: string; limit?: number }, o?: ClientOptions) =>
    adminRequest<SourcePreview>('POST', `/api/v1/sources/${encodeURIComponent(name)}/preview`, token, request, o),
  // Alert rules are the admin's alone, reads included: every call carries the token.
  listAlerts: (token: string, o?: ClientOptions) => adminRequest<AlertRuleList>('GET', '/api/v1/alerts', token, undefined, o),
  addAlert: (token: string, rule: NewAlertRule, o?: ClientOptions) =>
    adminRequest<CreatedAlertRule>('POST', '/api/v1/alerts', token, rule, o),
  removeAlert: (token: string, id: number, o?: ClientOptions) => adminRequest<undefined>('DELETE', alertPath(id), token, undefined, o),
  testAlert: (token: string, id: number, o?: ClientOptions) =>
    adminRequest<AlertTestResult>('POST', alertPath(id, '/test'), token, undefined, o),
  listDeliveries: (token: string, id: number, o?: ClientOptions) =>
    adminRequest<{ items: AlertDelivery[] }>('GET', alertPath(id, '/deliveries'), token, undefined, o),
  listDigests: (token: string, o?: ClientOptions) =>
    adminRequest<{ items: DigestSubscription[] }>('GET', '/api/v1/digests', token, undefined, o),
  addDigest: (token: string, subscription: NewDigestSubscription, o?: ClientOptions) =>
    adminRequest<CreatedDigestSubscription>('POST', '/api/v1/digests', token, subscription, o),
  removeDigest: (token: string, id: number, o?: ClientOptions) => adminRequest<undefined>('DELETE', digestPath(id), token, undefined, o),
  sendDigest: (token: string, id: number, o?: ClientOptions) =>
    adminRequest<DigestSendResult>('POST', digestPath(id, '/send'), token, undefined, o),
  listDigestDeliveries: (token: string, id: number, o?: ClientOptions) =>
    adminRequest<{ items: DigestDelivery[] }>('GET', digestPath(id, '/deliveries'), token, undefined, o),
};
