import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';

/** A parsed XML element: plain text, or an object carrying `#text` and `@_` attributes. */
export const XmlNode = z.union([z.string(), z.looseObject({ '#text': z.string().optional() })]);
export type XmlNode = z.infer<typeof XmlNode>;

const OneOrMany = <T extends z.ZodType>(schema: T) => z.union([schema, z.array(schema)]);

export const RssItem = z.looseObject({
  title: XmlNode.optional(),
  link: OneOrMany(XmlNode).optional(),
  description: XmlNode.optional(),
  'content:encoded': XmlNode.optional(),
  guid: XmlNode.optional(),
  pubDate: XmlNode.optional(),
  'dc:date': XmlNode.optional(),
  'dc:creator': OneOrMany(XmlNode).optional(),
  author: XmlNode.optional(),
  category: OneOrMany(XmlNode).optional(),
});
export type RssItem = z.infer<typeof RssItem>;

export const AtomPerson = z.looseObject({ name: XmlNode.optional() });
export type AtomPerson = z.infer<typeof AtomPerson>;

export const AtomEntry = z.looseObject({
  id: XmlNode.optional(),
  title: XmlNode,
  updated: XmlNode.optional(),
  published: XmlNode.optional(),
  link: OneOrMany(XmlNode).optional(),
  author: OneOrMany(z.union([AtomPerson, z.string()])).optional(),
  summary: XmlNode.optional(),
  content: XmlNode.optional(),
});
export type AtomEntry = z.infer<typeof AtomEntry>;

const RssDocument = z.object({
  rss: z.object({ channel: z.looseObject({ title: XmlNode.optional(), item: z.array(z.unknown()).optional() }) }),
});
const RdfDocument = z.object({ 'rdf:RDF': z.looseObject({ item: z.array(z.unknown()).optional() }) });
const AtomDocument = z.object({ feed: z.looseObject({ title: XmlNode.optional(), entry: z.array(z.unknown()).optional() }) });

export type FeedFormat = 'rss' | 'atom';

/** The feed's items, still unchecked: each one is validated on its own so one bad item is only rejected. */
export interface ParsedFeed {
  format: FeedFormat;
  title: string | null;
  items: unknown[];
}

export class FeedParseError extends Error {
  override readonly name = 'FeedParseError';
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => name === 'item' || name === 'entry',
  // Atom XHTML content must stay markup; parsed as elements its text order would be lost.
  stopNodes: ['feed.entry.content', 'feed.entry.summary'],
});

/** RSS 2.0, RSS 1.0 (RDF) or Atom text to its items; a malformed or foreign document throws FeedParseError. */
export function parseFeedXml(text: string): ParsedFeed {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new FeedParseError(`malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  }
  const document: unknown = parser.parse(text);
  const rss = RssDocument.safeParse(document);
  if (rss.success) {
    return { format: 'rss', title: readText(rss.data.rss.channel.title), items: rss.data.rss.channel.item ?? [] };
  }
  const rdf = RdfDocument.safeParse(document);
  if (rdf.success) return { format: 'rss', title: null, items: rdf.data['rdf:RDF'].item ?? [] };
  const atom = AtomDocument.safeParse(document);
  if (atom.success) return { format: 'atom', title: readText(atom.data.feed.title), items: atom.data.feed.entry ?? [] };
  throw new FeedParseError('not an RSS or Atom document (no <rss><channel>, <rdf:RDF> or <feed> root)');
}

/** Text content of a node, or null when it is empty. */
export function readText(node: XmlNode | XmlNode[] | undefined): string | null {
  const first = Array.isArray(node) ? node[0] : node;
  if (first === undefined) return null;
  const text = typeof first === 'string' ? first : (first['#text'] ?? '');
  return text.trim() === '' ? null : text.trim();
}

export function readAttribute(node: XmlNode, name: string): string | null {
  if (typeof node === 'string') return null;
  const value = node[`@_${name}`];
  return typeof value === 'string' ? value : null;
}
