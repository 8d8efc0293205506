export { createStackExchangeSource, type StackExchangeSourceOptions } from './source.ts';
export { STACKEXCHANGE_BASE_URL, STACKEXCHANGE_RATE_LIMIT } from './client.ts';
