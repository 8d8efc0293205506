import { describe, expect, it } from 'vitest';
import { classifyFeedItem, inferFeedKind, toFeedEvent } from './events.ts';

describe('inferFeedKind', () => {
  it('recognises status pages by host and path', () => {
    expect(inferFeedKind('https://status.example.ai/history.atom')).toBe('status');
    expect(inferFeedKind('https://www.examplestatus.com/history.rss')).toBe('status');
    expect(inferFeedKind('https://example.com/incidents.rss')).toBe('status');
  });

  it('recognises changelogs and release feeds by path', () => {
    expect(inferFeedKind('https://tools.example.com/changelog.atom')).toBe('changelog');
    expect(inferFeedKind('https://github.com/acme/cli/releases.atom')).toBe('changelog');
  });

  it('treats everything else, and an unparseable URL, as a blog', () => {
    expect(inferFeedKind('https://blog.example.dev/feed.xml')).toBe('blog');
    expect(inferFeedKind('not a url')).toBe('blog');
  });
});

describe('classifyFeedItem', () => {
  it('makes every status-page item an incident', () => {
    expect(classifyFeedItem('Scheduled maintenance', 'status')).toBe('incident');
  });

  it('finds incidents by title words on any feed', () => {
    expect(classifyFeedItem('Partial outage of the API', 'blog')).toBe('incident');
    expect(classifyFeedItem('Degraded performance for completions', 'changelog')).toBe('incident');
    expect(classifyFeedItem('Investigating elevated error rates', 'blog')).toBe('incident');
  });

  it('finds releases by words and version numbers', () => {
    expect(classifyFeedItem('Introducing the new agent mode', 'blog')).toBe('release');
    expect(classifyFeedItem('Model X is now available in the EU', 'blog')).toBe('release');
    expect(classifyFeedItem('v2.4 is out', 'blog')).toBe('release');
    expect(classifyFeedItem('What changed in 1.12.3', 'blog')).toBe('release');
    expect(classifyFeedItem('Fixes', 'changelog')).toBe('release');
  });

  it('leaves ordinary posts without an event, even with decimals in the title', () => {
    expect(classifyFeedItem('Why I switched editors', 'blog')).toBeNull();
    expect(classifyFeedItem('Getting 2.5x more done with agents', 'blog')).toBeNull();
  });
});

describe('toFeedEvent', () => {
  it('makes no event of an item with neither title nor text, even on a status page', () => {
    const post = {
      source: 'rss',
      externalId: 'x',
      url: 'https://status.example.ai/i/1',
      author: null,
      title: null,
      body: '',
      createdAt: new Date(),
      score: null,
      comments: null,
      parentId: null,
      threadId: null,
    };
    expect(toFeedEvent(post, 'status')).toBeNull();
    expect(toFeedEvent({ ...post, title: 'Elevated errors' }, 'status')?.kind).toBe('incident');
  });
});
