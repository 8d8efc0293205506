import OpenAI, { APIConnectionTimeoutError, APIError } from 'openai';
import { BUDGET_EXHAUSTED, createDailyBudget, type DailyBudget } from './daily-budget.ts';

export { BUDGET_EXHAUSTED };

export interface LlmEndpointOptions {
  baseUrl: string;
  apiKey: string;
  model: string;
  timeoutMs: number;
  /** Retries on connection errors and 5xx answers; each attempt shares the one budgeted call. */
  maxRetries?: number;
  /** Calls allowed per UTC day, shared by every tier built on this endpoint. */
  dailyBudget: number;
  now?: () => Date;
}

export type LlmCompletion = { ok: true; content: string } | { ok: false; reason: string };

/**
 * One OpenAI-compatible chat endpoint and its daily budget. Every tier of a process (aspects,
 * sentiment) asks through the same endpoint, so LLM_DAILY_BUDGET bounds all of them together.
 */
export interface LlmEndpoint {
  readonly model: string;
  /** One budgeted call. Never throws; the reason never contains the API key. */
  complete(request: { system: string; user: string }): Promise<LlmCompletion>;
  /** Calls made today (UTC), for metrics. */
  callsToday(): number;
}

/** A failure in words that never repeat the request: status codes, not messages (which may echo headers). */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof APIConnectionTimeoutError) return `timeout after ${timeoutMs} ms`;
  if (error instanceof APIError && error.status !== undefined) return `endpoint error ${error.status}`;
  if (error instanceof APIError) return 'endpoint unreachable';
  return 'endpoint call failed';
}

export function createLlmEndpoint(options: LlmEndpointOptions): LlmEndpoint {
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseUrl,
    organization: null,
    project: null,
    webhookSecret: null,
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries ?? 1,
    logLevel: 'off',
  });
  const budget: DailyBudget = createDailyBudget(options.dailyBudget, options.now);
  return {
    model: options.model,
    async complete({ system, user }) {
      if (!budget.tryConsume()) return { ok: false, reason: BUDGET_EXHAUSTED };
      try {
        const completion = await client.chat.completions.create({
          model: options.model,
          temperature: 0,
          response_format: { type: 'json_object' },
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: user },
          ],
        });
        return { ok: true, content: completion.choices?.[0]?.message?.content ?? '' };
      } catch (error) {
        return { ok: false, reason: describeFailure(error, options.timeoutMs) };
      }
    },
    callsToday: () => budget.used(),
  };
}
