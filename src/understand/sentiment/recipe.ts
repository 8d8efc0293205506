import { encodeArtifact, type SentimentArtifact } from './artifact.ts';
import type { LabelledText } from './dataset.ts';
import { crossValidate, fitTemperature } from './evaluate.ts';
import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from './features.ts';
import { vectorize } from './model.ts';
import { DEFAULT_TRAIN_OPTIONS, trainEnsemble, type EnsembleOptions } from './train.ts';

/** The chosen configuration; changing anything here means a new version string. */
export interface SentimentRecipe {
  version: string;
  config: FeatureConfig;
  options: EnsembleOptions;
  calibrationFolds: number;
  calibrationSeed: number;
}

export const SENTIMENT_RECIPE: SentimentRecipe = {
  version: 'devsent-2',
  config: DEFAULT_FEATURE_CONFIG,
  options: DEFAULT_TRAIN_OPTIONS,
  calibrationFolds: 5,
  calibrationSeed: 11,
};

/**
 * Fits the temperature on out-of-fold logits of the pooled data, then trains the final model on
 * all of it. Pure given its inputs: the same texts and recipe give byte-identical artifacts.
 */
export function buildSentimentArtifact(data: readonly LabelledText[], recipe: SentimentRecipe = SENTIMENT_RECIPE): SentimentArtifact {
  const logits = crossValidate({
    target: data,
    extra: [],
    config: recipe.config,
    options: recipe.options,
    folds: recipe.calibrationFolds,
    seed: recipe.calibrationSeed,
  });
  const temperature = fitTemperature(logits, data.map((item) => item.label));
  const vectors = vectorize(data.map((item) => item.text), recipe.config);
  const model = trainEnsemble(vectors, data.map((item) => item.label), recipe.config, recipe.options);
  return encodeArtifact(model, {
    version: recipe.version,
    temperature,
    training: { texts: data.length, options: { ...recipe.options }, calibrationFolds: recipe.calibrationFolds },
  });
}

/** Stable text form of the artifact: the version first so it can be read without parsing the rest. */
export function serializeArtifact(artifact: SentimentArtifact): string {
  return `${JSON.stringify(artifact, null, 1)}\n`;
}
