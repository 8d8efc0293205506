import { z } from 'zod';
import { BUDGET_EXHAUSTED } from '../llm/daily-budget.ts';
import { parseJsonAnswer } from '../llm/answer.ts';
import type { LlmEndpoint } from '../llm/endpoint.ts';
import { locateQuote } from '../llm/evidence.ts';
import type { LlmTierLogger } from '../llm/logger.ts';
import { createInFlight } from '../llm/lru-cache.ts';
import { createLruAspectCache, hashAspectRequest, type AspectCache } from './aspect-cache.ts';
import { ASPECT_NAMES, AspectName, AspectPolarity, type AspectFinding, type TextSpan } from './types.ts';

/** Fields are structured data; the API key is never among them. */
export type AspectTierLogger = LlmTierLogger;

export interface LlmAspectTierOptions {
  /** The endpoint and its daily budget, shared with the other LLM tiers of the process. */
  endpoint: LlmEndpoint;
  cache?: AspectCache;
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
  /** Calls made today (UTC) through the endpoint, by every tier that shares it; for metrics. */
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

type Parsed = { ok: true; findings: AspectFinding[] } | { ok: false; reason: string };

/** Reads the model's answer; anything off the fixed list or quoting text that is not there makes it garbage. */
export function parseLlmAnswer(content: string | null | undefined, text: string, span: TextSpan): Parsed {
  const parsed = parseJsonAnswer(content, LlmAspectAnswer);
  if (!parsed.ok) return parsed;
  const findings: AspectFinding[] = [];
  for (const item of parsed.value.aspects) {
    const at = locateQuote(text, item.evidence, span.start);
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

/**
 * The optional second tier: asks an OpenAI-compatible chat endpoint about mentions the rules are
 * unsure of. It never throws; on any failure it returns the first tier's findings and the reason.
 */
export function createLlmAspectTier(options: LlmAspectTierOptions): LlmAspectTier {
  const { endpoint, logger } = options;
  const cache = options.cache ?? createLruAspectCache();
  const windowChars = options.windowChars ?? 1500;
  const shared = createInFlight<RefinedAspects>();

  async function ask(key: string, text: string, span: TextSpan, entitySlug: string, firstTier: AspectFinding[]): Promise<RefinedAspects> {
    const rules = (reason: string): RefinedAspects => {
      logger?.warn({ model: endpoint.model, entity: entitySlug, reason }, 'aspect second tier fell back to rules');
      return { findings: firstTier, tier: 'rules', reason };
    };
    try {
      const cached = await cache.get(key);
      if (cached) return { findings: cached, tier: 'llm', reason: 'cached' };
    } catch {
      logger?.warn({ model: endpoint.model }, 'aspect cache read failed; asking the endpoint');
    }
    const answer = await endpoint.complete({ system: SYSTEM_PROMPT, user: buildUserPrompt(text, span, entitySlug, windowChars) });
    if (!answer.ok)
      return answer.reason === BUDGET_EXHAUSTED ? { findings: firstTier, tier: 'rules', reason: answer.reason } : rules(answer.reason);
    const parsed = parseLlmAnswer(answer.content, text, span);
    if (!parsed.ok) return rules(parsed.reason);
    try {
      await cache.set(key, parsed.findings);
    } catch {
      logger?.warn({ model: endpoint.model }, 'aspect cache write failed');
    }
    logger?.debug?.({ model: endpoint.model, entity: entitySlug, aspects: parsed.findings.length }, 'aspect second tier answered');
    return { findings: parsed.findings, tier: 'llm' };
  }

  return {
    refine(text, span, entitySlug, firstTier) {
      const key = hashAspectRequest(endpoint.model, text, span);
      return shared(key, () =>
        ask(key, text, span, entitySlug, firstTier).catch((): RefinedAspects => ({
          findings: firstTier,
          tier: 'rules',
          reason: 'second tier failed unexpectedly',
        })),
      );
    },
    callsToday: () => endpoint.callsToday(),
  };
}
