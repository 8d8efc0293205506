export { SENTIMENT_MODEL_VERSION, loadSentimentModel, type SentimentModel, type SentimentResult } from './classifier.ts';
export { classifyCsv } from './classify-csv.ts';
export type { TextSpan } from './targeted.ts';
