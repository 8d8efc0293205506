// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { Entity } from '../api/types.ts';
import { listRollupParts, MIN_RANKED_MENTIONS, pickMovers, selectEntities, splitQuiet } from './entity-selection.ts';

const entity = (
  slug: string,
  kind: Entity['kind'],
  n: number,
  score: number | null,
  change: number | null,
  significant = false,
): Entity => ({
  slug,
  name: slug.toUpperCase(),
  kind,
  parent: null,
  aliases: [`${slug}-alias`],
  context: [],
  homepage: null,
  origin: 'registry',
  summary: {
    window: '30d',
    from: '2026-11-01T00:00:00.000Z',
    to: '2026-12-01T00:00:00.000Z',
    source: null,
    n,
    positive: n,
    neutral: 0,
    negative: 0,
    previousN: 0,
    score,
    scoreLow: null,
    scoreHigh: null,
    previousScore: null,
    change,
    significant,
    netSentiment: null,
    weightedScore: null,
    changeLow: null,
    changeHigh: null,
    pValue: null,
    shareOfVoice: null,
    aspectsMoving: [],
    sparkline: [],
  },
});

const items = [
  entity('cursor', 'tool', 50, 0.3, 0.2, true),
  entity('gpt-5', 'model', 80, -0.1, -0.4, true),
  entity('zed', 'tool', 5, null, null),
  entity('aider', 'tool', 5, 0.1, 0.05),
];

describe('selectEntities', () => {
  it('filters by kind and by name, slug or alias', () => {
    expect(selectEntities(items, 'tool', '', 'name').map((e) => e.slug)).toEqual(['aider', 'cursor', 'zed']);
    expect(selectEntities(items, '', 'zed-al', 'name').map((e) => e.slug)).toEqual(['zed']);
  });

  it('sorts by volume with ties by name, and ranks by score only entities with enough mentions, the others after', () => {
    expect(selectEntities(items, '', '', 'volume').map((e) => e.slug)).toEqual(['gpt-5', 'cursor', 'aider', 'zed']);
    // aider's +0.10 rests on 5 mentions (under MIN_RANKED_MENTIONS): it follows gpt-5's -0.10 on 80.
    expect(MIN_RANKED_MENTIONS).toBeGreaterThan(5);
    expect(selectEntities(items, '', '', 'score').map((e) => e.slug)).toEqual(['cursor', 'gpt-5', 'aider', 'zed']);
    expect(selectEntities(items, '', '', 'lowest').map((e) => e.slug)).toEqual(['gpt-5', 'cursor', 'aider', 'zed']);
  });
});

describe('splitQuiet', () => {
  it('folds entities without a mention in the period away, unless the reader is searching', () => {
    const quietOne = entity('tabby', 'tool', 0, null, null);
    // Its sparkline's first week starts before the period: a mention there is not one in the period.
    const before = entity('cody', 'tool', 0, null, null);
    before.summary = { ...before.summary, sparkline: [{ bucketStart: '2026-10-27T00:00:00.000Z', n: 2, score: 0.5 }] };
    const split = splitQuiet([...items, quietOne, before], '');
    expect(split.active.map((e) => e.slug)).toEqual(['cursor', 'gpt-5', 'zed', 'aider']);
    expect(split.quiet.map((e) => e.slug)).toEqual(['tabby', 'cody']);
    expect(splitQuiet([quietOne], 'tab')).toEqual({ active: [quietOne], quiet: [] });
  });
});

describe('listRollupParts', () => {
  it("names each vendor's products with mentions in the period, most mentioned first", () => {
    const vendor = entity('anthropic', 'vendor', 30, 0.1, null);
    const code = { ...entity('claude-code', 'tool', 20, 0.2, null), parent: 'anthropic', name: 'Claude Code' };
    const model = { ...entity('claude', 'model', 25, 0.1, null), parent: 'anthropic', name: 'Claude' };
    const silent = { ...entity('claude-desktop', 'tool', 0, null, null), parent: 'anthropic' };
    const parts = listRollupParts([vendor, code, model, silent, ...items]);
    expect(parts.get('anthropic')).toEqual(['Claude', 'Claude Code']);
    expect(parts.has('cursor')).toBe(false);
  });
});

describe('pickMovers', () => {
  it('keeps only significant changes, largest first', () => {
    expect(pickMovers(items).map((e) => e.slug)).toEqual(['gpt-5', 'cursor']);
  });
});
