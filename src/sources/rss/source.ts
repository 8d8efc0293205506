import { createHash } from 'node:crypto';
import type { NormalizedEvent, NormalizedPost } from '../../core/post.ts';
import { runEachTarget } from '../batching.ts';
import { isCursorObject } from '../cursor.ts';
import { UpstreamError } from '../http.ts';
import type { CollectContext, CursorValue, Rejection, Source, SourceBatch } from '../types.ts';
import { FeedParseError, parseFeedXml } from './api-types.ts';
import { FeedClient, type FeedClientOptions, type FeedValidators } from './client.ts';
import { inferFeedKind, toFeedEvent, type FeedKind } from './events.ts';
import { mapFeedItem } from './mapper.ts';
import { decodeFeedBytes } from './xml.ts';
import { createTermMatcher, type TermMatcher } from '../terms.ts';

export interface RssFeed {
  url: string;
  /** Overrides the kind guessed from the URL (status page, changelog, blog). */
  kind?: FeedKind;
}

export interface RssSourceOptions extends FeedClientOptions {
  feeds: Array<string | RssFeed>;
  /** Item ids remembered per feed so a changed feed yields only its new items. */
  maxSeen?: number;
}

/** Conditional-GET validators and the (hashed) ids of the items the feed held last time. */
export interface RssCursor {
  etag: string | null;
  lastModified: string | null;
  seen: string[];
}

const FEED_KEY_PREFIX = 'feed:';

/** The feed a batch came from, read back from its query key; null for a key of another shape. */
export function feedUrlOfQueryKey(queryKey: string): string | null {
  return queryKey.startsWith(FEED_KEY_PREFIX) ? queryKey.slice(FEED_KEY_PREFIX.length) : null;
}

const hashItemId = (externalId: string): string => createHash('sha256').update(externalId).digest('hex').slice(0, 16);

export function createRssSource(options: RssSourceOptions): Source {
  const client = new FeedClient(options);
  const feeds = options.feeds.map((feed) => (typeof feed === 'string' ? { url: feed } : feed));
  const maxSeen = options.maxSeen ?? 1000;

  async function* pollFeed(
    ctx: CollectContext,
    feed: RssFeed,
    stored: RssCursor,
    matcher: TermMatcher,
    runSeen: Set<string>,
  ): AsyncGenerator<SourceBatch> {
    const queryKey = `${FEED_KEY_PREFIX}${feed.url}`;
    const fetched = await client.fetchFeed(feed.url, stored, ctx.signal);
    if (!fetched.modified) {
      yield { queryKey, posts: [], events: [], rejected: [], fetched: 0, cursor: serializeCursor(stored) };
      return;
    }
    let parsed;
    try {
      parsed = parseFeedXml(decodeFeedBytes(fetched.bytes, fetched.contentType).text, feed.url);
    } catch (error) {
      if (!(error instanceof FeedParseError)) throw error;
      throw new UpstreamError(`feed unreadable: ${error.message}`, { url: feed.url, retryable: false, cause: error });
    }
    const kind = feed.kind ?? inferFeedKind(feed.url);
    const before = new Set(stored.seen);
    const seen: string[] = [];
    const posts: NormalizedPost[] = [];
    const events: NormalizedEvent[] = [];
    const rejected: Rejection[] = [];
    const mapped: NormalizedPost[] = [];
    const now = ctx.now();
    let fresh = 0;
    for (const raw of parsed.items) {
      const result = mapFeedItem(raw, parsed.format, feed.url, { now });
      const externalId = result.kind === 'item' ? result.post.externalId : result.rejection.externalId;
      const key = externalId === null ? null : hashItemId(externalId);
      if (key !== null) {
        if (seen.includes(key)) continue;
        seen.push(key);
        if (before.has(key)) continue;
      }
      fresh++;
      if (result.kind === 'rejected') {
        rejected.push(result.rejection);
        continue;
      }
      if (runSeen.has(result.post.externalId)) continue;
      runSeen.add(result.post.externalId);
      mapped.push(result.post);
      const event = toFeedEvent(result.post, kind);
      if (event) events.push(event);
      if (matcher.match(`${result.post.title ?? ''}\n${result.post.body}`).length > 0) posts.push(result.post);
    }
    const cursor: RssCursor = { ...fetched.validators, seen: seen.slice(0, maxSeen) };
    yield { queryKey, posts, events, rejected, fetched: fresh, cursor: serializeCursor(cursor), mapped };
  }

  return {
    name: 'rss',
    skipReason: () => (feeds.length === 0 ? 'no RSS/Atom feeds configured' : null),
    probeUrls: () => feeds.map((feed) => feed.url),

    /** Every feed is tried; failures are collected and thrown together after the others have run. */
    poll(ctx, cursors) {
      const matcher = createTermMatcher(ctx.terms);
      const runSeen = new Set<string>();
      return runEachTarget(
        ctx,
        feeds,
        (feed) => feed.url,
        { one: 'feed', many: 'feeds', source: 'rss' },
        (feed) => pollFeed(ctx, feed, readCursor(cursors.get(`${FEED_KEY_PREFIX}${feed.url}`)), matcher, runSeen),
      );
    },
  };
}

function readCursor(value: CursorValue | undefined): RssCursor {
  const empty: RssCursor = { etag: null, lastModified: null, seen: [] };
  if (!isCursorObject(value)) return empty;
  const text = (v: CursorValue | undefined): string | null => (typeof v === 'string' ? v : null);
  const seen = Array.isArray(value.seen) ? value.seen.filter((id): id is string => typeof id === 'string') : [];
  return { etag: text(value.etag), lastModified: text(value.lastModified), seen };
}

function serializeCursor(cursor: RssCursor & FeedValidators): CursorValue {
  return { etag: cursor.etag, lastModified: cursor.lastModified, seen: cursor.seen };
}
