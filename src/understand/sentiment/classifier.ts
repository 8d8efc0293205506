import { readFileSync } from 'node:fs';
import { readArtifactVersion } from '../../core/artifact-version.ts';
import { ARTIFACT_URL, decodeArtifact, type CalibratedModel } from './artifact.ts';
import { FeatureBuffer, extractPreparedFeatures, prepareText, type PreparedText, type TextSpan } from './features.ts';
import { CLASS_COUNT, LABELS, scoreVector, softmaxInPlace, type SentimentLabel } from './model.ts';
import { argmax } from './metrics.ts';

export interface SentimentResult {
  label: SentimentLabel;
  /** P(positive) - P(negative) after calibration, in [-1, 1]. */
  score: number;
  /** Calibrated probability of `label`, in [0, 1]. */
  confidence: number;
}

export interface SentimentModel {
  readonly version: string;
  /** Calibration temperature of targeted readings (fitted on out-of-fold predictions). */
  readonly temperature: number;
  /** Calibration temperature of plain texts. */
  readonly plainTemperature: number;
  classify(text: string): SentimentResult;
  /**
   * The author's opinion of each target: `targets[i]` holds every span that mentions target i.
   * Each is read with the other targets' mentions marked as other entities.
   */
  classifyTargeted(text: string, targets: ReadonlyArray<readonly TextSpan[]>): SentimentResult[];
}

export function createSentimentModel(model: CalibratedModel): SentimentModel {
  const buffer = new FeatureBuffer();
  const probabilities = new Float64Array(CLASS_COUNT);
  const classify = (prepared: PreparedText, index?: number): SentimentResult => {
    extractPreparedFeatures(prepared, index, model.config, buffer);
    scoreVector(model, buffer.indices, buffer.values, buffer.length, probabilities);
    softmaxInPlace(probabilities, index === undefined ? model.plainTemperature : model.temperature);
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
    plainTemperature: model.plainTemperature,
    classify: (text) => classify(prepareText(text)),
    // The text is normalized and tokenized once; each target is then read from that one pass.
    classifyTargeted: (text, targets) => {
      const prepared = prepareText(text, targets);
      return targets.map((_, i) => classify(prepared, i));
    },
  };
}

let cached: SentimentModel | undefined;

const readModel = (file: URL | string): SentimentModel => createSentimentModel(decodeArtifact(JSON.parse(readFileSync(file, 'utf8'))));

/** Loads the committed weights once per process, or another weights file (an earlier version's) when given. */
export function loadSentimentModel(file?: string): SentimentModel {
  if (file) return readModel(file);
  cached ??= readModel(ARTIFACT_URL);
  return cached;
}

export const SENTIMENT_MODEL_VERSION: string = readArtifactVersion(ARTIFACT_URL, 'sentiment');
