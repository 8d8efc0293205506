import { createHash } from 'node:crypto';
import { createTransport, type Transporter } from 'nodemailer';
import type { AlertMessage } from '../message.ts';
import { renderAlertHtml, renderAlertText } from './html.ts';
import { cleanCause, DEFAULT_TIMEOUT_MS, failure, secretPartsOf, type DeliverOptions, type DeliveryOutcome } from './outcome.ts';
import { escapeHtml, fit, oneLine } from './text.ts';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export function renderEmail(message: AlertMessage): RenderedEmail {
  const subject = fit(oneLine(message.headline) || 'VibeCheck alert', 250);
  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    `<title>${escapeHtml(subject)}</title></head>`,
    '<body style="margin:0;padding:16px;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;background:#ffffff">',
    renderAlertHtml(message),
    '</body></html>',
  ].join('\n');
  return { subject, html, text: renderAlertText(message) };
}

/** One transport per SMTP URL (and timeout), kept for the life of the process. */
const transports = new Map<string, Transporter>();

function transportFor(url: string, timeoutMs: number): Transporter {
  const key = `${timeoutMs} ${url}`;
  let transport = transports.get(key);
  if (!transport) {
    transport = createTransport({
      url,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      // The message is ours: nothing in it should make nodemailer read a file or fetch a URL.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    transports.set(key, transport);
  }
  return transport;
}

/** Closes every cached transport (at shutdown, and between tests). */
export function closeMailTransports(): void {
  for (const transport of transports.values()) transport.close();
  transports.clear();
}

/** Failures no retry can fix: bad credentials, a refused sender or recipient, a bad configuration. */
const PERMANENT_CODES = new Set([
  'EAUTH',
  'ENOAUTH',
  'EOAUTH2',
  'ECONFIG',
  'EENVELOPE',
  'EMESSAGE',
  'EREQUIRETLS',
  'EMAXRECIPIENTS',
  'EFILEACCESS',
  'EURLACCESS',
]);

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/**
 * SMTP 4xx and connection errors are retryable, 5xx permanent, except 503 (bad sequence of
 * commands), which says the session went wrong rather than that the message was refused.
 */
export function classifySmtpError(error: unknown, secrets: readonly string[]): DeliveryOutcome {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SmtpError;
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const what = e.response ?? e.message ?? 'unknown error';
  if (status !== undefined && status >= 400) {
    const retryable = status < 500 || status === 503;
    return failure(cleanCause(`SMTP ${status}: ${what.replace(/^\d{3}[ -]/, '')}`, secrets), retryable, { status });
  }
  const code = e.code ?? 'error';
  return failure(cleanCause(`SMTP ${code}: ${e.message ?? what}`, secrets), !PERMANENT_CODES.has(code));
}

/** Sends one alert mail; the Message-ID comes from the idempotency key, so a retry reads as the same mail. */
export async function deliverEmail(address: string, message: AlertMessage, options: DeliverOptions): Promise<DeliveryOutcome> {
  if (!options.smtp) return failure('e-mail is off: SMTP_URL and SMTP_FROM are not set', false);
  if (options.signal?.aborted) return failure('cancelled before sending', true);
  const { url, from } = options.smtp;
  const secrets = secretPartsOf(url);
  const rendered = renderEmail(message);
  const domain = /@([^\s<>@]+)>?\s*$/.exec(from)?.[1] ?? 'vibecheck.invalid';
  const digest = createHash('sha256').update(message.id).digest('hex').slice(0, 32);
  try {
    const info = await transportFor(url, options.timeoutMs ?? DEFAULT_TIMEOUT_MS).sendMail({
      from,
      to: address,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      messageId: `<alert-${digest}@${domain}>`,
      headers: { 'X-VibeCheck-Delivery': message.id },
    });
    if ((info.rejected ?? []).length > 0) return failure('SMTP: the recipient was refused', false);
    const status = Number(/^(\d{3})/.exec(String(info.response ?? ''))?.[1] ?? 250);
    return { ok: true, status };
  } catch (error) {
    return classifySmtpError(error, secrets);
  }
}
