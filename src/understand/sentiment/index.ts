export { SENTIMENT_MODEL_VERSION, loadSentimentModel, type SentimentModel, type SentimentResult } from './classifier.ts';
export { classifyCsv } from './classify-csv.ts';
export type { TextSpan } from './features.ts';
export {
  buildSentimentPrompt,
  createLlmSentimentTier,
  createLruSentimentCache,
  hashSentimentRequest,
  LlmSentimentAnswer,
  parseSentimentAnswer,
  SENTIMENT_PROMPT_VERSION,
  SENTIMENT_UNSURE_BELOW,
  type LlmSentimentTier,
  type LlmSentimentTierOptions,
  type RefinedSentiment,
  type SentimentCache,
  type SentimentEntity,
  type SentimentTier,
} from './llm-tier.ts';
