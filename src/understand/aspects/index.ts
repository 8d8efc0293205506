export { ASPECT_NAMES, AspectFinding, AspectName, AspectPolarity, isAspectName, type TextSpan } from './types.ts';
export { extractAspects, isUnsure, polarityOf, UNSURE_CONFIDENCE, type ExtractAspectsOptions } from './extract-aspects.ts';
export { combineAspects } from './combine-aspects.ts';
export {
  createLlmAspectTier,
  LlmAspectAnswer,
  parseLlmAnswer,
  type LlmAspectTier,
  type LlmAspectTierOptions,
  type RefinedAspects,
  type AspectTierLogger,
} from './llm-tier.ts';
export { createLruAspectCache, hashAspectRequest, ASPECT_PROMPT_VERSION, type AspectCache } from './aspect-cache.ts';
export { createDailyBudget, type DailyBudget } from '../llm/daily-budget.ts';
export { readAspects } from './aspect-model.ts';
export { loadAspectModel } from './aspect-artifact.ts';
