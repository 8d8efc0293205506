import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/** Anything that is not a page (JSON, CSV, scripts, metrics) may load nothing and be framed by nobody. */
const NON_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'";

const inlineHashes = (html: string, tag: 'script' | 'style'): string[] =>
  [...html.matchAll(new RegExp(`<${tag}(?![^>]*\\ssrc=)[^>]*>([\\s\\S]*?)</${tag}>`, 'gi'))].map(
    (match) =>
      `'sha256-${createHash('sha256')
        .update(match[1] ?? '')
        .digest('base64')}'`,
  );

/**
 * A page may load its own scripts, styles, images (and data: icons) and call its own API, and run
 * exactly the inline scripts and styles it was served with (by hash), so an injected one never runs.
 */
export function pagePolicy(html: string): string {
  return [
    "default-src 'self'",
    ["script-src 'self'", ...inlineHashes(html, 'script')].join(' '),
    ["style-src 'self'", ...inlineHashes(html, 'style')].join(' '),
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Every response: a Content-Security-Policy, no MIME sniffing, no framing. */
export function securityHeaders(): MiddlewareHandler {
  // Pages are few and fixed (the dashboard, the API docs): their policies are computed once each.
  const policies = new Map<string, string>();
  return async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    if (c.res.headers.has('content-security-policy')) return;
    if (!c.res.headers.get('content-type')?.startsWith('text/html')) {
      c.header('Content-Security-Policy', NON_PAGE_POLICY);
      return;
    }
    const html = await c.res.clone().text();
    let policy = policies.get(html);
    if (policy === undefined) {
      policy = pagePolicy(html);
      if (policies.size >= 16) policies.clear();
      policies.set(html, policy);
    }
    c.header('Content-Security-Policy', policy);
  };
}
