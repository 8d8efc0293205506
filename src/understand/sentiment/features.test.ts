import { describe, it, expect } from 'vitest';
import { DEFAULT_FEATURE_CONFIG, DENSE_NAMES, FeatureBuffer, extractFeatures, hashString, scoreLexicon } from './features.ts';
import { normalizeText, tokenize } from './tokenize.ts';

const lexicon = (text: string) => scoreLexicon(tokenize(normalizeText(text)));
const featureSet = (text: string, config = DEFAULT_FEATURE_CONFIG) => {
  const buffer = new FeatureBuffer();
  extractFeatures(text, config, buffer);
  return new Set(Array.from(buffer.indices.subarray(0, buffer.length)));
};

describe('hashString', () => {
  it('is stable and depends on the seed', () => {
    expect(hashString('crash', 1)).toBe(hashString('crash', 1));
    expect(hashString('crash', 1)).not.toBe(hashString('crash', 2));
  });
});

describe('scoreLexicon', () => {
  it('flips and damps a negated word: "not annoying" is mildly positive', () => {
    const scores = lexicon('not annoying');
    expect(scores.positive.emotion).toBeCloseTo(0.6);
    expect(scores.negative.emotion).toBe(0);
    expect(scores.negatedHits).toBe(1);
  });

  it('scales a word by the intensifier in front of it', () => {
    expect(lexicon('very good').positive.emotion).toBeGreaterThan(lexicon('good').positive.emotion);
  });

  it('reads developer phrases whole', () => {
    expect(lexicon('works like a charm').positive.praise).toBe(2);
    expect(lexicon('it keeps crashing').negative.emotion).toBe(2);
    expect(lexicon('the tests are flaky').negative.trouble).toBe(1);
  });

  it('knows strong general words of dislike beyond the developer vocabulary', () => {
    expect(lexicon('I despise this heinous tool').negative.emotion).toBe(4);
    expect(lexicon('setup was painless and seamless').positive.emotion).toBe(2);
  });

  it('counts the clause after a contrast marker separately', () => {
    const scores = lexicon('nice docs but the build is broken');
    expect(scores.contrastNegative).toBe(1);
    expect(scores.contrastPositive).toBe(0);
  });
});

describe('extractFeatures', () => {
  it('gives a negated word different features from the plain word', () => {
    const plain = featureSet('works');
    const negated = featureSet('not works');
    expect([...featureSet('works')].every((index) => negated.has(index))).toBe(false);
    expect(plain.size).toBeGreaterThan(0);
  });

  it('keeps negated character n-grams apart when the scope is per token', () => {
    const config = { ...DEFAULT_FEATURE_CONFIG, charScope: 'token' as const };
    const plain = featureSet('great', config);
    const negated = featureSet('never great', config);
    const shared = [...plain].filter((index) => negated.has(index));
    expect(shared.length).toBeLessThan(plain.size / 4);
  });

  it('gives a negated lexicon word its own character n-grams, and leaves other negated words alone', () => {
    const plain = { ...DEFAULT_FEATURE_CONFIG, negatedLexiconChars: false };
    const shared = (a: string, b: string, config = DEFAULT_FEATURE_CONFIG) => {
      const second = featureSet(b, config);
      return [...featureSet(a, config)].filter((index) => second.has(index)).length;
    };
    expect(shared('it is terrible', 'it is not terrible')).toBeLessThan(shared('it is terrible', 'it is not terrible', plain));
    expect(shared('it is purple', 'it is not purple')).toBe(shared('it is purple', 'it is not purple', plain));
  });

  it('puts dense lexicon features after the hashed buckets', () => {
    const buffer = new FeatureBuffer();
    extractFeatures('awesome!', DEFAULT_FEATURE_CONFIG, buffer);
    const base = 1 << DEFAULT_FEATURE_CONFIG.hashBits;
    const dense = Array.from(buffer.indices.subarray(0, buffer.length)).filter((index) => index >= base);
    expect(dense).toContain(base + DENSE_NAMES.indexOf('lex_emotion_pos'));
    expect(dense).toContain(base + DENSE_NAMES.indexOf('exclamations'));
  });

  it('handles 100 kB of code without error', () => {
    const buffer = new FeatureBuffer();
    extractFeatures('x = foo(bar);\n'.repeat(7500), DEFAULT_FEATURE_CONFIG, buffer);
    expect(buffer.length).toBeGreaterThan(1000);
  });
});
