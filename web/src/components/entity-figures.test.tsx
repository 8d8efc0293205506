// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ScoreWithInterval, SentimentSplit, ShareCell } from './entity-figures.tsx';

afterEach(cleanup);

describe('SentimentSplit', () => {
  it('draws each label in proportion and names the counts and net sentiment for readers and tooltips', () => {
    render(<SentimentSplit figures={{ n: 20, positive: 12, neutral: 5, negative: 3, netSentiment: 0.45 }} />);
    const bar = screen.getByRole('img');
    expect(bar.getAttribute('aria-label')).toBe('12 positive, 5 neutral, 3 negative; net sentiment +0.45');
    expect(bar.getAttribute('title')).toBe(bar.getAttribute('aria-label'));
    const widths = [...bar.children].map((part) => (part as HTMLElement).style.width);
    expect(widths).toEqual(['60%', '25%', '15%']);
  });

  it('says "no mentions" instead of an empty bar', () => {
    render(<SentimentSplit figures={{ n: 0, positive: 0, neutral: 0, negative: 0, netSentiment: null }} />);
    expect(screen.queryByRole('img')).toBeNull();
    expect(screen.getByText('no mentions')).toBeTruthy();
  });
});

describe('ScoreWithInterval', () => {
  it('shows the mean with half its interval, and says when there are too few mentions for one', () => {
    const { container, rerender } = render(<ScoreWithInterval figures={{ score: 0.2, scoreLow: 0.1, scoreHigh: 0.3 }} />);
    expect(container.textContent).toBe('+0.20 ±0.10');
    expect(container.querySelector('.score-interval')?.getAttribute('title')).toBe('95% interval +0.10 to +0.30');
    rerender(<ScoreWithInterval figures={{ score: -0.5, scoreLow: null, scoreHigh: null }} />);
    expect(container.textContent).toBe('−0.50 (n < 2)');
  });
});

describe('ShareCell', () => {
  it('gives the share to one decimal with a bar, and a dash without one', () => {
    const { container, rerender } = render(<ShareCell share={0.256} />);
    expect(container.textContent).toBe('25.6%');
    expect((container.querySelector('.share-bar') as HTMLElement).style.width).toBe('26%');
    rerender(<ShareCell share={null} />);
    expect(container.textContent).toBe('—');
  });
});
