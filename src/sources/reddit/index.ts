export {
  createRedditSource,
  buildRedditQuery,
  chooseTimeFilter,
  toRedditQueryKey,
  toRedditBackfillKey,
  REDDIT_LISTING_CAP,
  type RedditSourceOptions,
} from './source.ts';
export { REDDIT_WWW_URL, REDDIT_OAUTH_URL, REDDIT_OAUTH_RATE_LIMIT, REDDIT_ANONYMOUS_RATE_LIMIT } from './client.ts';
