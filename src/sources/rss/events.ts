import type { EventKind, NormalizedEvent, NormalizedPost } from '../../core/post.ts';

/** What a feed publishes: status pages report incidents, changelogs releases, blogs either or neither. */
export type FeedKind = 'status' | 'changelog' | 'blog';

const INCIDENT_WORDS =
  /\b(outages?|degraded|degradation|incidents?|resolved|investigating|disruptions?|downtime|elevated error(?:s| rates?)?|service interruption)\b/i;
const RELEASE_WORDS = /\b(releases?|released|releasing|launch(?:es|ed)?|introducing|now available|generally available|changelog)\b/i;
const VERSION = /\b(?:v\d+(?:\.\d+)+|\d+\.\d+\.\d+|version\s+\d+(?:\.\d+)*)\b/i;

/** Status hosts and paths (status.x.com, xstatus.com, /history.atom) mark a status page; changelog-like paths a changelog. */
export function inferFeedKind(feedUrl: string): FeedKind {
  let url: URL;
  try {
    url = new URL(feedUrl);
  } catch {
    return 'blog';
  }
  const host = url.hostname.toLowerCase();
  const path = url.pathname.toLowerCase();
  if (
    host.startsWith('status.') ||
    /status\.[a-z]+$/.test(host.split('.').slice(-2).join('.')) ||
    /\/(status|incidents|history)(\.|\/|$)/.test(path)
  ) {
    return 'status';
  }
  if (/(changelog|releases?|release-notes)/.test(path)) return 'changelog';
  return 'blog';
}

/**
 * The event rule. Every item of a status feed is an incident; elsewhere an incident word in the title
 * (outage, degraded, incident, resolved, investigating, ...) makes an incident; otherwise a changelog item,
 * or a title with a release word (release, launch, introducing, now available, ...) or a version number
 * (v1.2, 1.2.3, "version 4"), makes a release. Other items make no event.
 */
export function classifyFeedItem(title: string, feedKind: FeedKind): EventKind | null {
  if (feedKind === 'status' || INCIDENT_WORDS.test(title)) return 'incident';
  if (feedKind === 'changelog' || RELEASE_WORDS.test(title) || VERSION.test(title)) return 'release';
  return null;
}

export function toFeedEvent(post: NormalizedPost, feedKind: FeedKind): NormalizedEvent | null {
  const title = (post.title ?? post.body.slice(0, 120)).trim();
  if (title === '') return null;
  const kind = classifyFeedItem(title, feedKind);
  if (!kind) return null;
  return {
    kind,
    source: post.source,
    externalId: post.externalId,
    title,
    url: post.url,
    body: post.body || null,
    occurredAt: post.createdAt,
  };
}
