import { describe, expect, it } from 'vitest';
import { EMPTY_SUMS, sumMentions, type RollupSums } from '../core/stats.ts';
import { compareNet, compareShare, idempotencyKeyOf, judgeLimits, judgeMove, type ArmState, type Change } from './decide.ts';

const change = (value: number | null, significant = true): Change => ({
  previous: 0,
  current: value,
  change: value,
  low: null,
  high: null,
  pValue: significant ? 0.001 : 0.5,
  significant,
});
const rule = { threshold: 0.2, direction: 'both' as const, rearmFraction: 0.5 };

function run(values: Array<number | null>, significant = true): Array<'up' | 'down' | null> {
  let state: ArmState | undefined;
  return values.map((value) => {
    const result = judgeMove(change(value, significant), state, rule);
    state = result.next;
    return result.fire;
  });
}

describe('judgeMove (hysteresis)', () => {
  it('fires once when a change crosses the threshold and stays past it', () => {
    expect(run([0.05, -0.25, -0.3, -0.28, -0.4])).toEqual([null, 'down', null, null, null]);
  });

  it('does not flap while the change hovers at the threshold, and re-arms only once it comes back inside half of it', () => {
    // 0.19 is back under the threshold but not inside 0.1: still disarmed, so 0.21 stays quiet.
    expect(run([0.21, 0.19, 0.21, 0.18, 0.22])).toEqual(['up', null, null, null, null]);
    expect(run([0.21, 0.09, 0.21])).toEqual(['up', null, 'up']);
  });

  it('fires at once for a significant move past the threshold the other way', () => {
    expect(run([0.3, -0.3])).toEqual(['up', 'down']);
  });

  it('ignores a change that is large but not significant, or in a direction the rule does not watch', () => {
    expect(run([0.5, 0.6], false)).toEqual([null, null]);
    expect(judgeMove(change(0.5), undefined, { ...rule, direction: 'down' }).fire).toBeNull();
    expect(judgeMove(change(-0.5), undefined, { ...rule, direction: 'down' }).fire).toBe('down');
  });

  it('keeps its state when a window has no data', () => {
    const disarmed: ArmState = { armed: false, direction: 'up' };
    expect(judgeMove(change(null), disarmed, rule)).toEqual({ fire: null, next: disarmed });
  });
});

describe('judgeLimits (cooldown and daily limit)', () => {
  const now = new Date('2026-05-01T12:00:00Z');
  it('holds an alert back within the cooldown and lets it go after', () => {
    const base = { now, sentToday: 1, cooldownMinutes: 60, maxPerDay: 10 };
    expect(judgeLimits({ ...base, lastAt: new Date(now.getTime() - 30 * 60_000) })).toMatch(/^cooldown/);
    expect(judgeLimits({ ...base, lastAt: new Date(now.getTime() - 61 * 60_000) })).toBeNull();
    expect(judgeLimits({ ...base, lastAt: null })).toBeNull();
  });

  it('holds an alert back once the day has its maximum', () => {
    expect(judgeLimits({ now, lastAt: null, sentToday: 3, cooldownMinutes: 0, maxPerDay: 3 })).toMatch(/^daily limit/);
    expect(judgeLimits({ now, lastAt: null, sentToday: 2, cooldownMinutes: 0, maxPerDay: 3 })).toBeNull();
  });
});

describe('window comparisons', () => {
  const labelled = (positive: number, neutral: number, negative: number): RollupSums =>
    sumMentions([
      ...Array.from({ length: positive }, () => ({ score: 0.8, label: 'positive' as const, weight: 1 })),
      ...Array.from({ length: neutral }, () => ({ score: 0, label: 'neutral' as const, weight: 1 })),
      ...Array.from({ length: negative }, () => ({ score: -0.8, label: 'negative' as const, weight: 1 })),
    ]);

  it('net sentiment: a big drop on large windows is significant, the same shares on tiny windows are not', () => {
    const big = compareNet(labelled(20, 60, 120), labelled(80, 60, 60));
    expect(big.change).toBeCloseTo(-0.5 - 0.1, 10);
    expect(big.significant).toBe(true);
    expect(big.low!).toBeLessThan(big.change!);
    const tiny = compareNet(labelled(0, 1, 1), labelled(1, 0, 1));
    expect(tiny.significant).toBe(false);
    expect(compareNet(EMPTY_SUMS, labelled(1, 1, 1)).change).toBeNull();
  });

  it('share: 30% against 10% of 200 mentions each is significant; 3 of 10 against 1 of 10 is not', () => {
    const big = compareShare({ hits: 60, n: 200 }, { hits: 20, n: 200 });
    expect(big.change).toBeCloseTo(0.2, 10);
    expect(big.significant).toBe(true);
    expect(compareShare({ hits: 3, n: 10 }, { hits: 1, n: 10 }).significant).toBe(false);
  });
});

describe('idempotencyKeyOf', () => {
  it('is the same for the same rule and event, and differs across rules and events', () => {
    expect(idempotencyKeyOf(1, 'shift:mean:down:x')).toBe(idempotencyKeyOf(1, 'shift:mean:down:x'));
    expect(idempotencyKeyOf(1, 'a')).not.toBe(idempotencyKeyOf(2, 'a'));
    expect(idempotencyKeyOf(1, 'a')).not.toBe(idempotencyKeyOf(1, 'b'));
    expect(idempotencyKeyOf(1, 'a')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});
