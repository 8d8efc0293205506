import { childElements, FeedParseError, NS, parseXmlDocument, resolveHttpUrl, textContent, type XmlElement } from './xml.ts';

/**
 * The shapes of the feeds read: RSS 0.9x/2.0 (`<rss>`, items under `<channel>` or, in old feeds,
 * under `<rss>`), RSS 0.90/1.0 (`<rdf:RDF>`, items beside the channel) and Atom 0.3/1.0 (`<feed>`).
 * XML has no schema a zod object could check; the edge is parseXmlDocument, which refuses what is
 * not XML, and this module, which refuses what is not a feed. Items are read field by field.
 */

export { FeedParseError };

/** RSS elements live in no namespace (0.9x, 2.0), or in the RSS 1.0 / 0.90 / UserLand namespaces. */
export const RSS_NAMESPACES: ReadonlySet<string | null> = new Set([
  null,
  NS.rss10,
  NS.rss090,
  'http://backend.userland.com/rss2',
  'http://backend.userland.com/rss',
]);
export const ATOM_NAMESPACES: ReadonlySet<string | null> = new Set([NS.atom10, NS.atom03]);

export type FeedFormat = 'rss' | 'atom';

export interface ParsedFeed {
  format: FeedFormat;
  title: string | null;
  /** The items (RSS) or entries (Atom) in document order, still unchecked: each is mapped on its own. */
  items: XmlElement[];
}

/** RSS or Atom text to its items; `documentUrl` is the base of relative links. Not a feed: FeedParseError. */
export function parseFeedXml(text: string, documentUrl: string | null = null): ParsedFeed {
  refuseHtmlPage(text, documentUrl);
  const root = parseXmlDocument(text, documentUrl);
  if (root.local === 'rss' && RSS_NAMESPACES.has(root.ns)) {
    const channel = childElements(root, 'channel', RSS_NAMESPACES)[0];
    const items = [...(channel ? childElements(channel, 'item', RSS_NAMESPACES) : []), ...childElements(root, 'item', RSS_NAMESPACES)];
    return { format: 'rss', title: readTitle(channel, RSS_NAMESPACES), items };
  }
  if (root.local === 'RDF' && root.ns === NS.rdf) {
    const channel = childElements(root, 'channel', RSS_NAMESPACES)[0];
    const items = [...childElements(root, 'item', RSS_NAMESPACES), ...(channel ? childElements(channel, 'item', RSS_NAMESPACES) : [])];
    return { format: 'rss', title: readTitle(channel, RSS_NAMESPACES), items };
  }
  // An Atom feed that forgot its namespace is still read as Atom.
  if (root.local === 'feed' && (root.ns === null || ATOM_NAMESPACES.has(root.ns))) {
    const vocabulary = new Set([root.ns, ...ATOM_NAMESPACES]);
    return { format: 'atom', title: readTitle(root, vocabulary), items: childElements(root, 'entry', vocabulary) };
  }
  throw new FeedParseError(`not an RSS or Atom document (the root element is <${root.name}>, not <rss>, <rdf:RDF> or <feed>)`);
}

function readTitle(parent: XmlElement | undefined, namespaces: ReadonlySet<string | null>): string | null {
  const title = parent ? childElements(parent, 'title', namespaces)[0] : undefined;
  const text = title ? textContent(title).replace(/\s+/g, ' ').trim() : '';
  return text === '' ? null : text;
}

/**
 * A web page where a feed was expected, the usual mistake when trying a site out: said plainly, with
 * the feed the page advertises (`<link rel="alternate" type="application/rss+xml">`) when it has one.
 */
function refuseHtmlPage(text: string, documentUrl: string | null): void {
  const start = text.replace(/^\uFEFF/, '').replace(/^(?:\s|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(?:\[[\s\S]*?\])?\s*>)*/i, '');
  if (!/^<(?:html|head|body)[\s>]/i.test(start)) return;
  const links = text.match(/<link\b[^>]*>/gi) ?? [];
  const advertised = links.find(
    (tag) => /\btype\s*=\s*["']?application\/(?:rss|atom)\+xml/i.test(tag) && /\brel\s*=\s*["']?alternate/i.test(tag),
  );
  const href = advertised ? /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(advertised) : null;
  const raw = href ? (href[1] ?? href[2] ?? href[3] ?? '').replace(/&amp;/g, '&') : '';
  const feed = raw ? resolveHttpUrl(raw, documentUrl) : null;
  throw new FeedParseError(`an HTML page, not an RSS or Atom feed${feed ? `; the page names its feed: ${feed}` : ''}`);
}
