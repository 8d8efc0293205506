export { createRssSource, feedUrlOfQueryKey, type RssFeed, type RssSourceOptions } from './source.ts';
export { RSS_RATE_LIMIT } from './client.ts';
export { classifyFeedItem, inferFeedKind, type FeedKind } from './events.ts';
