import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { HOSTILE, sampleAlert } from '../../test/support/alert-messages.ts';
import { atomEntryId, renderAtomFeed } from './atom.ts';

const SELF = 'http://127.0.0.1:8080/api/v1/alerts/7/feed.atom';
const DASHBOARD = 'http://127.0.0.1:8080/alerts/7';

type Node = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', isArray: (name) => ['entry', 'link'].includes(name) });

function parse(xml: string): { feed: Node; entries: Node[] } {
  expect(XMLValidator.validate(xml)).toBe(true);
  const feed = (parser.parse(xml) as { feed: Node }).feed;
  return { feed, entries: (feed.entry as Node[] | undefined) ?? [] };
}

const links = (node: Node) => node.link as Array<Record<string, string>>;
const text = (value: unknown): string => (typeof value === 'object' && value !== null ? String((value as Node)['#text']) : String(value));

describe('renderAtomFeed', () => {
  const older = sampleAlert({ id: 'alert-7-spike-1001', firedAt: '2026-02-20T08:00:00Z', headline: 'Older alert' });
  const newer = sampleAlert();
  const xml = renderAtomFeed({
    rule: { id: 7, name: 'Claude Code negativity' },
    selfUrl: SELF,
    dashboardUrl: DASHBOARD,
    alerts: [older, newer],
  });

  it('is a valid Atom 1.0 feed: id, title, updated (the newest alert), self and alternate links, author', () => {
    const { feed } = parse(xml);
    expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.id).toBe(SELF);
    expect(text(feed.title)).toBe('VibeCheck alerts: Claude Code negativity');
    expect(feed.updated).toBe('2026-03-01T18:30:00.000Z');
    expect(links(feed)).toEqual([
      { '@_rel': 'self', '@_type': 'application/atom+xml', '@_href': SELF },
      { '@_rel': 'alternate', '@_type': 'text/html', '@_href': DASHBOARD },
    ]);
    expect(feed.author).toEqual({ name: 'VibeCheck' });
  });

  it('has one entry per alert, newest first, its id from the message id, linking to the dashboard and the posts', () => {
    const { entries } = parse(xml);
    expect(entries.map((e) => e.id)).toEqual([atomEntryId(newer.id), atomEntryId(older.id)]);
    expect(entries[0]!.id).toBe('urn:vibecheck:alert:alert-7-spike-1042');
    const entry = entries[0]!;
    expect(text(entry.title)).toBe(newer.headline);
    expect(entry.updated).toBe('2026-03-01T18:30:00.000Z');
    expect((entry.content as Node)['@_type']).toBe('html');
    const hrefs = links(entry).map((l) => [l['@_rel'], l['@_href']]);
    expect(hrefs).toEqual([
      ['alternate', newer.dashboardUrl],
      ['related', 'https://news.ycombinator.com/item?id=41234567&p=2'],
      ['related', 'https://www.reddit.com/r/ClaudeAI/comments/abc/limits_(again)/'],
    ]);
  });

  it('carries hostile post text as escaped HTML: readers see the text, never markup or a javascript: link', () => {
    const { entries } = parse(xml);
    const html = text(entries[0]!.content);
    expect(html).toContain('<h2');
    expect(html).toContain('Ignore this &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;@U123&gt;');
    expect(html).toContain('&lt;/li&gt;&lt;/ul&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).not.toMatch(/<script|<img/);
    expect(xml).not.toContain(HOSTILE.url);
  });

  it('drops characters XML cannot carry, so a post with control characters still gives a valid feed', () => {
    const nasty = sampleAlert({ headline: 'bell\u0007 null\u0000 lone\ud800 pair😀 end' });
    const { entries } = parse(renderAtomFeed({ rule: { id: 7, name: 'r' }, selfUrl: SELF, dashboardUrl: DASHBOARD, alerts: [nasty] }));
    expect(text(entries[0]!.title)).toBe('bell null lone pair😀 end');
  });

  it('is valid with no alerts yet, updated now', () => {
    const now = new Date('2026-03-02T00:00:00Z');
    const { feed, entries } = parse(
      renderAtomFeed({ rule: { id: 9, name: 'quiet & <calm>' }, selfUrl: SELF, dashboardUrl: DASHBOARD, alerts: [], now }),
    );
    expect(entries).toEqual([]);
    expect(feed.updated).toBe('2026-03-02T00:00:00.000Z');
    expect(text(feed.title)).toBe('VibeCheck alerts: quiet & <calm>');
  });
});
