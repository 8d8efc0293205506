import { describe, it, expect } from 'vitest';
import { selectTargetContexts } from './targeted.ts';

const spanOf = (text: string, needle: string) => {
  const start = text.indexOf(needle);
  return { start, end: start + needle.length };
};

describe('selectTargetContexts', () => {
  it('splits at a contrast marker between two mentions, the marker staying with the later clause', () => {
    const text = 'Cursor is great but Copilot keeps crashing';
    expect(selectTargetContexts(text, [spanOf(text, 'Cursor'), spanOf(text, 'Copilot')])).toEqual([
      'Cursor is great',
      'but Copilot keeps crashing',
    ]);
  });

  it('keeps a contrast clause without its own mention with the mention before it', () => {
    const text = 'I liked Cursor at first, but it keeps freezing.';
    expect(selectTargetContexts(text, [spanOf(text, 'Cursor')])).toEqual([text]);
  });

  it('adds following sentences until another mention appears', () => {
    const text = 'Tried Zed today. It is really fast. Copilot on the other hand lags. Meh.';
    expect(selectTargetContexts(text, [spanOf(text, 'Zed'), spanOf(text, 'Copilot')])).toEqual([
      'Tried Zed today. It is really fast.',
      'Copilot on the other hand lags. Meh.',
    ]);
  });

  it('returns the whole text for a span in a single clause', () => {
    expect(selectTargetContexts('Claude works', [{ start: 0, end: 6 }])).toEqual(['Claude works']);
  });
});
