import { aspectModelVersion } from '../understand/aspects/aspect-artifact.ts';
import { SENTIMENT_MODEL_VERSION } from '../understand/sentiment/index.ts';

/**
 * What stored readings were made with: the sentiment model's version and the aspect model's
 * ("devsent-7+aspects-1"), so `vibecheck rescore` re-reads posts when either changes and `vibecheck
 * doctor` can say how many were read by an older one.
 */
export function analysisVersion(): string {
  return `${SENTIMENT_MODEL_VERSION}+${aspectModelVersion()}`;
}
