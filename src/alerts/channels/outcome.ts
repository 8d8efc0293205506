import { VIBECHECK_VERSION } from '../../core/version.ts';

/** What one delivery attempt came to; the delivery job retries the retryable ones with backoff. */
export type DeliveryOutcome =
  | { ok: true; status: number }
  | {
      ok: false;
      /** 429, 5xx, timeouts, network and SMTP 4xx errors: worth another attempt. */
      retryable: boolean;
      /** From Retry-After, when the receiver sent one. */
      retryAfterMs?: number;
      /** The HTTP or SMTP status, when the receiver answered. */
      status?: number;
      /** Short, for the deliveries list; never holds a URL's token or a password. */
      cause: string;
    };

export interface DeliverOptions {
  /** The rule's signing secret; required for generic webhooks. */
  secret?: string;
  /** Per attempt; default 10 s. */
  timeoutMs?: number;
  /** Cancels an HTTP attempt (shutdown); the outcome is then retryable. */
  signal?: AbortSignal;
  /** From SMTP_URL and SMTP_FROM; undefined: e-mail is off. */
  smtp?: { url: string; from: string };
  /** Clock for the signature timestamp (tests). */
  now?: () => Date;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const USER_AGENT = `VibeCheck/${VIBECHECK_VERSION} (alert delivery)`;

const MAX_CAUSE = 200;
// eslint-disable-next-line no-control-regex -- a receiver's body may hold control characters
const CONTROL_RUNS = /[\u0000-\u001f\u007f]+/g;

/**
 * `cause` on one line, at most 200 characters, with every secret fragment replaced by `…`
 * (a receiver's error page may echo the token it was called with).
 */
export function cleanCause(cause: string, secrets: readonly string[] = []): string {
  let text = cause;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret !== '') text = text.split(secret).join('…');
  }
  text = text.replace(CONTROL_RUNS, ' ').replace(/\s+/g, ' ').trim();
  return text.length > MAX_CAUSE ? `${text.slice(0, MAX_CAUSE - 1)}…` : text;
}

/**
 * The parts of a URL that may be secret: userinfo, and path segments and query values long enough to
 * be a token (short ones like `api` or `v1` are not, and scrubbing them would garble the cause).
 */
export function secretPartsOf(url: string): string[] {
  if (!URL.canParse(url)) return [url];
  const parsed = new URL(url);
  const decode = (part: string) => {
    try {
      return [part, decodeURIComponent(part)];
    } catch {
      return [part];
    }
  };
  const userinfo = [parsed.username, parsed.password].flatMap(decode).filter((part) => part.length > 0);
  const tokens = [...parsed.pathname.split('/'), ...parsed.searchParams.values()].flatMap(decode).filter((part) => part.length >= 6);
  return [...new Set([...userinfo, ...tokens])];
}

export function failure(cause: string, retryable: boolean, extra: { status?: number; retryAfterMs?: number | null } = {}): DeliveryOutcome {
  return {
    ok: false,
    retryable,
    cause,
    ...(extra.status === undefined ? {} : { status: extra.status }),
    ...(extra.retryAfterMs === undefined || extra.retryAfterMs === null ? {} : { retryAfterMs: extra.retryAfterMs }),
  };
}
