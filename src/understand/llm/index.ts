export { createDailyBudget, type DailyBudget } from './daily-budget.ts';
export { BUDGET_EXHAUSTED, createLlmEndpoint, type LlmCompletion, type LlmEndpoint, type LlmEndpointOptions } from './endpoint.ts';
export { createInFlight, createLruCache, type AnswerCache } from './lru-cache.ts';
export type { LlmTierLogger } from './logger.ts';
export { locateQuote, type QuoteSpan } from './evidence.ts';
