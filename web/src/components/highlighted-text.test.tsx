// @vitest-environment jsdom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { HighlightedText, normalizeSpans } from './highlighted-text.tsx';

afterEach(cleanup);

describe('HighlightedText', () => {
  it('wraps exactly the given range in <mark>', () => {
    const { container } = render(<HighlightedText text="I like Cursor a lot" spans={[{ start: 7, end: 13 }]} />);
    expect(container.textContent).toBe('I like Cursor a lot');
    const marks = container.querySelectorAll('mark');
    expect(marks).toHaveLength(1);
    expect(marks[0]!.textContent).toBe('Cursor');
  });

  it('renders a <script> body as text: no element is created and nothing runs', () => {
    const text = 'Cursor <script>window.__xss=1</script><img src=x onerror="window.__xss=2">';
    const { container } = render(<HighlightedText text={text} spans={[{ start: 0, end: 6 }]} />);
    expect(container.textContent).toBe(text);
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect((window as { __xss?: number }).__xss).toBeUndefined();
  });

  it('shows markup inside the highlighted range as text too', () => {
    const { container } = render(<HighlightedText text="<b>Cursor</b>" spans={[{ start: 0, end: 13 }]} />);
    expect(container.querySelector('mark')!.textContent).toBe('<b>Cursor</b>');
    expect(container.querySelector('b')).toBeNull();
  });

  it('shows the text unmarked when there are no spans or they fall outside it', () => {
    const { container } = render(<HighlightedText text="short" spans={[{ start: 10, end: 20 }]} />);
    expect(container.textContent).toBe('short');
    expect(container.querySelector('mark')).toBeNull();
  });
});

describe('normalizeSpans', () => {
  it('clips to the text, sorts, merges overlaps and drops empty spans', () => {
    expect(
      normalizeSpans(
        [
          { start: 8, end: 12 },
          { start: -3, end: 2 },
          { start: 10, end: 30 },
          { start: 5, end: 5 },
        ],
        20,
      ),
    ).toEqual([
      { start: 0, end: 2 },
      { start: 8, end: 20 },
    ]);
  });
});
