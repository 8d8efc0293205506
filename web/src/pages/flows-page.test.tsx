import { describe, expect, it } from 'vitest';
import type { FlowItem, FlowMatrix } from '../api/types.ts';
import { buildMatrix, busiestSides, describeCell, describeFlowStatement, orientNet, readCell, readTier } from './flows-page.tsx';

const item = (from: string | null, to: string | null, n: number, kind: FlowItem['kind'] = 'switch'): FlowItem => ({
  from,
  to,
  kind,
  n,
  llm: 0,
  reasons: [],
  noReason: n,
});

describe('buildMatrix', () => {
  it('puts the busiest sides first and the untracked side last, one kind at a time', () => {
    const items = [
      item('cursor', 'claude-code', 7),
      item('windsurf', null, 9),
      item('claude-code', 'cursor', 2),
      item('claude-code', 'codex-cli', 1, 'adds'),
    ];
    const m = buildMatrix(items, 'switch');
    expect(m.rows).toEqual(['windsurf', 'cursor', 'claude-code']);
    expect(m.cols).toEqual(['claude-code', 'cursor', 'none']);
    expect(m.cell('cursor', 'claude-code')?.n).toBe(7);
    expect(m.cell('windsurf', 'none')?.n).toBe(9);
    expect(m.cell('claude-code', 'codex-cli')).toBeUndefined();
    expect(buildMatrix(items, 'adds').cell('claude-code', 'codex-cli')?.n).toBe(1);
  });
});

describe('busiestSides', () => {
  const sides = ['a', 'b', 'c', 'd', 'none'];
  it('keeps the busiest tracked sides in their order, and the untracked side last', () => {
    expect(busiestSides(sides, 2)).toEqual(['a', 'b', 'none']);
    expect(busiestSides(['a', 'b'], 2)).toEqual(['a', 'b']);
    expect(busiestSides(sides, 10)).toEqual(sides);
  });

  it("keeps a selected cell's side wherever it ranks, and ignores one the matrix does not have", () => {
    expect(busiestSides(sides, 2, ['d'])).toEqual(['a', 'b', 'd', 'none']);
    expect(busiestSides(sides, 2, ['zed', 'none'])).toEqual(['a', 'b', 'none']);
  });
});

describe('readCell', () => {
  it('reads the cell from from_entity and to_entity, and refuses anything but slugs', () => {
    expect(readCell(new URLSearchParams('from_entity=cursor&to_entity=none'))).toEqual({ from: 'cursor', to: 'none' });
    expect(readCell(new URLSearchParams('from_entity=cursor'))).toBeNull();
    expect(readCell(new URLSearchParams('from_entity=<b>&to_entity=cursor'))).toBeNull();
  });
});

describe('orientNet', () => {
  it('turns a pair towards the side most moves went to, its interval with it', () => {
    const pair: FlowMatrix['net'][number] = {
      a: 'claude-code',
      b: 'cursor',
      aToB: 2,
      bToA: 7,
      n: 9,
      net: -5,
      share: 0.22,
      shareLow: 0.06,
      shareHigh: 0.55,
      netLow: -7.9,
      netHigh: 0.9,
      significant: false,
      series: [],
    };
    expect(orientNet(pair)).toEqual({ from: 'cursor', to: 'claude-code', n: 9, net: 5, low: -0.9, high: 7.9, significant: false });
  });
});

describe('describeFlowStatement', () => {
  it("gives the author's reason in words, and says when the LLM tier found the move", () => {
    expect(describeFlowStatement({ reason: 'code_quality', tier: 'rules' })).toBe('Reason: Code quality');
    expect(describeFlowStatement({ reason: null, tier: 'rules' })).toBe('No reason given');
    expect(describeFlowStatement({ reason: 'limits', tier: 'llm' })).toBe('Reason: Limits · read by the LLM tier');
  });
});

describe('readTier and describeCell', () => {
  it('reads the tier filter from the URL, both when absent or unknown', () => {
    expect(readTier(new URLSearchParams('tier=llm'))).toBe('llm');
    expect(readTier(new URLSearchParams('tier=rules'))).toBe('rules');
    expect(readTier(new URLSearchParams('tier=gpt'))).toBe('');
    expect(readTier(new URLSearchParams(''))).toBe('');
  });

  it("says how many of a cell's flows the LLM tier read, only when both tiers are counted", () => {
    const cell: FlowItem = { ...item('cursor', 'claude-code', 5), llm: 2, reasons: [{ aspect: 'cost', n: 3 }], noReason: 2 };
    const verbs = ['switch', 'switches'] as const;
    expect(describeCell(cell, '', verbs)).toEqual({ figures: '5 switches; 2 read by the LLM tier; reasons: Cost 3', llm: 2 });
    expect(describeCell(cell, 'llm', verbs)).toEqual({ figures: '5 switches; reasons: Cost 3', llm: null });
    expect(describeCell({ ...cell, n: 1, llm: 0, reasons: [] }, '', verbs)).toEqual({ figures: '1 switch', llm: null });
  });
});
