import { describe, it, expect } from 'vitest';
import { decodeArtifact } from './artifact.ts';
import { createSentimentModel } from './classifier.ts';
import type { LabelledText } from './dataset.ts';
import { DEFAULT_FEATURE_CONFIG } from './features.ts';
import { SENTIMENT_RECIPE, buildSentimentArtifact, serializeArtifact, type SentimentRecipe } from './recipe.ts';

const positive = ['thanks, this works great', 'awesome fix, love it', 'nice work on the docs', 'great job, merged', 'works like a charm'];
const negative = ['this is broken again', 'terrible api, hate it', 'the build is flaky and slow', 'awful regression', 'it crashes every time'];
const neutral = ['the method returns a list', 'see the docs for the flag', 'moved the file to lib', 'run npm test first', 'added a new parameter'];
const data: LabelledText[] = [negative, neutral, positive].flatMap((texts, label) =>
  texts.map((text, i) => ({ id: `${label}-${i}`, label, text })),
);
const recipe: SentimentRecipe = {
  ...SENTIMENT_RECIPE,
  version: 'devsent-0',
  config: { ...DEFAULT_FEATURE_CONFIG, hashBits: 12 },
  calibrationFolds: 3,
};

describe('buildSentimentArtifact', () => {
  it('gives byte-identical artifacts for the same data and recipe', () => {
    const first = serializeArtifact(buildSentimentArtifact(data, recipe));
    const second = serializeArtifact(buildSentimentArtifact(data, recipe));
    expect(first).toBe(second);
    expect(first.startsWith('{\n "version": "devsent-0"')).toBe(true);
  });

  it('learns the training texts it was given', () => {
    const model = createSentimentModel(decodeArtifact(buildSentimentArtifact(data, recipe)));
    expect(model.classify('thanks, this works great').label).toBe('positive');
    expect(model.classify('this is broken again').label).toBe('negative');
    expect(model.classify('moved the file to lib').label).toBe('neutral');
  });
});
