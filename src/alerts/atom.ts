import { VIBECHECK_VERSION } from '../core/version.ts';
import { renderAlertHtml } from './channels/html.ts';
import { safeLink } from './channels/text.ts';
import type { AlertMessage } from './message.ts';

export interface AtomFeedInput {
  rule: { id: number; name: string };
  /** The feed's own absolute URL: its self link and its id. */
  selfUrl: string;
  /** The rule's page in the dashboard: the feed's alternate link. */
  dashboardUrl: string;
  /** The rule's alerts, in any order; entries come out newest first. */
  alerts: AlertMessage[];
  /** The feed's `updated` when it has no entries. */
  now?: Date;
}

const XML_FORBIDDEN =
  // eslint-disable-next-line no-control-regex -- these are exactly the characters XML 1.0 forbids
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * XML 1.0 text: the five special characters escaped, and characters XML cannot carry at all
 * (most C0 controls, lone surrogates, U+FFFE/U+FFFF) dropped, since a post may hold any of them.
 */
export function escapeXml(text: string): string {
  return text
    .replace(XML_FORBIDDEN, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** RFC 3339 as Atom wants it; an unreadable time falls back to `fallback`. */
function atomDate(iso: string, fallback: Date): string {
  const time = Date.parse(iso);
  return (Number.isNaN(time) ? fallback : new Date(time)).toISOString();
}

/** An alert's id as an IRI: the idempotency key is stable across retries, so readers see one entry per alert. */
export function atomEntryId(messageId: string): string {
  return `urn:vibecheck:alert:${encodeURIComponent(messageId)}`;
}

function renderEntry(message: AlertMessage, now: Date): string {
  const when = atomDate(message.firedAt, now);
  const lines = [
    '  <entry>',
    `    <id>${escapeXml(atomEntryId(message.id))}</id>`,
    `    <title type="text">${escapeXml(message.headline)}</title>`,
    `    <updated>${when}</updated>`,
    `    <published>${when}</published>`,
  ];
  const dashboard = safeLink(message.dashboardUrl);
  if (dashboard) lines.push(`    <link rel="alternate" type="text/html" href="${escapeXml(dashboard)}"/>`);
  for (const post of message.posts) {
    const link = safeLink(post.url);
    if (link) lines.push(`    <link rel="related" type="text/html" href="${escapeXml(link)}" title="${escapeXml(post.title)}"/>`);
  }
  lines.push(`    <category term="${escapeXml(message.rule.kind)}"/>`);
  if (message.summary.trim()) lines.push(`    <summary type="text">${escapeXml(message.summary.trim())}</summary>`);
  // type="html": the content is HTML (every post string already escaped in it), escaped once more as XML text.
  lines.push(`    <content type="html">${escapeXml(renderAlertHtml(message))}</content>`, '  </entry>');
  return lines.join('\n');
}

/** A rule's alerts as an Atom 1.0 feed (RFC 4287) for feed readers. */
export function renderAtomFeed(input: AtomFeedInput): string {
  const now = input.now ?? new Date();
  const alerts = [...input.alerts].sort((a, b) => atomDate(b.firedAt, now).localeCompare(atomDate(a.firedAt, now)));
  const updated = alerts[0] ? atomDate(alerts[0].firedAt, now) : now.toISOString();
  const dashboard = safeLink(input.dashboardUrl);
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escapeXml(input.selfUrl)}</id>`,
    `  <title type="text">${escapeXml(`VibeCheck alerts: ${input.rule.name}`)}</title>`,
    `  <subtitle type="text">${escapeXml(`Alerts of rule #${input.rule.id}`)}</subtitle>`,
    `  <updated>${updated}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(input.selfUrl)}"/>`,
    ...(dashboard ? [`  <link rel="alternate" type="text/html" href="${escapeXml(dashboard)}"/>`] : []),
    '  <author><name>VibeCheck</name></author>',
    `  <generator version="${VIBECHECK_VERSION}">VibeCheck</generator>`,
    ...alerts.map((message) => renderEntry(message, now)),
    '</feed>',
    '',
  ].join('\n');
}
