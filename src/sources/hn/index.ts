export { createHnSource, toHnQueryKey, toHnBackfillKey, HN_FALLBACK_QUERY_KEY, type HnSourceOptions } from './source.ts';
export { HN_ALGOLIA_URL, HN_FIREBASE_URL, HN_ALGOLIA_RATE_LIMIT } from './client.ts';
