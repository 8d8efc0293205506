import { describe, it, expect } from 'vitest';
import { SENTIMENT_MODEL_VERSION, loadSentimentModel } from './index.ts';

// Sentences written for this test, not taken from the training data.
const model = loadSentimentModel();

describe('loadSentimentModel (committed artifact)', () => {
  it('exposes the artifact version and caches the model', () => {
    expect(SENTIMENT_MODEL_VERSION).toMatch(/^devsent-\d+$/);
    expect(model.version).toBe(SENTIMENT_MODEL_VERSION);
    expect(loadSentimentModel()).toBe(model);
  });

  it.each([
    ['Thanks a lot, this patch fixed my build!', 'positive'],
    ['The new release is fantastic, great work everyone.', 'positive'],
    ['LGTM 👍', 'positive'],
    ['This update broke everything and the app now crashes on startup, so frustrating.', 'negative'],
    ['Ugh, these tests are flaky again and it is driving me crazy.', 'negative'],
    ['What a useless, buggy mess of an extension.', 'negative'],
    ['The config file lives in the project root.', 'neutral'],
    ['Which version of Node are you running?', 'neutral'],
  ])('labels "%s" as %s', (text, label) => {
    expect(model.classify(text).label).toBe(label);
  });

  it('returns score = P(pos) - P(neg) in [-1, 1] and the confidence of the chosen label', () => {
    const result = model.classify('I love this library');
    expect(result.score).toBeGreaterThan(0);
    expect(result.score).toBeLessThanOrEqual(1);
    expect(result.confidence).toBeGreaterThan(1 / 3);
    expect(result.confidence).toBeLessThanOrEqual(1);
    expect(model.classify('I hate this library').score).toBeLessThan(0);
  });

  it('scores a negated praise lower than the praise', () => {
    expect(model.classify('this plugin is not good').score).toBeLessThan(model.classify('this plugin is good').score);
  });

  it('scores a negated complaint far above the complaint itself', () => {
    // devsent-3 reads "This PR is not terrible." as borderline (about -0.05): opinion data pulls
    // "not" toward complaints. What must hold is that negation flips most of the weight.
    expect(model.classify('This PR is not terrible.').score - model.classify('This PR is terrible.').score).toBeGreaterThan(0.6);
  });

  it.each(['Honestly not bad for a first release', 'not terrible at all'])(
    'does not read the negated complaint "%s" as negative',
    (text) => {
      expect(model.classify(text).label).not.toBe('negative');
    },
  );

  it('gives each mentioned tool the sentiment of its own clause around a contrast', () => {
    const text = 'Cursor is great but Copilot keeps crashing';
    const cursor = { start: 0, end: 6 };
    const copilot = { start: text.indexOf('Copilot'), end: text.indexOf('Copilot') + 7 };
    const [forCursor, forCopilot] = model.classifyTargeted(text, [[cursor], [copilot]]);
    expect(forCursor?.label).toBe('positive');
    expect(forCopilot?.label).toBe('negative');
  });

  it('lets the clause after "but" decide for a single mention', () => {
    const text = 'Claude Code looked promising, but honestly it is slow and annoying.';
    const [result] = model.classifyTargeted(text, [[{ start: 0, end: 11 }]]);
    expect(result?.label).toBe('negative');
  });

  // Readings of opinion toward a target (../shared/docs/opinion-guideline.md), on sentences written here.
  const read = (text: string, ...names: string[]) =>
    model
      .classifyTargeted(
        text,
        names.map((name) => [{ start: text.indexOf(name), end: text.indexOf(name) + name.length }]),
      )
      .map((result) => result.label);

  it.each([
    ['Switched from Copilot to Cursor and I am never going back.', ['Copilot', 'Cursor'], ['negative', 'positive']],
    ['Aider was useless for this refactor, Cline nailed it first try.', ['Aider', 'Cline'], ['negative', 'positive']],
    ['Claude Code is great, but Copilot keeps crashing.', ['Claude Code', 'Copilot'], ['positive', 'negative']],
    ['Opus is smart but the rate limits make it unusable.', ['Opus'], ['negative']],
    ['Sonnet 4.5 is the best coding model I have used, period.', ['Sonnet 4.5'], ['positive']],
    ['Is Cursor worth $20 a month?', ['Cursor'], ['neutral']],
    ['OpenAI releases GPT-5.1 to API customers', ['OpenAI', 'GPT-5.1'], ['neutral', 'neutral']],
  ] as const)('reads "%s" as %j -> %j', (text, names, labels) => {
    expect(read(text, ...names)).toEqual(labels);
  });
});
