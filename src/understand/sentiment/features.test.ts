import { describe, it, expect } from 'vitest';
import {
  DEFAULT_FEATURE_CONFIG,
  DENSE_NAMES,
  FeatureBuffer,
  extractFeatures,
  extractPreparedFeatures,
  hashString,
  prepareText,
  scoreLexicon,
  type TargetSpans,
} from './features.ts';
import { normalizeText, tokenize } from './tokenize.ts';

const lexicon = (text: string) => scoreLexicon(tokenize(normalizeText(text)));
const featureSet = (text: string, config = DEFAULT_FEATURE_CONFIG, target?: TargetSpans) => {
  const buffer = new FeatureBuffer();
  extractFeatures(text, config, buffer, target);
  return new Set(Array.from(buffer.indices.subarray(0, buffer.length)));
};
const spanOf = (text: string, name: string, from = 0) => {
  const start = text.indexOf(name, from);
  return { start, end: start + name.length };
};
/** Dense features that fire (index -> value) when `name` is the target and the `others` are other entities. */
const denseOf = (text: string, name: string, others: string[] = []) => {
  const buffer = new FeatureBuffer();
  extractFeatures(text, DEFAULT_FEATURE_CONFIG, buffer, { spans: [spanOf(text, name)], others: others.map((o) => spanOf(text, o)) });
  const base = 1 << DEFAULT_FEATURE_CONFIG.hashBits;
  const fired = new Set<string>();
  for (let i = 0; i < buffer.length; i += 1) if (buffer.indices[i]! >= base) fired.add(DENSE_NAMES[buffer.indices[i]! - base]!);
  return fired;
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

  it('gives a negated lexicon word its own character n-grams, and leaves other negated words alone', () => {
    const plain = { ...DEFAULT_FEATURE_CONFIG, negatedLexiconChars: false };
    const shared = (a: string, b: string, config = DEFAULT_FEATURE_CONFIG) => {
      const second = featureSet(b, config);
      return [...featureSet(a, config)].filter((index) => second.has(index)).length;
    };
    expect(shared('it is terrible', 'it is not terrible')).toBeLessThan(shared('it is terrible', 'it is not terrible', plain));
    expect(shared('it is purple', 'it is not purple')).toBe(shared('it is purple', 'it is not purple', plain));
  });

  it('reads a negator through the lexicon word it negates, and keeps it where it negates none', () => {
    const unfolded = { ...DEFAULT_FEATURE_CONFIG, foldNegators: false };
    const same = (a: string, b: string, config = DEFAULT_FEATURE_CONFIG) =>
      [...featureSet(a, config)].sort().join() === [...featureSet(b, config)].sort().join();
    expect(same('it is not terrible', 'it is never terrible')).toBe(true);
    expect(same('it is not terrible', 'it is never terrible', unfolded)).toBe(false);
    expect(same('it is not purple', 'it is never purple')).toBe(false);
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

  it("reads a word differently in the target's own clause and in another entity's clause", () => {
    const text = 'Zed is great but Cursor is slow';
    const zed = featureSet(text, DEFAULT_FEATURE_CONFIG, { spans: [spanOf(text, 'Zed')], others: [spanOf(text, 'Cursor')] });
    const cursor = featureSet(text, DEFAULT_FEATURE_CONFIG, { spans: [spanOf(text, 'Cursor')], others: [spanOf(text, 'Zed')] });
    const plain = featureSet(text);
    expect(zed).not.toEqual(cursor);
    // Without a target the whole text is one own clause.
    expect([...plain].some((index) => !zed.has(index))).toBe(true);
  });

  it('ignores the spelling of the entity: every target reads as the same placeholder', () => {
    const a = 'Cursor keeps crashing';
    const b = 'Windsurf keeps crashing';
    expect(featureSet(a, DEFAULT_FEATURE_CONFIG, { spans: [spanOf(a, 'Cursor')], others: [] })).toEqual(
      featureSet(b, DEFAULT_FEATURE_CONFIG, { spans: [spanOf(b, 'Windsurf')], others: [] }),
    );
  });

  it('flags switching, ranking and recommending around the target', () => {
    expect(denseOf('Switched from Copilot to Cursor last month', 'Copilot', ['Cursor'])).toContain('pattern_switch_from');
    expect(denseOf('Switched from Copilot to Cursor last month', 'Cursor', ['Copilot'])).toContain('pattern_switch_to');
    expect(denseOf('Cancelled my Claude subscription today', 'Claude')).toContain('pattern_cancel');
    expect(denseOf('Opus is way better than GPT-5 here', 'Opus', ['GPT-5'])).toContain('pattern_winner');
    expect(denseOf('Opus is way better than GPT-5 here', 'GPT-5', ['Opus'])).toContain('pattern_loser');
    expect(denseOf('it is about as good as Sonnet', 'Sonnet')).toContain('pattern_yardstick');
    expect(denseOf('honestly just try Aider', 'Aider')).toContain('pattern_recommend');
    expect(denseOf('Is Cursor worth it?', 'Cursor')).toContain('target_in_question');
    expect(denseOf('Cursor keeps crashing', 'Cursor')).not.toContain('pattern_switch_from');
  });

  it('splits "X did badly, Y nailed it" at the comma, but not a list of names', () => {
    // Only the target's own clause (and the dense features, off here) carry weight with these settings.
    const own = (text: string, name: string, other: string) => {
      const buffer = new FeatureBuffer();
      const config = { ...DEFAULT_FEATURE_CONFIG, contextWeight: 0, windowWeight: 0, denseWeight: 0 };
      extractFeatures(text, config, buffer, { spans: [spanOf(text, name)], others: [spanOf(text, other)] });
      return new Set(Array.from(buffer.indices.subarray(0, buffer.length)).filter((_, i) => buffer.values[i] !== 0));
    };
    const contrast = own('Aider was useless for this, Cline nailed it', 'Aider', 'Cline');
    expect(contrast).toEqual(own('Aider was useless for this, Cline', 'Aider', 'Cline'));
    const list = own('Cursor, Zed and Aider are all great', 'Cursor', 'Zed');
    expect(list).not.toEqual(own('Cursor, Zed and Aider', 'Cursor', 'Zed'));
  });

  it("ends a sentence at a line break, so the next line is not the target's own clause", () => {
    const joined = 'Cursor is fine and the docs are great';
    const broken = 'Cursor is fine\nand the docs are great';
    const own = (text: string) =>
      featureSet(text, { ...DEFAULT_FEATURE_CONFIG, contextWeight: 0, windowWeight: 0 }, { spans: [spanOf(text, 'Cursor')], others: [] });
    expect(own(joined)).not.toEqual(own(broken));
  });
});

describe('prepareText', () => {
  it('reads each target from one tokenization: its mentions become the target word, the others another word', () => {
    const text = 'Cursor beat Copilot, and Cursor is cheaper';
    const prepared = prepareText(text, [[spanOf(text, 'Cursor'), spanOf(text, 'Cursor', 5)], [spanOf(text, 'Copilot')]]);
    const once = (index: number) => {
      const buffer = new FeatureBuffer();
      extractPreparedFeatures(prepared, index, DEFAULT_FEATURE_CONFIG, buffer);
      return buffer.toVector();
    };
    const separately = (spans: TargetSpans) => {
      const buffer = new FeatureBuffer();
      extractFeatures(text, DEFAULT_FEATURE_CONFIG, buffer, spans);
      return buffer.toVector();
    };
    expect(once(0)).toEqual(separately({ spans: [spanOf(text, 'Cursor'), spanOf(text, 'Cursor', 5)], others: [spanOf(text, 'Copilot')] }));
    expect(once(1)).toEqual(separately({ spans: [spanOf(text, 'Copilot')], others: [spanOf(text, 'Cursor'), spanOf(text, 'Cursor', 5)] }));
    expect(once(0)).not.toEqual(once(1));
  });
});
