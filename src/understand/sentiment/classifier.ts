import { readFileSync } from 'node:fs';
import { ARTIFACT_URL, decodeArtifact, type CalibratedModel } from './artifact.ts';
import { FeatureBuffer, extractFeatures } from './features.ts';
import { CLASS_COUNT, LABELS, scoreVector, softmaxInPlace, type SentimentLabel } from './model.ts';
import { argmax } from './metrics.ts';
import { selectTargetContexts, type TextSpan } from './targeted.ts';

export interface SentimentResult {
  label: SentimentLabel;
  /** P(positive) - P(negative) after calibration, in [-1, 1]. */
  score: number;
  /** Calibrated probability of `label`, in [0, 1]. */
  confidence: number;
}

export interface SentimentModel {
  readonly version: string;
  /** Calibration temperature applied to the logits (fitted on out-of-fold predictions). */
  readonly temperature: number;
  classify(text: string): SentimentResult;
  /** Sentiment toward each span, read from the clause(s) and sentence(s) that speak about it. */
  classifyTargeted(text: string, spans: ReadonlyArray<TextSpan>): SentimentResult[];
}

export function createSentimentModel(model: CalibratedModel): SentimentModel {
  const buffer = new FeatureBuffer();
  const probabilities = new Float64Array(CLASS_COUNT);
  const classify = (text: string): SentimentResult => {
    extractFeatures(text, model.config, buffer);
    scoreVector(model, buffer.indices, buffer.values, buffer.length, probabilities);
    softmaxInPlace(probabilities, model.temperature);
    const best = argmax(probabilities);
    return {
      label: LABELS[best] ?? 'neutral',
      score: (probabilities[2] ?? 0) - (probabilities[0] ?? 0),
      confidence: probabilities[best] ?? 0,
    };
  };
  return {
    version: model.version,
    temperature: model.temperature,
    classify,
    classifyTargeted: (text, spans) => selectTargetContexts(text, spans).map(classify),
  };
}

let cached: SentimentModel | undefined;

/** Loads the committed weights once per process. */
export function loadSentimentModel(): SentimentModel {
  cached ??= createSentimentModel(decodeArtifact(JSON.parse(readFileSync(ARTIFACT_URL, 'utf8'))));
  return cached;
}

function readArtifactVersion(): string {
  const head = readFileSync(ARTIFACT_URL, 'utf8').slice(0, 200);
  const match = /"version":\s*"([^"]+)"/.exec(head);
  if (!match?.[1]) throw new Error('sentiment artifact has no version');
  return match[1];
}

export const SENTIMENT_MODEL_VERSION: string = readArtifactVersion();
