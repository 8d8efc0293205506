import { describe, expect, it } from 'vitest';
import { mostMentioned } from './version-breakdown.tsx';

const rows = (counts: Record<string, number>) => Object.entries(counts).map(([version, n]) => ({ version, n }));

describe('mostMentioned', () => {
  const items = rows({ '2.0.70': 30, '2.0.69': 48, '2.0.68': 4, '2.0.63': 1, '2.0.62': 25, '2.065': 1 });

  it('keeps the most mentioned versions in their own order (newest first) and counts what it leaves out', () => {
    expect(mostMentioned(items, 3, null)).toEqual({
      shown: rows({ '2.0.70': 30, '2.0.69': 48, '2.0.62': 25 }),
      hiddenVersions: 3,
      hiddenMentions: 6,
    });
    expect(mostMentioned(items, 10, null)).toEqual({ shown: items, hiddenVersions: 0, hiddenMentions: 0 });
  });

  it('keeps the selected version wherever it ranks', () => {
    expect(mostMentioned(items, 2, '2.065').shown.map((row) => row.version)).toEqual(['2.0.70', '2.0.69', '2.065']);
    expect(mostMentioned(items, 2, 'gone').shown.map((row) => row.version)).toEqual(['2.0.70', '2.0.69']);
  });
});
