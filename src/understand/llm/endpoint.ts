import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { parseRetryAfter } from '../../core/retry-after.ts';
import { BUDGET_EXHAUSTED, createDailyBudget, type DailyBudget } from './daily-budget.ts';

export { BUDGET_EXHAUSTED };

export interface LlmEndpointOptions {
  baseUrl: string;
  apiKey: string;
  model: string;
  /** For each attempt, the answer's body included. */
  timeoutMs: number;
  /** Retries on connection errors, timeouts, 408, 409, 429 and 5xx answers; each attempt shares the one budgeted call. */
  maxRetries?: number;
  /** Calls allowed per UTC day, shared by every tier built on this endpoint. */
  dailyBudget: number;
  now?: () => Date;
  /** Wait before retry number `attempt` (1 for the first) when the endpoint sent no Retry-After. */
  backoffMs?: (attempt: number) => number;
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

/** The part of a chat completion read here; the rest of the answer is ignored. */
const ChatCompletion = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullish() }).optional() })).optional(),
});

/** A Retry-After longer than this is not waited for: the answer would come too late to help. */
const MAX_RETRY_AFTER_MS = 60_000;

/** Exponential from half a second, at most 8 s, with up to a quarter taken off at random. */
const defaultBackoffMs = (attempt: number): number => Math.min(500 * 2 ** (attempt - 1), 8_000) * (1 - Math.random() / 4);

/** A failed attempt, in words that never repeat the request: status codes, not bodies (which may echo headers). */
class AttemptError extends Error {
  readonly reason: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;

  constructor(reason: string, retryable: boolean, retryAfterMs: number | null = null) {
    super(reason);
    this.reason = reason;
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
  }
}

const isRetryableStatus = (status: number): boolean => status === 408 || status === 409 || status === 429 || status >= 500;

/** POST {baseUrl}/chat/completions once; the message content, or an AttemptError. */
async function postChat(url: string, apiKey: string, body: string, timeoutMs: number): Promise<string> {
  const signal = AbortSignal.timeout(timeoutMs);
  let text: string;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
      body,
      signal,
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new AttemptError(
        `endpoint error ${response.status}`,
        isRetryableStatus(response.status),
        parseRetryAfter(response.headers.get('retry-after')),
      );
    }
    text = await response.text();
  } catch (error) {
    if (error instanceof AttemptError) throw error;
    if (signal.aborted) throw new AttemptError(`timeout after ${timeoutMs} ms`, true);
    throw new AttemptError('endpoint unreachable', true);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AttemptError('endpoint call failed', false);
  }
  const completion = ChatCompletion.safeParse(json);
  if (!completion.success) throw new AttemptError('endpoint call failed', false);
  return completion.data.choices?.[0]?.message?.content ?? '';
}

export function createLlmEndpoint(options: LlmEndpointOptions): LlmEndpoint {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const maxRetries = options.maxRetries ?? 1;
  const backoffMs = options.backoffMs ?? defaultBackoffMs;
  const budget: DailyBudget = createDailyBudget(options.dailyBudget, options.now);
  return {
    model: options.model,
    async complete({ system, user }) {
      if (!budget.tryConsume()) return { ok: false, reason: BUDGET_EXHAUSTED };
      const body = JSON.stringify({
        model: options.model,
        temperature: 0,
        response_format: { type: 'json_object' },
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: user },
        ],
      });
      for (let attempt = 0; ; attempt++) {
        try {
          return { ok: true, content: await postChat(url, options.apiKey, body, options.timeoutMs) };
        } catch (error) {
          const failed = error instanceof AttemptError ? error : new AttemptError('endpoint call failed', false);
          const waitMs = failed.retryAfterMs ?? backoffMs(attempt + 1);
          if (!failed.retryable || attempt >= maxRetries || waitMs > MAX_RETRY_AFTER_MS) return { ok: false, reason: failed.reason };
          await sleep(waitMs);
        }
      }
    },
    callsToday: () => budget.used(),
  };
}
