import { describe, expect, it } from 'vitest';
import { locateQuote } from './evidence.ts';

describe('locateQuote', () => {
  const text = 'Cursor lags. I moved to Codex; Codex is fine, and Cursor still lags.';

  it('finds the exact quote nearest the offset given', () => {
    expect(locateQuote(text, 'lags', 0)).toEqual({ start: 7, end: 11 });
    expect(locateQuote(text, 'lags', text.length)).toEqual({ start: text.lastIndexOf('lags'), end: text.lastIndexOf('lags') + 4 });
  });

  it('falls back to ignoring case, and trims the quote', () => {
    const at = locateQuote(text, '  i MOVED to codex ');
    expect(at).toEqual({ start: 13, end: 13 + 'I moved to Codex'.length });
  });

  it('keeps offsets right where lowercasing would change the length', () => {
    const turkish = 'İstanbul team: we moved to Codex.';
    const at = locateQuote(turkish, 'WE MOVED TO CODEX');
    expect(at && turkish.slice(at.start, at.end)).toBe('we moved to Codex');
  });

  it('is null for a blank quote or one the text does not hold, regex characters included', () => {
    expect(locateQuote(text, '   ')).toBeNull();
    expect(locateQuote(text, 'switched to Claude')).toBeNull();
    expect(locateQuote(text, 'Cursor.*lags')).toBeNull();
  });
});
