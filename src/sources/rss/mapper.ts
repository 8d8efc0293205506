import { createHash } from 'node:crypto';
import type { NormalizedPost } from '../../core/post.ts';
import type { Rejection } from '../types.ts';
import { decodeEntities, htmlToText } from '../text.ts';
import { ATOM_NAMESPACES, RSS_NAMESPACES, type FeedFormat } from './api-types.ts';
import { parseFeedDate } from './dates.ts';
import {
  childElements,
  htmlSource,
  isElement,
  NS,
  readAttributeNs,
  resolveHttpUrl,
  serializeChildren,
  textContent,
  type XmlElement,
} from './xml.ts';

export type FeedItemResult = { kind: 'item'; post: NormalizedPost; title: string } | { kind: 'rejected'; rejection: Rejection };

export interface MapFeedItemOptions {
  /** The date of an item that states none: when the poll first saw it. */
  now: Date;
}

/** Item ids are only unique inside their feed, so the feed URL's hash prefixes them. */
export function formatItemId(feedUrl: string, itemId: string): string {
  const feedHash = createHash('sha256').update(feedUrl).digest('hex').slice(0, 12);
  return `${feedHash}:${itemId}`;
}

export function mapFeedItem(item: XmlElement, format: FeedFormat, feedUrl: string, options: MapFeedItemOptions): FeedItemResult {
  return format === 'rss' ? mapRssItem(item, feedUrl, options) : mapAtomEntry(item, feedUrl, options);
}

const DC: ReadonlySet<string | null> = new Set([NS.dc]);
const DCTERMS: ReadonlySet<string | null> = new Set([NS.dcterms]);
const CONTENT: ReadonlySet<string | null> = new Set([NS.content]);
const XHTML: ReadonlySet<string | null> = new Set([NS.xhtml]);

const first = (element: XmlElement, local: string, namespaces: ReadonlySet<string | null>): XmlElement | undefined =>
  childElements(element, local, namespaces)[0];
/** Repeated date elements: the last one wins, as in feedparser. */
const last = (element: XmlElement, local: string, namespaces: ReadonlySet<string | null>): XmlElement | undefined =>
  childElements(element, local, namespaces).at(-1);

/** Trimmed text of an element, null when absent or blank. */
function readText(element: XmlElement | undefined): string | null {
  if (!element) return null;
  const text = textContent(element).trim();
  return text === '' ? null : text;
}

/** The first date element present, in order of preference, with its parsed instant. */
function readDate(candidates: Array<XmlElement | undefined>): { raw: string | null; date: Date | null } {
  const raw = candidates.map(readText).find((text) => text !== null) ?? null;
  return { raw, date: parseFeedDate(raw) };
}

export function mapRssItem(item: XmlElement, feedUrl: string, options: MapFeedItemOptions): FeedItemResult {
  const linkElement = first(item, 'link', RSS_NAMESPACES);
  const link = linkElement ? resolveHttpUrl(readText(linkElement), linkElement.base ?? item.base ?? feedUrl) : null;
  const guidElement = first(item, 'guid', RSS_NAMESPACES);
  const guid = readText(guidElement);
  const about = readAttributeNs(item, NS.rdf, 'about')?.trim() || null;
  const titleElement = first(item, 'title', RSS_NAMESPACES);
  const title = readRssTitle(titleElement);
  // `fullitem` is an old alternative to content:encoded that feedparser also reads.
  const bodyElement =
    first(item, 'encoded', CONTENT) ??
    first(item, 'body', XHTML) ??
    first(item, 'fullitem', RSS_NAMESPACES) ??
    first(item, 'description', RSS_NAMESPACES) ??
    first(item, 'description', DC);
  const body = bodyElement ? htmlToText(htmlSource(bodyElement)) : '';
  const date = readDate([
    last(item, 'pubDate', RSS_NAMESPACES),
    last(item, 'date', DC),
    last(item, 'issued', DCTERMS),
    last(item, 'created', DCTERMS),
    last(item, 'modified', DCTERMS),
    last(item, 'published', ATOM_NAMESPACES),
    last(item, 'updated', ATOM_NAMESPACES),
  ]);
  const id = guid ?? about ?? link ?? hashContent([title, body, date.raw]);
  const externalId = formatItemId(feedUrl, id);
  if (date.raw !== null && date.date === null) return reject(externalId, `unparseable date "${date.raw}"`);
  // A guid is the item's address only when the feed says so or leaves it unsaid and it is a URL.
  const isPermaLink = guidElement?.attrs.isPermaLink?.trim().toLowerCase();
  const permalink =
    guid === null || isPermaLink === 'false'
      ? null
      : isPermaLink === 'true'
        ? resolveHttpUrl(guid, guidElement?.base ?? feedUrl)
        : resolveHttpUrl(guid, null);
  const author = readText(first(item, 'creator', DC)) ?? readRssAuthor(readText(first(item, 'author', RSS_NAMESPACES)));
  return buildItem({ externalId, url: link ?? permalink, author, title, body, createdAt: date.date ?? options.now });
}

export function mapAtomEntry(entry: XmlElement, feedUrl: string, options: MapFeedItemOptions): FeedItemResult {
  const atom = new Set([entry.ns, ...ATOM_NAMESPACES]);
  const url = readAtomLink(childElements(entry, 'link', atom), feedUrl);
  const title = readTextConstruct(first(entry, 'title', atom), 'title');
  const body = readTextConstruct(first(entry, 'content', atom), 'body') || readTextConstruct(first(entry, 'summary', atom), 'body');
  const date = readDate([
    last(entry, 'published', atom),
    last(entry, 'issued', atom),
    last(entry, 'created', atom),
    last(entry, 'updated', atom),
    last(entry, 'modified', atom),
    last(entry, 'date', DC),
  ]);
  const id = readText(first(entry, 'id', atom)) ?? url ?? hashContent([title, body, date.raw]);
  const externalId = formatItemId(feedUrl, id);
  if (date.raw !== null && date.date === null) return reject(externalId, `unparseable date "${date.raw}"`);
  const authorElement = first(entry, 'author', atom);
  const name = authorElement
    ? (readText(first(authorElement, 'name', atom)) ?? (authorElement.children.some(isElement) ? null : readText(authorElement)))
    : null;
  const author = name === null ? readText(first(entry, 'creator', DC)) : decodeEntities(name) || null;
  return buildItem({ externalId, url, author, title, body, createdAt: date.date ?? options.now });
}

/** An item that has neither id nor link is known by its content, which is stable across polls. */
function hashContent(parts: Array<string | null>): string {
  return `sha256:${createHash('sha256')
    .update(parts.map((p) => p ?? '').join('\n'))
    .digest('hex')
    .slice(0, 24)}`;
}

function buildItem(fields: {
  externalId: string;
  url: string | null;
  author: string | null;
  title: string;
  body: string;
  createdAt: Date;
}): FeedItemResult {
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

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** Inline elements whose closing tags mark a title as HTML (feedparser's test); anything else stays text. */
const TITLE_MARKUP = new Set([
  'a',
  'abbr',
  'b',
  'big',
  'cite',
  'code',
  'del',
  'dfn',
  'em',
  'font',
  'i',
  'ins',
  'kbd',
  'mark',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strike',
  'strong',
  'sub',
  'sup',
  'tt',
  'u',
  'var',
  'br',
]);

/** True when text has a closing tag and every tag in it is harmless inline markup: `1930ft<sup>2</sup>`, not `<beta>`. */
export function looksLikeHtml(text: string): boolean {
  if (!/<\/[a-z][a-z0-9]*\s*>/i.test(text)) return false;
  const tags = [...text.matchAll(/<\/?([a-z][a-z0-9]*)\b[^>]*>/gi)].map((m) => (m[1] as string).toLowerCase());
  return tags.every((tag) => TITLE_MARKUP.has(tag));
}

/**
 * RSS titles are text, but publishers escape them as HTML (`&amp;amp;`, `&#39;`) and some put inline
 * markup in them: entities are decoded, and markup is rendered as text only when it looks like HTML.
 */
function readRssTitle(element: XmlElement | undefined): string {
  if (!element) return '';
  if (element.children.some(isElement)) return oneLine(htmlToText(serializeChildren(element)));
  const text = textContent(element);
  return looksLikeHtml(text) ? oneLine(htmlToText(text)) : oneLine(decodeEntities(text));
}

/** RSS `author` is an e-mail address, often with the name in parentheses: keep the name. */
function readRssAuthor(value: string | null): string | null {
  if (!value) return null;
  const named = /\(([^)]+)\)\s*$/.exec(value);
  return decodeEntities(named?.[1] ?? value) || null;
}

/** The entry's alternate link (rel absent means alternate), an HTML one first, resolved against its xml:base. */
function readAtomLink(links: XmlElement[], feedUrl: string): string | null {
  const alternates = links.filter((l) => (l.attrs.rel?.trim() || 'alternate') === 'alternate' && (l.attrs.href ?? '').trim() !== '');
  const chosen = alternates.find((l) => /html/i.test(l.attrs.type ?? 'text/html')) ?? alternates[0];
  return chosen ? resolveHttpUrl(chosen.attrs.href, chosen.base ?? feedUrl) : null;
}

/**
 * Atom text constructs. Atom 1.0 says `type="text|html|xhtml"`; Atom 0.3 a MIME type and a `mode`
 * (`xml`, `escaped` or `base64`). Text stays literal (`<blink>` is four letters and brackets), HTML
 * and XHTML are rendered as text; a title becomes one line.
 */
export function readTextConstruct(element: XmlElement | undefined, use: 'title' | 'body'): string {
  if (!element || element.attrs.src !== undefined) return '';
  const type = (element.attrs.type ?? 'text').trim().toLowerCase();
  const mode = (element.attrs.mode ?? 'xml').trim().toLowerCase();
  if (/^(image|audio|video)\/|octet-stream/.test(type)) return '';
  const markup = type === 'xhtml' || type === 'html' || type.includes('html') || element.children.some(isElement);
  let source: string;
  if (mode === 'base64') source = Buffer.from(textContent(element), 'base64').toString('utf8');
  else if (element.children.some(isElement)) source = serializeChildren(element);
  else source = textContent(element);
  if (markup) {
    const text = htmlToText(source);
    return use === 'title' ? oneLine(text) : text;
  }
  return use === 'title' ? oneLine(source) : source.trim();
}

function reject(externalId: string | null, reason: string): FeedItemResult {
  return { kind: 'rejected', rejection: { externalId, reason } };
}
