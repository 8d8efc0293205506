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
  /** Ask about every direct mention (LLM_ASPECTS=every), not only those the first tier is unsure of. */
  every?: boolean;
}

export type AspectTier = 'llm' | 'rules';

export interface RefinedAspects {
  findings: AspectFinding[];
  tier: AspectTier;
  /** Why the rules were kept, or "cached" when the answer came from the cache. */
  reason?: string;
}

export interface LlmAspectTier {
  /** Whether ingest asks about every direct mention, or only those the first tier is unsure of. */
  readonly every: boolean;
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
  'You label what developer posts say about one named AI model or developer tool (the entity).',
  `Aspects (use only these names): ${ASPECT_NAMES.join(', ')}.`,
  'performance = output quality, intelligence, accuracy, benchmarks; cost = price, plans, value for money;',
  'reliability = outages, errors, crashes, bugs in the tool; ux = interface, workflow, friction, annoying behaviour',
  '("kept asking me to confirm every tool call"); speed = latency, tokens per second; code_quality = the code it writes',
  '(compiles, clean, buggy code, "broke my tests"); context_window = context length, forgetting earlier context;',
  'limits = rate limits, quotas, usage caps ("burned through my weekly quota by Tuesday"); privacy = data use, telemetry,',
  'training on code; support = customer support, refunds, responses to issues; docs = documentation.',
  'The mention asked about is marked [[like this]]. Report an aspect only when the text says something about it for that entity,',
  'not for other entities: not for a model it runs, the company behind it, or another product named in the text. Implied aspects',
  'count when the meaning is clear. A verdict that names no aspect ("it\'s great", "I love it", "it sucks") gives none.',
  'polarity: positive, negative, or neutral for a plain factual statement about the aspect ("256K context").',
  'A plain bug report or feature request: the problem described is the aspect, negative (reliability for errors and crashes,',
  'ux for friction). A comparison that names the aspect ("X takes way longer than Y") gives it to each side; an entity used only',
  'as a yardstick, with no aspect stated, gets none. At most one entry per aspect: the dominant polarity.',
  'confidence: how sure you are that the author says this about the entity; under 0.6 when it is loosely implied or a guess.',
  'Answer with JSON only: {"aspects":[{"aspect":"...","polarity":"positive|neutral|negative","evidence":"exact quote from the text","confidence":0.0-1.0}]}.',
  'The evidence must be copied exactly from the text, without the markers. Use {"aspects":[]} when no aspect is discussed.',
].join('\n');

const POLAR_SCORE = { positive: 0.7, neutral: 0, negative: -0.7 } as const;

/**
 * Findings the answer gives less confidence than this are left out: the prompt asks for under 0.6
 * on loosely implied aspects or guesses. Chosen on the labelled dev split as the best F1
 * (src/understand/aspects/README.md).
 */
export const MIN_ASPECT_CONFIDENCE = 0.5;

function buildUserPrompt(text: string, span: TextSpan, entitySlug: string, windowChars: number): string {
  const from = Math.max(0, span.start - windowChars);
  const to = Math.min(text.length, span.end + windowChars);
  const window = `${text.slice(from, span.start)}[[${text.slice(span.start, span.end)}]]${text.slice(span.end, to)}`;
  return [`Entity: ${entitySlug}`, `Mention: "${text.slice(span.start, span.end)}"`, 'Text:', window].join('\n');
}

type Parsed = { ok: true; findings: AspectFinding[] } | { ok: false; reason: string };

/**
 * Reads the model's answer; anything off the fixed list or quoting text that is not there makes it
 * garbage. Findings under MIN_ASPECT_CONFIDENCE, and a repeated aspect, are left out.
 */
export function parseLlmAnswer(content: string | null | undefined, text: string, span: TextSpan): Parsed {
  const parsed = parseJsonAnswer(content, LlmAspectAnswer);
  if (!parsed.ok) return parsed;
  const findings: AspectFinding[] = [];
  for (const item of parsed.value.aspects) {
    const at = locateQuote(text, item.evidence.replaceAll('[[', '').replaceAll(']]', ''), span.start);
    if (!at) return { ok: false, reason: 'garbage: evidence does not occur in the text' };
    const confidence = item.confidence ?? 0.8;
    if (confidence < MIN_ASPECT_CONFIDENCE || findings.some((f) => f.aspect === item.aspect)) continue;
    findings.push({
      aspect: item.aspect,
      polarity: item.polarity,
      score: POLAR_SCORE[item.polarity],
      confidence,
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
    every: options.every ?? false,
  };
}
