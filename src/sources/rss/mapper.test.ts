import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFeedXml } from './api-types.ts';
import { formatItemId, looksLikeHtml, mapFeedItem, type FeedItemResult } from './mapper.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const BLOG = 'https://blog.example.dev/feed.xml';
const CHANGELOG = 'https://tools.example.com/changelog.atom';
const NOW = new Date('2026-11-26T12:00:00Z');

function mapText(text: string, feedUrl: string): FeedItemResult[] {
  const feed = parseFeedXml(text, feedUrl);
  return feed.items.map((item) => mapFeedItem(item, feed.format, feedUrl, { now: NOW }));
}

const mapAll = (name: string, feedUrl: string) => mapText(fixture(name), feedUrl);

const postOf = (result: FeedItemResult | undefined) => {
  if (result?.kind !== 'item') throw new Error(`expected an item, got ${JSON.stringify(result)}`);
  return result.post;
};

/** The first item of an RSS 2.0 document whose one item is `item`. */
const rssItem = (item: string, feedUrl = BLOG) =>
  postOf(mapText(`<rss version="2.0"><channel><item>${item}</item></channel></rss>`, feedUrl)[0]);
/** The first entry of an Atom 1.0 (or, with `ns`, 0.3) document whose one entry is `entry`. */
const atomEntry = (entry: string, attrs = '', ns = 'http://www.w3.org/2005/Atom') =>
  postOf(mapText(`<feed xmlns="${ns}"${attrs}><entry>${entry}</entry></feed>`, CHANGELOG)[0]);

describe('RSS 2.0 items', () => {
  const results = mapAll('blog.rss.xml', BLOG);

  it('maps guid, link, dc:creator and the RFC-822 date with its offset to UTC', () => {
    const post = postOf(results[0]);
    expect(post.externalId).toBe(formatItemId(BLOG, 'post-4411'));
    expect(post.url).toBe('https://blog.example.dev/posts/faster-agents');
    expect(post.author).toBe('Mira Okafor');
    expect(post.createdAt.toISOString()).toBe('2026-11-24T21:30:00.000Z');
    expect(post.score).toBeNull();
  });

  it('prefers content:encoded, drops scripts and keeps code fenced', () => {
    const body = postOf(results[0]).body;
    expect(body).toContain('We rewrote the planner & it is 2x faster.');
    expect(body).toContain('```\nclaude --fast\n```');
    expect(body).not.toMatch(/track|Short teaser/);
  });

  it('decodes entity-escaped descriptions and titles, resolves relative links, keeps the author name', () => {
    const post = postOf(results[1]);
    expect(post.title).toBe("Why we moved off Cursor's <beta> channel");
    expect(post.body).toBe('Too many "surprises" in the beta.');
    expect(post.url).toBe('https://blog.example.dev/posts/cursor-beta');
    expect(post.author).toBe('Sam & Lee');
    expect(post.externalId).toBe(formatItemId(BLOG, 'https://blog.example.dev/posts/cursor-beta'));
  });

  it('uses a permalink guid as the url when there is no link', () => {
    expect(postOf(results[2]).url).toBe('https://blog.example.dev/posts/tomatoes');
  });

  it('rejects an item with a bad date, naming the date', () => {
    expect(results[3]).toEqual({
      kind: 'rejected',
      rejection: { externalId: formatItemId(BLOG, 'https://blog.example.dev/posts/tips'), reason: 'unparseable date "sometime last week"' },
    });
  });

  it('keeps an item with neither guid nor link, known by a hash of its content', () => {
    const post = postOf(results[4]);
    expect(post.externalId).toMatch(new RegExp(`^${formatItemId(BLOG, 'sha256:')}[0-9a-f]{24}$`));
    expect(post.url).toBeNull();
    expect(post.body).toBe('An item with no guid and no link.');
    expect(postOf(mapAll('blog.rss.xml', BLOG)[4]).externalId).toBe(post.externalId);
    expect(rssItem('<description>Another text.</description>').externalId).not.toBe(post.externalId);
  });
});

describe('RSS items as feeds really write them', () => {
  it('dates an item that states no date when the poll first saw it', () => {
    expect(rssItem('<title>Undated</title>').createdAt).toEqual(NOW);
  });

  it('keeps an item with only a link: title and text are optional', () => {
    const post = rssItem('<link>https://example.com/only</link>');
    expect(post).toMatchObject({
      title: null,
      body: '',
      url: 'https://example.com/only',
      externalId: formatItemId(BLOG, 'https://example.com/only'),
    });
  });

  it('uses a guid as the link only when it is a URL and not marked isPermaLink="false"', () => {
    expect(rssItem('<guid>http://guid.example.com/</guid>').url).toBe('http://guid.example.com/');
    expect(rssItem('<guid isPermaLink="false">http://guid.example.com/</guid>').url).toBeNull();
    expect(rssItem('<guid>post-4411</guid>').url).toBeNull();
    expect(rssItem('<guid isPermaLink="true">/p/1</guid>').url).toBe('https://blog.example.dev/p/1');
    expect(rssItem('<link>http://link.example.com/</link><guid>http://guid.example.com/</guid>').url).toBe('http://link.example.com/');
  });

  it('renders a title as HTML only when its tags are inline markup, and leaves other brackets literal', () => {
    expect(rssItem('<title><![CDATA[Flat &#x0024;4300, 1930ft<sup>2</sup>]]></title>').title).toBe('Flat $4300, 1930ft2');
    expect(rssItem('<title>Cursor &amp;lt;beta&amp;gt; channel</title>').title).toBe('Cursor <beta> channel');
    expect(rssItem('<title>Cursor &amp;amp; &lt;script&gt;x()&lt;/script&gt;</title>').title).toBe('Cursor & <script>x()</script>');
    expect(looksLikeHtml('a <b>bold</b> move')).toBe(true);
    expect(looksLikeHtml('x < y and y > z')).toBe(false);
    expect(looksLikeHtml('<beta>')).toBe(false);
  });

  it('reads naked markup, xhtml:body and fullitem as the body', () => {
    expect(rssItem('<description><p>Example <b>naked</b></p></description>').body).toBe('Example naked');
    expect(rssItem('<body xmlns="http://www.w3.org/1999/xhtml"><p>Example content</p></body>').body).toBe('Example content');
    expect(rssItem('<fullitem>&lt;p&gt;Full text&lt;/p&gt;</fullitem><description>teaser</description>').body).toBe('Full text');
  });

  it('takes the last of repeated dates and falls back from pubDate to dc:date', () => {
    expect(rssItem('<pubDate>Thu, 01 Jan 2004 19:48:21 GMT</pubDate>').createdAt.toISOString()).toBe('2004-01-01T19:48:21.000Z');
    const dc = rssItem('<dc:date xmlns:dc="http://purl.org/dc/elements/1.1/">2003-12-31T10:14:55Z</dc:date>');
    expect(dc.createdAt.toISOString()).toBe('2003-12-31T10:14:55.000Z');
    expect(rssItem('<dc:date>2003-12-31T10:14:55Z</dc:date>').createdAt.toISOString()).toBe('2003-12-31T10:14:55.000Z');
  });

  it('reads a link with unescaped ampersands and an entity declared in the DOCTYPE', () => {
    expect(rssItem('<link>http://example/?a=1&b=2&c</link>').url).toBe('http://example/?a=1&b=2&c');
    const [post] = mapText(
      '<!DOCTYPE rss [ <!ENTITY id "tag:example.com,"> ]><rss><channel><item><guid isPermaLink="false">&id;2006:/blog/</guid></item></channel></rss>',
      BLOG,
    );
    expect(postOf(post).externalId).toBe(formatItemId(BLOG, 'tag:example.com,2006:/blog/'));
  });

  it('resolves a relative link against xml:base, else the feed URL', () => {
    expect(rssItem('<link>/relative/uri</link>', 'http://127.0.0.1:8097/feeds/a.xml').url).toBe('http://127.0.0.1:8097/relative/uri');
    const [post] = mapText('<rss xml:base="https://base.example/x/"><channel><item><link>y</link></item></channel></rss>', BLOG);
    expect(postOf(post).url).toBe('https://base.example/x/y');
  });
});

describe('RSS 0.90 and 1.0 (RDF)', () => {
  const rdf = (ns: string, body: string) => `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" ${ns}>${body}</rdf:RDF>`;

  it('reads items beside the channel, with rdf:about as their id', () => {
    const [post] = mapText(
      rdf(
        'xmlns="http://purl.org/rss/1.0/"',
        '<channel rdf:about="x"/><item rdf:about="http://example.org/1"><title>One</title><link>http://example.com/1</link></item>',
      ),
      BLOG,
    );
    expect(postOf(post)).toMatchObject({
      externalId: formatItemId(BLOG, 'http://example.org/1'),
      url: 'http://example.com/1',
      title: 'One',
    });
  });

  it('reads RSS 0.90 and prefixed RSS 1.0 elements', () => {
    expect(
      postOf(mapText(rdf('xmlns="http://my.netscape.com/rdf/simple/0.9/"', '<item><title>Item title</title></item>'), BLOG)[0]).title,
    ).toBe('Item title');
    expect(
      postOf(mapText(rdf('xmlns:rss="http://purl.org/rss/1.0/"', '<rss:item><rss:title>Prefixed</rss:title></rss:item>'), BLOG)[0]).title,
    ).toBe('Prefixed');
  });
});

describe('Atom entries', () => {
  const results = mapAll('changelog.atom.xml', CHANGELOG);

  it('maps id, the alternate link resolved against the feed, author name and published date', () => {
    const post = postOf(results[0]);
    expect(post.externalId).toBe(formatItemId(CHANGELOG, 'urn:example:changelog:2.4.0'));
    expect(post.url).toBe('https://tools.example.com/changelog/2-4');
    expect(post.author).toBe('Release Bot');
    expect(post.createdAt.toISOString()).toBe('2026-11-25T08:15:00.000Z');
  });

  it('reads html titles and content as markup, without scripts', () => {
    const post = postOf(results[0]);
    expect(post.title).toBe('Cursor 2.4 & background agents');
    expect(post.body).toBe('Background agents are now available to everyone.');
  });

  it('reads xhtml summaries in document order and falls back to updated', () => {
    const post = postOf(results[1]);
    expect(post.body).toBe('Fixed tab completion in Cursor.');
    expect(post.createdAt.toISOString()).toBe('2026-11-20T08:00:00.000Z');
    expect(post.author).toBeNull();
  });

  it('keeps text content literal, CDATA included', () => {
    const post = postOf(results[2]);
    expect(post.body).toBe('Use <tab> to accept & move on.');
    expect(post.url).toBeNull();
  });

  it('keeps a text title literal and renders html and xhtml titles as one line of text', () => {
    expect(atomEntry('<title type="text">History of the &lt;blink&gt; tag</title>').title).toBe('History of the <blink> tag');
    expect(atomEntry('<title type="html">Example &lt;b&gt;Atom&lt;/b&gt;</title>').title).toBe('Example Atom');
    expect(atomEntry('<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Example <b>Atom</b></div></title>').title).toBe(
      'Example Atom',
    );
    expect(atomEntry('<title type="html">Q&amp;amp;A session</title>').title).toBe('Q&A session');
  });

  it('keeps an entry with no title, id or date', () => {
    const post = atomEntry('<link href="http://www.example.com/"/>');
    expect(post).toMatchObject({
      title: null,
      url: 'http://www.example.com/',
      createdAt: NOW,
      externalId: formatItemId(CHANGELOG, 'http://www.example.com/'),
    });
  });

  it('prefers the alternate link, an HTML one first, and reads no enclosure as the link', () => {
    expect(atomEntry('<link rel="enclosure" href="http://e.example/a.mp3"/>').url).toBeNull();
    expect(
      atomEntry(
        '<link rel="self" href="http://e.example/self"/><link rel="alternate" type="application/json" href="http://e.example/j"/><link href="http://e.example/h"/>',
      ).url,
    ).toBe('http://e.example/h');
  });

  it('takes the last of repeated updated dates, and published before updated', () => {
    expect(atomEntry('<updated>2010-12-01T10:14:55Z</updated><updated>2003-12-31T10:14:55Z</updated>').createdAt.toISOString()).toBe(
      '2003-12-31T10:14:55.000Z',
    );
    expect(atomEntry('<updated>2010-12-01T10:14:55Z</updated><published>2003-12-31T10:14:55Z</published>').createdAt.toISOString()).toBe(
      '2003-12-31T10:14:55.000Z',
    );
  });

  it('reads no text from content that only points elsewhere (src) and falls back to the summary', () => {
    expect(atomEntry('<content src="http://example.com/movie.mp4" type="video/mp4"/><summary>Sum</summary>').body).toBe('Sum');
  });

  it('resolves links against the xml:base of the feed, the entry and the link, ignoring unusable bases', () => {
    expect(atomEntry('<link href="c"/>', ' xml:base="http://example.com/a/"').url).toBe('http://example.com/a/c');
    expect(atomEntry('<link xml:base="b/" href="c"/>', ' xml:base="http://example.com/a/"').url).toBe('http://example.com/a/b/c');
    expect(atomEntry('<link xml:base="javascript:alert(1)" href="c"/>', ' xml:base="http://example.com/a/"').url).toBe(
      'http://example.com/a/c',
    );
    expect(atomEntry('<link xml:base="http:///example.com/test/" href="c"/>').url).toBe('http://example.com/test/c');
  });
});

describe('Atom 0.3 entries', () => {
  const atom03 = (entry: string) => atomEntry(entry, ' version="0.3"', 'http://purl.org/atom/ns#');

  it('dates an entry by issued, else created, else modified', () => {
    expect(atom03('<issued>2004-01-01T19:48:21Z</issued><modified>2005-01-01T00:00:00Z</modified>').createdAt.toISOString()).toBe(
      '2004-01-01T19:48:21.000Z',
    );
    expect(atom03('<modified>Thu, 01 Jan 2004 19:48:21 GMT</modified>').createdAt.toISOString()).toBe('2004-01-01T19:48:21.000Z');
  });

  it('reads escaped, inline and base64 content by its MIME type and mode', () => {
    expect(atom03('<title type="text/html" mode="escaped">&lt;b&gt;&amp;#38;&lt;/b&gt;</title>').title).toBe('&');
    expect(
      atom03(
        '<content type="application/xhtml+xml"><div xmlns="http://www.w3.org/1999/xhtml">Example <a href="t.html">test</a></div></content>',
      ).body,
    ).toBe('Example test');
    expect(atom03(`<content type="text/plain" mode="base64">${Buffer.from('Plain <text>').toString('base64')}</content>`).body).toBe(
      'Plain <text>',
    );
  });
});
