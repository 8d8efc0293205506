import { createHash } from 'node:crypto';
import type { NormalizedPost } from '../../core/post.ts';
import type { Rejection } from '../types.ts';
import { decodeEntities, htmlToText } from '../text.ts';
import { AtomEntry, readAttribute, readText, RssItem, type FeedFormat, type XmlNode } from './api-types.ts';

export type FeedItemResult =
  | { kind: 'item'; post: NormalizedPost; title: string }
  | { kind: 'rejected'; rejection: Rejection };

/** Item ids are only unique inside their feed, so the feed URL's hash prefixes them. */
export function formatItemId(feedUrl: string, itemId: string): string {
  const feedHash = createHash('sha256').update(feedUrl).digest('hex').slice(0, 12);
  return `${feedHash}:${itemId}`;
}

export function mapFeedItem(raw: unknown, format: FeedFormat, feedUrl: string): FeedItemResult {
  return format === 'rss' ? mapRssItem(raw, feedUrl) : mapAtomEntry(raw, feedUrl);
}

export function mapRssItem(raw: unknown, feedUrl: string): FeedItemResult {
  const parsed = RssItem.safeParse(raw);
  if (!parsed.success) return reject(null, `invalid RSS item: ${describeIssue(parsed.error)}`);
  const item = parsed.data;
  const link = resolveUrl(readText(item.link), feedUrl);
  const guid = readText(item.guid);
  const id = guid ?? link;
  if (!id) return reject(null, 'RSS item has neither guid nor link');
  const externalId = formatItemId(feedUrl, id);
  const title = decodeEntities(readText(item.title));
  const html = readText(item['content:encoded']) ?? readText(item.description);
  if (!title && !html) return reject(externalId, 'RSS item has neither title nor description');
  const rawDate = readText(item.pubDate) ?? readText(item['dc:date']);
  const createdAt = parseFeedDate(rawDate);
  if (!createdAt) return reject(externalId, rawDate ? `unparseable date "${rawDate}"` : 'RSS item has no pubDate');
  const permalink = guid && item.guid && readAttribute(item.guid, 'isPermaLink') !== 'false' ? resolveUrl(guid, feedUrl) : null;
  const author = readText(item['dc:creator']) ?? readRssAuthor(readText(item.author));
  return buildItem({ externalId, url: link ?? permalink, author, title, body: htmlToText(html), createdAt });
}

export function mapAtomEntry(raw: unknown, feedUrl: string): FeedItemResult {
  const parsed = AtomEntry.safeParse(raw);
  if (!parsed.success) return reject(null, `invalid Atom entry: ${describeIssue(parsed.error)}`);
  const entry = parsed.data;
  const url = resolveUrl(readAtomLink(entry.link), feedUrl);
  const id = readText(entry.id) ?? url;
  if (!id) return reject(null, 'Atom entry has neither id nor link');
  const externalId = formatItemId(feedUrl, id);
  const rawDate = readText(entry.published) ?? readText(entry.updated);
  const createdAt = parseFeedDate(rawDate);
  if (!createdAt) return reject(externalId, rawDate ? `unparseable date "${rawDate}"` : 'Atom entry has no published or updated date');
  const title = readAtomText(entry.title, false);
  const body = readAtomText(entry.content, true) || readAtomText(entry.summary, true);
  const authors = entry.author === undefined ? [] : Array.isArray(entry.author) ? entry.author : [entry.author];
  const first = authors[0];
  const author = first === undefined ? null : typeof first === 'string' ? first.trim() || null : readText(first.name);
  return buildItem({ externalId, url, author: author === null ? null : decodeEntities(author), title, body, createdAt });
}

/** RFC-822 (RSS) and RFC-3339 (Atom) dates to UTC; anything else is null so the item can be rejected. */
export function parseFeedDate(value: string | null): Date | null {
  if (!value) return null;
  const trimmed = value.trim();
  const ms = Date.parse(trimmed);
  if (Number.isNaN(ms)) return null;
  const year = new Date(ms).getUTCFullYear();
  return year < 1990 || year > 2200 ? null : new Date(ms);
}

function buildItem(fields: { externalId: string; url: string | null; author: string | null; title: string; body: string; createdAt: Date }): FeedItemResult {
  return {
    kind: 'item',
    title: fields.title,
    post: {
      source: 'rss',
      externalId: fields.externalId,
      url: fields.url,
      author: fields.author,
      title: fields.title || null,
      body: fields.body,
      createdAt: fields.createdAt,
      score: null,
      comments: null,
      parentId: null,
      threadId: null,
    },
  };
}

/** RSS `author` is an e-mail address, often with the name in parentheses: keep the name. */
function readRssAuthor(value: string | null): string | null {
  if (!value) return null;
  const named = /\(([^)]+)\)\s*$/.exec(value);
  return decodeEntities(named?.[1] ?? value) || null;
}

function readAtomLink(link: XmlNode | XmlNode[] | undefined): string | null {
  const links = link === undefined ? [] : Array.isArray(link) ? link : [link];
  const alternate = links.find((l) => (readAttribute(l, 'rel') ?? 'alternate') === 'alternate') ?? links[0];
  return alternate === undefined ? null : (readAttribute(alternate, 'href') ?? readText(alternate));
}

/**
 * Atom text constructs: `text` (default) is plain, `html` escaped markup, `xhtml` inline markup.
 * Content and summary arrive undecoded (parser stop nodes); titles arrive decoded.
 */
function readAtomText(node: XmlNode | undefined, undecoded: boolean): string {
  if (node === undefined) return '';
  const type = readAttribute(node, 'type') ?? 'text';
  const raw = typeof node === 'string' ? node : (node['#text'] ?? '');
  if (type === 'xhtml') return htmlToText(raw);
  const decoded = undecoded ? decodeXml(raw) : raw;
  return type === 'html' || type === 'text/html' ? htmlToText(decoded) : decoded.trim();
}

/** Content kept raw by the parser (stop nodes): unwrap CDATA and decode the XML entities outside it. */
export function decodeXml(raw: string): string {
  return raw
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
    .map((part) =>
      part.startsWith('<![CDATA[')
        ? part.slice(9, -3)
        : part.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|quot|apos|amp);/gi, (entity, name: string) => {
            const lower = name.toLowerCase();
            if (lower.startsWith('#')) {
              const code = lower.startsWith('#x') ? Number.parseInt(lower.slice(2), 16) : Number(lower.slice(1));
              return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
            }
            return { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }[lower] ?? entity;
          }),
    )
    .join('');
}

function resolveUrl(href: string | null, base: string): string | null {
  if (!href) return null;
  try {
    const url = new URL(href, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

function reject(externalId: string | null, reason: string): FeedItemResult {
  return { kind: 'rejected', rejection: { externalId, reason } };
}

function describeIssue(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  return `${issue?.path.map(String).join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`;
}
