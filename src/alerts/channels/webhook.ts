import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { AlertMessage } from '../message.ts';
import { postJson } from './http.ts';
import { failure, type DeliverOptions, type DeliveryOutcome } from './outcome.ts';

/** Bumped only on a breaking change to the body; fields may be added within a version. */
export const WEBHOOK_BODY_VERSION = 1;

export const WebhookFigure = z.object({
  label: z.string(),
  value: z.string(),
  detail: z.string().optional(),
});

export const WebhookPost = z.object({
  title: z.string(),
  url: z.string().nullable(),
  source: z.string(),
  createdAt: z.string(),
  excerpt: z.string(),
  label: z.enum(['positive', 'neutral', 'negative']).optional(),
});

/** The JSON body of a generic webhook delivery (documented in README.md beside this file). */
export const WebhookBody = z.object({
  version: z.literal(WEBHOOK_BODY_VERSION),
  /** The idempotency key, also sent as X-VibeCheck-Delivery: the same on every retry of one alert. */
  id: z.string(),
  /** True for `alerts test`: a sample, not a real event. */
  test: z.boolean(),
  firedAt: z.string(),
  rule: z.object({ id: z.number().int(), kind: z.enum(['shift', 'spike', 'aspect', 'mention', 'regression', 'digest']), name: z.string() }),
  entity: z.object({ slug: z.string(), name: z.string() }),
  headline: z.string(),
  summary: z.string(),
  figures: z.array(WebhookFigure),
  posts: z.array(WebhookPost),
  dashboardUrl: z.string(),
  /** Only on a digest: the period it covers. */
  digest: z.object({ cadence: z.enum(['daily', 'weekly']), period: z.string(), from: z.string(), to: z.string() }).optional(),
});
export type WebhookBody = z.infer<typeof WebhookBody>;

export const DELIVERY_HEADER = 'X-VibeCheck-Delivery';
export const SIGNATURE_HEADER = 'X-VibeCheck-Signature';

export function buildWebhookBody(message: AlertMessage): WebhookBody {
  return {
    version: WEBHOOK_BODY_VERSION,
    id: message.id,
    test: message.test === true,
    firedAt: message.firedAt,
    rule: { id: message.rule.id, kind: message.rule.kind, name: message.rule.name },
    entity: { slug: message.entity.slug, name: message.entity.name },
    headline: message.headline,
    summary: message.summary,
    figures: message.figures.map((f) => ({ label: f.label, value: f.value, ...(f.detail === undefined ? {} : { detail: f.detail }) })),
    posts: message.posts.map((p) => ({
      title: p.title,
      url: p.url,
      source: p.source,
      createdAt: p.createdAt,
      excerpt: p.excerpt,
      ...(p.label === undefined ? {} : { label: p.label }),
    })),
    dashboardUrl: message.dashboardUrl,
    ...(message.digest === undefined ? {} : { digest: { ...message.digest } }),
  };
}

function hmacHex(secret: string, timestamp: number, rawBody: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, as interface.md specifies. */
export function signatureHeader(secret: string, rawBody: string | Uint8Array, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${hmacHex(secret, unixSeconds, rawBody)}`;
}

/**
 * Whether `header` (X-VibeCheck-Signature) signs `rawBody` with `secret`, at a time within
 * `toleranceSeconds` of now (a replayed old delivery fails). Pass the body exactly as received,
 * before any JSON parsing. Several v1 values are accepted, any one matching.
 */
export function verifySignature(
  secret: string,
  header: string | null | undefined,
  rawBody: string | Uint8Array,
  toleranceSeconds = 300,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  if (!header || !secret) return false;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, timestamp, rawBody), 'hex');
  return signatures.some((signature) => timingSafeEqual(Buffer.from(signature, 'hex'), expected));
}

export async function deliverWebhook(url: string, message: AlertMessage, options: DeliverOptions): Promise<DeliveryOutcome> {
  if (!options.secret) return failure('the rule has no signing secret; set one with --secret', false);
  // A header value must be visible ASCII; fetch would refuse it as if the network had failed.
  if (!/^[\x21-\x7e]{1,200}$/.test(message.id)) return failure('the alert id is not a valid X-VibeCheck-Delivery value', false);
  const rawBody = JSON.stringify(buildWebhookBody(message));
  const now = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
  return postJson(url, rawBody, {
    headers: { [DELIVERY_HEADER]: message.id, [SIGNATURE_HEADER]: signatureHeader(options.secret, rawBody, now) },
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    secrets: [options.secret],
  });
}
