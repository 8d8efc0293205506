export { createDevtoSource, toDevtoBackfillKey, DEVTO_QUERY_KEY, type DevtoSourceOptions } from './source.ts';
export { DEVTO_API_URL, DEVTO_RATE_LIMIT } from './client.ts';
