import OpenAI, { APIConnectionTimeoutError, APIError } from 'openai';
import { z } from 'zod';
import { createLruAspectCache, hashAspectRequest, type AspectCache } from './aspect-cache.ts';
import { createDailyBudget } from './daily-budget.ts';
import { ASPECT_NAMES, AspectName, AspectPolarity, type AspectFinding, type TextSpan } from './types.ts';

/** Fields are structured data; the API key is never among them. */
export interface AspectTierLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  debug?(fields: Record<string, unknown>, message: string): void;
}

export interface LlmAspectTierOptions {
  baseUrl: string;
  apiKey: string;
  model: string;
  /** Calls allowed per UTC day; past it the first tier's answer is returned. */
  dailyBudget: number;
  timeoutMs: number;
  /** Retries on connection errors and 5xx answers; each attempt shares the one budgeted call. */
  maxRetries?: number;
  cache?: AspectCache;
  now?: () => Date;
  logger?: AspectTierLogger;
  /** Characters of text sent on each side of the mention; long posts are cut to this window. */
  windowChars?: number;
}

export type AspectTier = 'llm' | 'rules';

export interface RefinedAspects {
  findings: AspectFinding[];
  tier: AspectTier;
  /** Why the rules were kept, or "cached" when the answer came from the cache. */
  reason?: string;
}

export interface LlmAspectTier {
  refine(text: string, span: TextSpan, entitySlug: string, firstTier: AspectFinding[]): Promise<RefinedAspects>;
  /** Calls made today (UTC), for metrics. */
  callsToday(): number;
}

export const LlmAspectAnswer = z.object({
  aspects: z.array(
    z.object({
      aspect: AspectName,
      polarity: AspectPolarity,
      evidence: z.string().min(1),
      confidence: z.number().min(0).max(1).optional(),
    }),
  ),
});
export type LlmAspectAnswer = z.infer<typeof LlmAspectAnswer>;

const SYSTEM_PROMPT = [
  'You label what developer posts say about one named AI model or developer tool.',
  `Aspects (use only these names): ${ASPECT_NAMES.join(', ')}.`,
  'performance = quality of answers or output; cost = pricing; reliability = outages, errors, crashes; ux = interface and workflow;',
  'speed = latency; code_quality = quality of code it writes; context_window = how much it can read or remember;',
  'limits = rate limits and quotas; privacy = data handling; support = help from the vendor; docs = documentation.',
  'Only report aspects the text says something about for the named entity, not for other entities.',
  'Answer with JSON only: {"aspects":[{"aspect":"...","polarity":"positive|neutral|negative","evidence":"exact quote from the text","confidence":0.0-1.0}]}.',
  'The evidence must be copied exactly from the text. Use {"aspects":[]} when no aspect is discussed.',
].join('\n');

const POLAR_SCORE = { positive: 0.7, neutral: 0, negative: -0.7 } as const;

function buildUserPrompt(text: string, span: TextSpan, entitySlug: string, windowChars: number): string {
  const from = Math.max(0, span.start - windowChars);
  const to = Math.min(text.length, span.end + windowChars);
  return [`Entity: ${entitySlug}`, `Mention: "${text.slice(span.start, span.end)}"`, 'Text:', text.slice(from, to)].join('\n');
}

/** The occurrence of `quote` nearest the mention, exact first, then ignoring case. */
function locateEvidence(text: string, quote: string, span: TextSpan): TextSpan | null {
  const find = (haystack: string, needle: string): TextSpan | null => {
    let best: TextSpan | null = null;
    for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
      const candidate = { start: at, end: at + needle.length };
      if (!best || Math.abs(at - span.start) < Math.abs(best.start - span.start)) best = candidate;
    }
    return best;
  };
  const trimmed = quote.trim();
  if (trimmed === '') return null;
  return find(text, trimmed) ?? find(text.toLowerCase(), trimmed.toLowerCase());
}

type Parsed = { ok: true; findings: AspectFinding[] } | { ok: false; reason: string };

/** Reads the model's answer; anything off the fixed list or quoting text that is not there makes it garbage. */
export function parseLlmAnswer(content: string | null | undefined, text: string, span: TextSpan): Parsed {
  if (!content) return { ok: false, reason: 'garbage: empty answer' };
  let json: unknown;
  try {
    json = JSON.parse(content.trim().replace(/^```(?:json)?\s*|\s*```$/g, ''));
  } catch {
    return { ok: false, reason: 'garbage: answer is not JSON' };
  }
  const parsed = LlmAspectAnswer.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `garbage: answer has the wrong shape (${parsed.error.issues[0]?.message ?? 'invalid'})` };
  const findings: AspectFinding[] = [];
  for (const item of parsed.data.aspects) {
    const at = locateEvidence(text, item.evidence, span);
    if (!at) return { ok: false, reason: 'garbage: evidence does not occur in the text' };
    if (findings.some((f) => f.aspect === item.aspect)) continue;
    findings.push({
      aspect: item.aspect,
      polarity: item.polarity,
      score: POLAR_SCORE[item.polarity],
      confidence: item.confidence ?? 0.8,
      evidence: { ...at, text: text.slice(at.start, at.end) },
    });
  }
  return { ok: true, findings };
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof APIConnectionTimeoutError) return `timeout after ${timeoutMs} ms`;
  if (error instanceof APIError && error.status !== undefined) return `endpoint error ${error.status}`;
  if (error instanceof APIError) return 'endpoint unreachable';
  return 'endpoint call failed';
}

/**
 * The optional second tier: asks an OpenAI-compatible chat endpoint about mentions the rules are
 * unsure of. It never throws; on any failure it returns the first tier's findings and the reason.
 */
export function createLlmAspectTier(options: LlmAspectTierOptions): LlmAspectTier {
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
  const cache = options.cache ?? createLruAspectCache();
  const budget = createDailyBudget(options.dailyBudget, options.now);
  const windowChars = options.windowChars ?? 1500;
  const inFlight = new Map<string, Promise<RefinedAspects>>();
  const logger = options.logger;

  async function ask(key: string, text: string, span: TextSpan, entitySlug: string, firstTier: AspectFinding[]): Promise<RefinedAspects> {
    const rules = (reason: string): RefinedAspects => {
      logger?.warn({ model: options.model, entity: entitySlug, reason }, 'aspect second tier fell back to rules');
      return { findings: firstTier, tier: 'rules', reason };
    };
    try {
      const cached = await cache.get(key);
      if (cached) return { findings: cached, tier: 'llm', reason: 'cached' };
    } catch {
      logger?.warn({ model: options.model }, 'aspect cache read failed; asking the endpoint');
    }
    if (!budget.tryConsume()) return { findings: firstTier, tier: 'rules', reason: 'daily budget exhausted' };

    let content: string | null | undefined;
    try {
      const completion = await client.chat.completions.create({
        model: options.model,
        temperature: 0,
        response_format: { type: 'json_object' },
        messages: [
          { role: 'system', content: SYSTEM_PROMPT },
          { role: 'user', content: buildUserPrompt(text, span, entitySlug, windowChars) },
        ],
      });
      content = completion.choices?.[0]?.message?.content;
    } catch (error) {
      return rules(describeFailure(error, options.timeoutMs));
    }
    const parsed = parseLlmAnswer(content, text, span);
    if (!parsed.ok) return rules(parsed.reason);
    try {
      await cache.set(key, parsed.findings);
    } catch {
      logger?.warn({ model: options.model }, 'aspect cache write failed');
    }
    logger?.debug?.({ model: options.model, entity: entitySlug, aspects: parsed.findings.length }, 'aspect second tier answered');
    return { findings: parsed.findings, tier: 'llm' };
  }

  return {
    async refine(text, span, entitySlug, firstTier) {
      const key = hashAspectRequest(options.model, text, span);
      const pending = inFlight.get(key);
      if (pending) return pending;
      const request = ask(key, text, span, entitySlug, firstTier)
        .catch((): RefinedAspects => ({ findings: firstTier, tier: 'rules', reason: 'second tier failed unexpectedly' }))
        .finally(() => inFlight.delete(key));
      inFlight.set(key, request);
      return request;
    },
    callsToday: () => budget.used(),
  };
}
