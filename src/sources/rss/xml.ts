import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { decodeNamedEntity } from '../text.ts';

/**
 * A forgiving XML reader for feeds: bytes to text in the feed's own encoding, the usual publishing
 * mistakes repaired (a misplaced XML declaration, HTML entities, bare ampersands, a DOCTYPE, a cut
 * final tag), then a namespace-aware element tree with xml:base resolved on every element.
 */

export const NS = {
  xml: 'http://www.w3.org/XML/1998/namespace',
  atom10: 'http://www.w3.org/2005/Atom',
  atom03: 'http://purl.org/atom/ns#',
  rss10: 'http://purl.org/rss/1.0/',
  rss090: 'http://my.netscape.com/rdf/simple/0.9/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  dc: 'http://purl.org/dc/elements/1.1/',
  dcterms: 'http://purl.org/dc/terms/',
  content: 'http://purl.org/rss/1.0/modules/content/',
  xhtml: 'http://www.w3.org/1999/xhtml',
} as const;

/** Prefixes feeds often use without declaring them (a real-world habit that strict parsers reject). */
const WELL_KNOWN_PREFIXES: Record<string, string> = {
  xml: NS.xml,
  atom: NS.atom10,
  rdf: NS.rdf,
  dc: NS.dc,
  dcterms: NS.dcterms,
  content: NS.content,
  xhtml: NS.xhtml,
};

export class FeedParseError extends Error {
  override readonly name = 'FeedParseError';
}

export interface XmlText {
  text: string;
}

export interface XmlElement {
  /** The name as written (`dc:creator`). */
  name: string;
  /** The namespace URI it resolves to; null for none. */
  ns: string | null;
  local: string;
  /** Attribute values, entities decoded, keyed by the name as written. */
  attrs: Record<string, string>;
  children: XmlNode[];
  /** The absolute http(s) base URI in effect here: xml:base over the parents' bases over the document URL. */
  base: string | null;
  /** Prefix bindings in scope, for attributes such as `rdf:about`. */
  scope: ReadonlyMap<string, string>;
}

export type XmlNode = XmlElement | XmlText;

export const isElement = (node: XmlNode): node is XmlElement => 'local' in node;

// ---------------------------------------------------------------------------------------------
// Bytes to text

const BOMS: Array<[number[], string]> = [
  [[0xef, 0xbb, 0xbf], 'utf-8'],
  [[0xfe, 0xff], 'utf-16be'],
  [[0xff, 0xfe], 'utf-16le'],
];

/** The charset parameter of a Content-Type header, lowercased; null when absent. */
export function readCharset(contentType: string | null): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase() ?? null;
}

/** The encoding named by the XML declaration, read as ASCII from the first bytes. */
export function readDeclaredEncoding(bytes: Uint8Array): string | null {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  const declaration = /<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  return declaration?.[1]?.toLowerCase() ?? null;
}

function tryDecode(bytes: Uint8Array, label: string): string | null {
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * A feed's bytes as text. A byte-order mark decides; then the HTTP charset, the XML declaration and
 * UTF-8 are tried in that order (UTF-8 first when nothing in the document says otherwise), each only
 * if the bytes are valid in it, since servers and declarations are often wrong; Windows-1252, which
 * accepts any bytes, is the last resort.
 */
export function decodeFeedBytes(bytes: Uint8Array, contentType: string | null = null): { text: string; encoding: string } {
  for (const [mark, label] of BOMS) {
    if (mark.every((byte, i) => bytes[i] === byte))
      return { text: new TextDecoder(label).decode(bytes.subarray(mark.length)), encoding: label };
  }
  if (bytes[0] === 0x3c && bytes[1] === 0x00) return { text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le' };
  if (bytes[0] === 0x00 && bytes[1] === 0x3c) return { text: new TextDecoder('utf-16be').decode(bytes), encoding: 'utf-16be' };
  const declared = readDeclaredEncoding(bytes);
  // Servers often send a default charset=ISO-8859-1 with UTF-8 documents: bytes that are valid UTF-8,
  // in a document that declares UTF-8 or nothing, are UTF-8 (single-byte text is almost never valid UTF-8).
  const utf8First = declared === null || declared === 'utf-8' || declared === 'utf8';
  const candidates = [utf8First ? 'utf-8' : null, readCharset(contentType), declared, 'utf-8'].filter(
    (label): label is string => label !== null,
  );
  for (const label of candidates) {
    // A declaration of UTF-16 in bytes that have no BOM and read as ASCII is a mislabel.
    if (label.startsWith('utf-16') || label === 'unicode') continue;
    const text = tryDecode(bytes, label);
    if (text !== null) return { text, encoding: new TextDecoder(label).encoding };
  }
  return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
}

// ---------------------------------------------------------------------------------------------
// Repairs

const PREDEFINED = new Set(['lt', 'gt', 'amp', 'quot', 'apos']);
const MAX_ENTITY_VALUE = 1024;
const MAX_EXPANSION = 4;

interface Doctype {
  end: number;
  entities: Map<string, string>;
}

/** Reads `<!DOCTYPE ...>` starting at `start`: where it ends and its internal general entities. */
function readDoctype(text: string, start: number): Doctype {
  const entities = new Map<string, string>();
  let i = start + '<!DOCTYPE'.length;
  let quote: string | null = null;
  let subsetStart = -1;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '[') {
      subsetStart = i;
      const close = findSubsetEnd(text, i + 1);
      if (close < 0) throw new FeedParseError('malformed XML: unterminated DOCTYPE');
      const subset = text.slice(i + 1, close);
      for (const match of subset.matchAll(/<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:"([^"]*)"|'([^']*)')\s*>/g)) {
        const name = match[1] as string;
        const value = match[2] ?? match[3] ?? '';
        if (!entities.has(name) && value.length <= MAX_ENTITY_VALUE) entities.set(name, value);
      }
      i = close;
    } else if (c === '>') {
      return { end: i + 1, entities };
    }
  }
  throw new FeedParseError(`malformed XML: unterminated DOCTYPE${subsetStart >= 0 ? ' internal subset' : ''}`);
}

/** The `]` closing a DOCTYPE internal subset, skipping quoted strings and comments. */
function findSubsetEnd(text: string, from: number): number {
  let quote: string | null = null;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) return -1;
      i = end + 2;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === ']') {
      return i;
    }
  }
  return -1;
}

/**
 * Entity references as XML needs them: HTML names (`&hellip;`) become numeric references, names
 * declared in the DOCTYPE their values, unknown names and bare ampersands literal text. CDATA
 * sections and comments are left alone.
 */
function repairReferences(body: string, declared: ReadonlyMap<string, string>): string {
  return body.replace(
    /(<!\[CDATA\[[\s\S]*?(?:\]\]>|$))|(<!--[\s\S]*?(?:-->|$))|&(#[0-9]{1,8};|#x[0-9a-fA-F]{1,8};|[A-Za-z][A-Za-z0-9._-]{0,63};)?/g,
    (match, cdata: string | undefined, comment: string | undefined, ref: string | undefined) => {
      if (cdata !== undefined || comment !== undefined) return match;
      if (ref === undefined) return '&amp;';
      if (ref.startsWith('#')) {
        const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2, -1), 16) : Number(ref.slice(1, -1));
        return isXmlChar(code) ? match : '\uFFFD';
      }
      const name = ref.slice(0, -1);
      if (PREDEFINED.has(name)) return match;
      const value = declared.get(name);
      if (value !== undefined) return value;
      const html = decodeNamedEntity(name);
      if (html !== null) return [...html].map((ch) => `&#${ch.codePointAt(0)};`).join('');
      return `&amp;${ref}`;
    },
  );
}

const isXmlChar = (code: number): boolean =>
  code === 0x9 ||
  code === 0xa ||
  code === 0xd ||
  (code >= 0x20 && code <= 0xd7ff) ||
  (code >= 0xe000 && code <= 0xfffd) ||
  (code >= 0x10000 && code <= 0x10ffff);

/**
 * Repairs what feeds in the wild get wrong and a browser would forgive, keeping everything else
 * for the validator to judge: text before the root element (comments, processing instructions, an
 * XML declaration that is not first, a DOCTYPE) is dropped, entity references repaired, and a last
 * end tag cut before its `>` completed.
 */
export function repairXml(input: string): string {
  const text = input.replace(/^\uFEFF/, '');
  let entities = new Map<string, string>();
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) throw new FeedParseError('malformed XML: unterminated processing instruction');
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) throw new FeedParseError('malformed XML: unterminated comment');
      i = end + 3;
    } else if (text.slice(i, i + 9).toUpperCase() === '<!DOCTYPE') {
      const doctype = readDoctype(text, i);
      entities = doctype.entities;
      i = doctype.end;
    } else {
      break;
    }
  }
  const body = text.slice(i);
  if (body.trim() === '') throw new FeedParseError('empty document: no root element');
  // Values are repaired on their own, so a value's references are never expanded again.
  const declared = new Map([...entities].map(([name, value]) => [name, repairReferences(value, new Map())]));
  let repaired = repairReferences(body, declared);
  if (repaired.length > MAX_EXPANSION * body.length + 65_536) throw new FeedParseError('DOCTYPE entities expand the document too far');
  repaired = repaired.replace(/(<\/[A-Za-z_][\w.:-]*)\s*$/, '$1>');
  return repaired;
}

// ---------------------------------------------------------------------------------------------
// Tree

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  cdataPropName: '#cdata',
  commentPropName: '#comment',
  ignoreDeclaration: true,
  ignorePiTags: true,
});

/** Decodes the predefined and numeric references left in text after repairXml. */
export function decodeXmlEntities(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|quot|apos|amp);/g, (entity, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return isXmlChar(code) ? String.fromCodePoint(code) : '\uFFFD';
    }
    return { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }[name] ?? entity;
  });
}

type RawNode = Record<string, unknown>;

/** Resolves `href` against `base`; only absolute http(s) results count. */
export function resolveHttpUrl(href: string | null | undefined, base: string | null): string | null {
  if (!href) return null;
  try {
    const url = base ? new URL(href.trim(), base) : new URL(href.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function splitName(name: string): [prefix: string, local: string] {
  const colon = name.indexOf(':');
  return colon < 0 ? ['', name] : [name.slice(0, colon), name.slice(colon + 1)];
}

function buildElement(raw: RawNode, parentScope: ReadonlyMap<string, string>, parentBase: string | null): XmlElement | null {
  const name = Object.keys(raw).find((key) => key !== ':@');
  if (name === undefined || name.startsWith('#') || name.startsWith('?') || name.startsWith('!')) return null;
  const attrs: Record<string, string> = {};
  for (const [key, value] of Object.entries((raw[':@'] as Record<string, unknown> | undefined) ?? {})) {
    attrs[key] = typeof value === 'string' ? decodeXmlEntities(value) : '';
  }
  const declared = Object.entries(attrs)
    .filter(([key]) => key === 'xmlns' || key.startsWith('xmlns:'))
    .map(([key, value]): [string, string] => [key === 'xmlns' ? '' : key.slice(6), value]);
  const scope = declared.length === 0 ? parentScope : new Map([...parentScope, ...declared]);
  const [prefix, local] = splitName(name);
  const ns = prefix === '' ? scope.get('') || null : (scope.get(prefix) ?? WELL_KNOWN_PREFIXES[prefix] ?? null);
  const xmlBase = attrs['xml:base'];
  const base = xmlBase === undefined ? parentBase : (resolveHttpUrl(xmlBase, parentBase) ?? parentBase);
  const element: XmlElement = { name, ns, local, attrs, children: [], base, scope };
  for (const child of (raw[name] as RawNode[] | undefined) ?? []) {
    if ('#text' in child) element.children.push({ text: decodeXmlEntities(String(child['#text'])) });
    else if ('#cdata' in child) {
      const parts = (child['#cdata'] as RawNode[] | undefined) ?? [];
      element.children.push({ text: parts.map((part) => String(part['#text'] ?? '')).join('') });
    } else {
      const nested = buildElement(child, scope, base);
      if (nested) element.children.push(nested);
    }
  }
  return element;
}

/**
 * Text to the document's root element. Repairs first (see repairXml); what is still not XML
 * throws FeedParseError naming the line and column.
 */
export function parseXmlDocument(text: string, documentUrl: string | null): XmlElement {
  const repaired = repairXml(text);
  const valid = XMLValidator.validate(repaired);
  if (valid !== true) {
    const unclosed = /^Invalid '(\[.*\])' found\.$/.exec(valid.err.msg);
    if (unclosed?.[1]) {
      const names = (JSON.parse(unclosed[1]) as string[]).map((name) => `<${name}>`).join('');
      throw new FeedParseError(`malformed XML: the document ends inside ${names} (cut short?)`);
    }
    throw new FeedParseError(`malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  }
  const nodes = parser.parse(repaired) as RawNode[];
  const scope = new Map<string, string>([['xml', NS.xml]]);
  const base = resolveHttpUrl(documentUrl, null);
  for (const node of nodes) {
    const element = buildElement(node, scope, base);
    if (element) return element;
  }
  throw new FeedParseError('empty document: no root element');
}

// ---------------------------------------------------------------------------------------------
// Reading

export function childElements(element: XmlElement, local: string, namespaces: ReadonlySet<string | null>): XmlElement[] {
  return element.children.filter((node): node is XmlElement => isElement(node) && node.local === local && namespaces.has(node.ns));
}

/** The concatenated text of the element and its descendants. */
export function textContent(node: XmlNode): string {
  return isElement(node) ? node.children.map(textContent).join('') : node.text;
}

/** An attribute by namespace and local name, whatever prefix the document bound to it. */
export function readAttributeNs(element: XmlElement, ns: string, local: string): string | null {
  for (const [key, value] of Object.entries(element.attrs)) {
    const [prefix, name] = splitName(key);
    if (name !== local || prefix === '') continue;
    if ((element.scope.get(prefix) ?? WELL_KNOWN_PREFIXES[prefix]) === ns) return value;
  }
  return null;
}

const VOID_ELEMENTS = new Set(['area', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const escapeText = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttribute = (text: string): string => escapeText(text).replace(/"/g, '&quot;');

/** The element's children as HTML markup (inline XHTML or naked markup in a description). */
export function serializeChildren(element: XmlElement): string {
  return element.children.map(serializeNode).join('');
}

function serializeNode(node: XmlNode): string {
  if (!isElement(node)) return escapeText(node.text);
  const attrs = Object.entries(node.attrs)
    .filter(([key]) => key !== 'xmlns' && !key.startsWith('xmlns:') && !key.startsWith('xml:'))
    .map(([key, value]) => ` ${splitName(key)[1]}="${escapeAttribute(value)}"`)
    .join('');
  const tag = node.local.toLowerCase();
  if (VOID_ELEMENTS.has(tag) && node.children.length === 0) return `<${tag}${attrs}>`;
  return `<${tag}${attrs}>${serializeChildren(node)}</${tag}>`;
}

/** HTML held by an element: escaped or CDATA markup as text, or naked markup as child elements. */
export function htmlSource(element: XmlElement): string {
  return element.children.some(isElement) ? serializeChildren(element) : textContent(element);
}
