import { describe, expect, it } from 'vitest';
import { parseFeedXml } from './api-types.ts';
import { decodeFeedBytes, FeedParseError, parseXmlDocument, repairXml, textContent, type XmlElement } from './xml.ts';

const latin1 = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
const firstChild = (element: XmlElement): XmlElement => element.children.find((c): c is XmlElement => 'local' in c)!;

describe('decodeFeedBytes', () => {
  const body = '<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><title>Not\xedcias</title></channel></rss>';

  it('reads the encoding the XML declaration names', () => {
    expect(decodeFeedBytes(latin1(body), 'application/xml')).toMatchObject({
      text: expect.stringContaining('Notícias'),
      encoding: 'windows-1252',
    });
  });

  it('prefers a byte-order mark, then a charset the bytes are valid in', () => {
    const utf16 = new Uint8Array([0xff, 0xfe, ...Buffer.from('<rss/>', 'utf16le')]);
    expect(decodeFeedBytes(utf16, 'text/xml; charset=iso-8859-1')).toEqual({ text: '<rss/>', encoding: 'utf-16le' });
    const greek = new Uint8Array([...Buffer.from('<t>'), 0xe1, 0xe2, ...Buffer.from('</t>')]);
    expect(decodeFeedBytes(greek, 'text/xml; charset="ISO-8859-7"').text).toBe('<t>αβ</t>');
  });

  it('falls back from a wrong UTF-8 label to Windows-1252 rather than lose characters', () => {
    const mislabelled = latin1('<?xml version="1.0" encoding="utf-8"?><t>M\xe3e</t>');
    expect(decodeFeedBytes(mislabelled, 'text/xml; charset=utf-8')).toMatchObject({
      text: expect.stringContaining('Mãe'),
      encoding: 'windows-1252',
    });
  });

  it('reads UTF-8 sent with a default single-byte charset as UTF-8', () => {
    const utf8 = new Uint8Array(Buffer.from('<?xml version="1.0" encoding="UTF-8"?><t>café</t>'));
    expect(decodeFeedBytes(utf8, 'text/xml; charset=ISO-8859-1').text).toContain('café');
    expect(decodeFeedBytes(new Uint8Array(Buffer.from('<t>café</t>')), 'text/xml; charset=ISO-8859-1').text).toBe('<t>café</t>');
  });

  it('reads UTF-8 without any label', () => {
    expect(decodeFeedBytes(new Uint8Array(Buffer.from('<t>café ✓</t>')), null)).toEqual({ text: '<t>café ✓</t>', encoding: 'utf-8' });
  });
});

describe('repairXml', () => {
  it('drops comments, processing instructions and an XML declaration that is not first', () => {
    expect(repairXml('\uFEFF\n<!-- about -->\n<?xml version="1.0"?>\n<rss/>')).toBe('<rss/>');
  });

  it('drops the DOCTYPE, expanding its internal entities once and ignoring parameter entities', () => {
    const text =
      '<!DOCTYPE rss [\n<!ENTITY % lat1 PUBLIC "-//W3C//x" "http://x/lat1.ent">\n%lat1;\n<!ENTITY id "tag:&amp;x,">\n]><rss>&id;</rss>';
    expect(repairXml(text)).toBe('<rss>tag:&amp;x,</rss>');
  });

  it('turns HTML entities into characters, keeps unknown ones as text and escapes bare ampersands', () => {
    expect(repairXml('<t>&hellip;&nbsp;&real; &doesnotexist; a=1&b=2 &amp; &#8217;</t>')).toBe(
      '<t>&#8230;&#160;&#8476; &amp;doesnotexist; a=1&amp;b=2 &amp; &#8217;</t>',
    );
    expect(textContent(parseXmlDocument('<t>&doesnotexist; &nbsp;</t>', null))).toBe('&doesnotexist; \u00a0');
  });

  it('leaves CDATA sections and comments alone', () => {
    expect(repairXml('<t><![CDATA[a & b &nbsp;]]><!-- c & d --></t>')).toBe('<t><![CDATA[a & b &nbsp;]]><!-- c & d --></t>');
  });

  it('completes a last end tag cut before its >', () => {
    expect(repairXml('<rss version="2.0">\n</rss')).toBe('<rss version="2.0">\n</rss>');
  });

  it('refuses an empty document and entities that would blow the document up', () => {
    expect(() => repairXml('<!-- nothing -->\n')).toThrow(/empty document/);
    const bomb = `<!DOCTYPE t [<!ENTITY a "${'x'.repeat(1000)}">]><t>${'&a;'.repeat(10_000)}</t>`;
    expect(() => repairXml(bomb)).toThrow(FeedParseError);
  });
});

describe('parseXmlDocument', () => {
  it('resolves namespaces, undeclared well-known prefixes included', () => {
    const root = parseXmlDocument('<a xmlns="urn:x" xmlns:p="urn:p"><p:b/><dc:c/><d xmlns=""/></a>', null);
    const [b, c, d] = root.children.filter((n): n is XmlElement => 'local' in n);
    expect([root.ns, b?.ns, b?.local, c?.ns, d?.ns]).toEqual(['urn:x', 'urn:p', 'b', 'http://purl.org/dc/elements/1.1/', null]);
  });

  it('resolves xml:base down the tree against the document URL, keeping the parent base for an unusable one', () => {
    const root = parseXmlDocument(
      '<a xml:base="x/"><b xml:base="javascript:void(0)"><c xml:base="/y/"/></b></a>',
      'https://h.example/feeds/f.xml',
    );
    const b = firstChild(root);
    expect([root.base, b.base, firstChild(b).base]).toEqual([
      'https://h.example/feeds/x/',
      'https://h.example/feeds/x/',
      'https://h.example/y/',
    ]);
  });

  it('decodes text and attributes once: an escaped entity stays an entity', () => {
    const root = parseXmlDocument('<a t="1&amp;2">&amp;lt; <![CDATA[&amp;]]></a>', null);
    expect([root.attrs.t, textContent(root)]).toEqual(['1&2', '&lt; &amp;']);
  });

  it('names where malformed XML breaks, and says when a document was cut short', () => {
    expect(() => parseXmlDocument('<rss><channel><item><title><![CD', null)).toThrow(
      'malformed XML: the document ends inside <rss><channel><item><title> (cut short?)',
    );
    expect(() => parseXmlDocument('<a><b></a>', null)).toThrow(/malformed XML at line 1/);
  });
});

describe('parseFeedXml', () => {
  it('rejects malformed XML with its position', () => {
    expect(() => parseFeedXml('<rss><channel><item><title>cut</channel></rss>')).toThrow(/malformed XML at line 1/);
  });

  it('rejects a well-formed document that is not a feed, naming its root', () => {
    expect(() => parseFeedXml('<opml><body/></opml>')).toThrow(
      'not an RSS or Atom document (the root element is <opml>, not <rss>, <rdf:RDF> or <feed>)',
    );
  });

  it('says an HTML page is not a feed, and names the feed the page advertises', () => {
    const page =
      '<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>Hi</body></html>';
    expect(() => parseFeedXml(page, 'https://blog.example.dev/')).toThrow(
      'an HTML page, not an RSS or Atom feed; the page names its feed: https://blog.example.dev/feed.xml',
    );
    expect(() => parseFeedXml('<head><title>Moved</title></head>\n<body>here</body>')).toThrow('an HTML page, not an RSS or Atom feed');
  });

  it('reads an RSS document whose DOCTYPE is XHTML as RSS', () => {
    expect(
      parseFeedXml(
        '<?xml version="1.0"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "http://x/"><rss><channel><title>found</title></channel></rss>',
      ).title,
    ).toBe('found');
  });

  it('reads items of an RSS 0.9x document without a channel, an empty channel, and Atom without its namespace', () => {
    expect(parseFeedXml('<rss><item><title>a</title></item></rss>').items).toHaveLength(1);
    expect(parseFeedXml('<rss version="2.0"><channel><title>x</title></channel></rss>').items).toEqual([]);
    expect(parseFeedXml('<feed><entry><title>a</title></entry></feed>')).toMatchObject({ format: 'atom', items: [expect.anything()] });
  });
});
