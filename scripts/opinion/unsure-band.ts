import { SENTIMENT_UNSURE_BELOW } from '../../src/understand/sentiment/llm-tier.ts';

/**
 * Where round 3 of the opinion labels was drawn (sample-pool.ts) and its simulation draws
 * (unsure-draw-sim.ts): a reading under the confidence the LLM tier is asked below, whose probability
 * of negative lies in `negative` (negative is the weakest class, and unsure readings hold most errors).
 */
export const UNSURE_BAND = { below: SENTIMENT_UNSURE_BELOW, negative: [0.2, 0.7] } as const;

export function inUnsureBand(confidence: number, pNegative: number): boolean {
  return confidence < UNSURE_BAND.below && pNegative >= UNSURE_BAND.negative[0] && pNegative <= UNSURE_BAND.negative[1];
}
