export { createBlueskySource, type BlueskySourceOptions } from './source.ts';
export { BLUESKY_BASE_URL, BLUESKY_RATE_LIMIT } from './client.ts';
