import { describe, it, expect } from 'vitest';
import { PLACEHOLDERS, normalizeText, tokenize } from './tokenize.ts';

const words = (text: string) => tokenize(normalizeText(text)).filter((token) => !token.punct);

describe('normalizeText', () => {
  it('replaces URLs, @mentions, inline code and code fences with placeholders', () => {
    const text = normalizeText('@alice see https://example.com/x?y=1 and `foo()` then ```\nconst a = 1;\n```');
    expect(text).toBe(`${PLACEHOLDERS.user} see ${PLACEHOLDERS.url} and ${PLACEHOLDERS.code} then ${PLACEHOLDERS.code}`);
  });

  it('maps emoticons and emoji to polarity placeholders', () => {
    expect(normalizeText('nice :) 👍')).toBe(`nice ${PLACEHOLDERS.emoPositive} ${PLACEHOLDERS.emoPositive}`);
    expect(normalizeText('meh :( 👎')).toBe(`meh ${PLACEHOLDERS.emoNegative} ${PLACEHOLDERS.emoNegative}`);
  });

  it('lower-cases and shortens elongated words', () => {
    expect(normalizeText('Sooooo GOOOOD')).toBe('soo good');
  });
});

describe('tokenize', () => {
  it('marks the words after a negator as negated until punctuation', () => {
    const tokens = words("This doesn't work well, it is fine");
    expect(tokens.map((t) => [t.text, t.negated])).toEqual([
      ['this', false],
      ["doesn't", false],
      ['work', true],
      ['well', true],
      ['it', false],
      ['is', false],
      ['fine', false],
    ]);
  });

  it('limits the negation scope to five words', () => {
    const tokens = words('not one two three four five six');
    expect(tokens.filter((t) => t.negated).map((t) => t.text)).toEqual(['one', 'two', 'three', 'four', 'five']);
  });

  it('ends negation at a contrast marker and flags the clause after it until the sentence ends', () => {
    const tokens = words('It is not fast but it is stable. Next sentence');
    expect(tokens.find((t) => t.text === 'stable')).toMatchObject({ negated: false, afterContrast: true });
    expect(tokens.find((t) => t.text === 'fast')).toMatchObject({ negated: true, afterContrast: false });
    expect(tokens.find((t) => t.text === 'next')?.afterContrast).toBe(false);
  });

  it('records where each token sits in the normalized text', () => {
    const normalized = normalizeText('Not BAD at all, 42 times!');
    for (const token of tokenize(normalized)) {
      expect(normalized.slice(token.start, token.end)).toBe(token.text === PLACEHOLDERS.number ? '42' : token.text);
    }
  });

  it('turns a line break into a token that ends negation and the contrast clause', () => {
    const tokens = tokenize(normalizeText('not great but fine\nreally good'));
    expect(tokens.map((t) => t.text)).toContain(PLACEHOLDERS.lineBreak);
    expect(tokens.find((t) => t.text === 'really')).toMatchObject({ negated: false, afterContrast: false });
  });

  it('keeps a line break inside a code fence inside the code placeholder', () => {
    expect(normalizeText('see\n```\na\nb\n```\ndone')).toBe(
      `see ${PLACEHOLDERS.lineBreak} ${PLACEHOLDERS.code} ${PLACEHOLDERS.lineBreak} done`,
    );
  });
});
