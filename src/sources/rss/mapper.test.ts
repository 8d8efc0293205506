import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFeedXml } from './api-types.ts';
import { decodeXml, formatItemId, mapFeedItem, parseFeedDate, type FeedItemResult } from './mapper.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const BLOG = 'https://blog.example.dev/feed.xml';
const CHANGELOG = 'https://tools.example.com/changelog.atom';

function mapAll(name: string, feedUrl: string): FeedItemResult[] {
  const feed = parseFeedXml(fixture(name));
  return feed.items.map((item) => mapFeedItem(item, feed.format, feedUrl));
}

const postOf = (result: FeedItemResult | undefined) => {
  if (result?.kind !== 'item') throw new Error(`expected an item, got ${JSON.stringify(result)}`);
  return result.post;
};

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

  it('rejects an item with neither guid nor link', () => {
    expect(results[4]).toEqual({ kind: 'rejected', rejection: { externalId: null, reason: 'RSS item has neither guid nor link' } });
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
});

describe('parseFeedXml', () => {
  it('rejects malformed XML with its position', () => {
    expect(() => parseFeedXml('<rss><channel><item><title>cut')).toThrow(/malformed XML at line 1/);
  });

  it('rejects a well-formed document that is not a feed', () => {
    expect(() => parseFeedXml('<html><body>Not here</body></html>')).toThrow(/not an RSS or Atom document/);
  });

  it('reads an empty channel as no items', () => {
    expect(parseFeedXml('<rss version="2.0"><channel><title>x</title></channel></rss>').items).toEqual([]);
  });
});

describe('parseFeedDate', () => {
  it('reads RFC-822 with named zones and RFC-3339 with offsets', () => {
    expect(parseFeedDate('Sat, 08 Aug 2026 01:12:45 EST')?.toISOString()).toBe('2026-08-08T06:12:45.000Z');
    expect(parseFeedDate('2026-08-08T01:12:45.5+02:00')?.toISOString()).toBe('2026-08-07T23:12:45.500Z');
  });

  it('refuses text and implausible years', () => {
    expect(parseFeedDate('yesterday')).toBeNull();
    expect(parseFeedDate('Tue, 01 Jan 1901 00:00:00 GMT')).toBeNull();
    expect(parseFeedDate(null)).toBeNull();
  });
});

describe('decodeXml', () => {
  it('decodes entities outside CDATA and leaves CDATA literal', () => {
    expect(decodeXml('a &amp;lt; &#169; &#x1F600; <![CDATA[&amp; <b>]]>')).toBe('a &lt; © 😀 &amp; <b>');
  });
});
