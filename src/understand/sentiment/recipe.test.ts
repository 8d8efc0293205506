import { describe, it, expect } from 'vitest';
import { decodeArtifact } from './artifact.ts';
import { createSentimentModel } from './classifier.ts';
import type { LabelledText } from './dataset.ts';
import { DEFAULT_FEATURE_CONFIG } from './features.ts';
import { SENTIMENT_RECIPE, buildSentimentArtifact, serializeArtifact, type SentimentRecipe, type TrainingData } from './recipe.ts';

// Texts written for this test.
const positive = ['thanks, this works great', 'awesome fix, love it', 'nice work on the docs', 'great job, merged', 'works like a charm'];
const negative = [
  'this is broken again',
  'terrible api, hate it',
  'the build is flaky and slow',
  'awful regression',
  'it crashes every time',
];
const neutral = [
  'the method returns a list',
  'see the docs for the flag',
  'moved the file to lib',
  'run npm test first',
  'added a new parameter',
];
const plain: LabelledText[] = [negative, neutral, positive].flatMap((texts, label) =>
  texts.map((text, i) => ({ id: `${label}-${i}`, label, text })),
);

/** "Zed is great" style items: the label belongs to the named tool, not to the other one. */
const targeted: LabelledText[] = [
  ['Zed is great but Cursor keeps crashing', 'Zed', 2],
  ['Zed is great but Cursor keeps crashing', 'Cursor', 0],
  ['Aider is awesome, Cline is slow and buggy', 'Aider', 2],
  ['Aider is awesome, Cline is slow and buggy', 'Cline', 0],
  ['Does Ollama run on Windows?', 'Ollama', 1],
  ['Copilot released a new version today', 'Copilot', 1],
].map(([text, name, label], i) => {
  const all = ['Zed', 'Cursor', 'Aider', 'Cline', 'Ollama', 'Copilot'].flatMap((n) => {
    const start = String(text).indexOf(n);
    return start < 0 ? [] : [{ name: n, span: { start, end: start + n.length } }];
  });
  return {
    id: `t${i}`,
    label: Number(label),
    text: String(text),
    group: String(text),
    target: { spans: all.filter((a) => a.name === name).map((a) => a.span), others: all.filter((a) => a.name !== name).map((a) => a.span) },
  };
});
const data: TrainingData = { targeted, extra: plain };
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

  it('learns the plain texts and the targeted readings it was given', () => {
    const model = createSentimentModel(decodeArtifact(buildSentimentArtifact(data, recipe)));
    expect(model.classify('thanks, this works great').label).toBe('positive');
    expect(model.classify('this is broken again').label).toBe('negative');
    expect(model.classify('moved the file to lib').label).toBe('neutral');
    const text = 'Zed is great but Cursor keeps crashing';
    const [zed, cursor] = model.classifyTargeted(text, [[{ start: 0, end: 3 }], [{ start: 17, end: 23 }]]);
    expect(zed?.label).toBe('positive');
    expect(cursor?.label).toBe('negative');
  });

  it('records the data and the decision shift it was built with', () => {
    const artifact = buildSentimentArtifact(data, recipe);
    expect(artifact.training).toMatchObject({ targeted: targeted.length, extra: plain.length, data: recipe.data });
    expect(artifact.training.shift).toEqual({ negative: expect.any(Number), positive: expect.any(Number) });
  });
});
