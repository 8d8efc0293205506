// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { AspectScore } from '../api/types.ts';
import { AspectBars, FEW_MENTIONS } from './aspect-bars.tsx';

afterEach(cleanup);

const aspect = (name: string, n: number, score: number): AspectScore => ({
  aspect: name,
  n,
  positive: 0,
  neutral: 0,
  negative: 0,
  score,
  scoreLow: null,
  scoreHigh: null,
  previousN: 0,
  previousScore: null,
  change: null,
  changeLow: null,
  changeHigh: null,
  significant: false,
});

describe('AspectBars', () => {
  it('names aspects in words and draws one with few mentions faint, after the others, whatever its score', () => {
    render(
      <AspectBars
        items={[aspect('code_quality', 1, 1), aspect('speed', 40, 0.3), aspect('pricing', 12, -0.5), aspect('docs', 0, 0)]}
        selected={null}
        onSelect={() => undefined}
      />,
    );
    const rows = screen.getAllByRole('button');
    expect(rows.map((row) => row.querySelector('.aspect-name')!.textContent)).toEqual(['Speed', 'Pricing', 'Code quality']);
    expect(rows.map((row) => row.getAttribute('data-aspect'))).toEqual(['speed', 'pricing', 'code_quality']);
    expect(rows.map((row) => row.classList.contains('few'))).toEqual([false, false, true]);
    expect(rows[2]!.getAttribute('title')).toBe('Only 1 mention: too few to rank');
    expect(FEW_MENTIONS).toBeGreaterThan(1);
  });
});
