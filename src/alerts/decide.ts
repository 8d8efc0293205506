import { createHash } from 'node:crypto';
import { computeNormalCdf, Z_95 } from '../core/distributions.ts';
import { compareWindows, type RollupSums } from '../core/stats.ts';
import type { AlertDirection } from '../db/queries/alerts.ts';

/** A change between two windows with its 95% interval and two-sided p-value; null parts when the data cannot say. */
export interface Change {
  previous: number | null;
  current: number | null;
  change: number | null;
  low: number | null;
  high: number | null;
  pValue: number | null;
  significant: boolean;
}

const NO_CHANGE = { change: null, low: null, high: null, pValue: null, significant: false };

/** A difference of two estimates with known variances, as a normal test. */
function normalTest(previous: number, current: number, variance: number): Change {
  const change = current - previous;
  if (variance === 0)
    return { previous, current, change, low: change, high: change, pValue: change === 0 ? 1 : 0, significant: change !== 0 };
  const se = Math.sqrt(variance);
  const pValue = 2 * (1 - computeNormalCdf(Math.abs(change) / se));
  return { previous, current, change, low: change - Z_95 * se, high: change + Z_95 * se, pValue, significant: pValue < 0.05 };
}

/** Mean score of the window against the one before: Welch's t-test, as the API reports it. */
export function compareMean(current: Readonly<RollupSums>, previous: Readonly<RollupSums>): Change {
  const c = compareWindows(current, previous);
  return {
    previous: c.previousScore,
    current: c.currentScore,
    change: c.change,
    low: c.changeLow,
    high: c.changeHigh,
    pValue: c.pValue,
    significant: c.significant,
  };
}

/**
 * Net sentiment ((positive - negative) / n) of the window against the one before. The variance of
 * a window's net share is (p+ + p- - d^2) / n for a multinomial sample; the two windows are independent.
 */
export function compareNet(current: Readonly<RollupSums>, previous: Readonly<RollupSums>): Change {
  if (current.n === 0 || previous.n === 0) return { previous: null, current: null, ...NO_CHANGE };
  const part = (s: Readonly<RollupSums>) => {
    const pos = s.positive / s.n;
    const neg = s.negative / s.n;
    const net = pos - neg;
    return { net, variance: (pos + neg - net * net) / s.n };
  };
  const a = part(current);
  const b = part(previous);
  return normalTest(b.net, a.net, a.variance + b.variance);
}

/** A share (hits / n) of the window against the one before: the two-proportion z-test with a pooled share. */
export function compareShare(current: { hits: number; n: number }, previous: { hits: number; n: number }): Change {
  if (current.n === 0 || previous.n === 0) return { previous: null, current: null, ...NO_CHANGE };
  const a = current.hits / current.n;
  const b = previous.hits / previous.n;
  const pooled = (current.hits + previous.hits) / (current.n + previous.n);
  const test = normalTest(b, a, pooled * (1 - pooled) * (1 / current.n + 1 / previous.n));
  // The interval is the unpooled one: the pooled variance belongs to the test of "no change".
  const se = Math.sqrt((a * (1 - a)) / current.n + (b * (1 - b)) / previous.n);
  return { ...test, low: a - b - Z_95 * se, high: a - b + Z_95 * se };
}

/** Hysteresis of one watched series: after firing it stays quiet until the value comes back. */
export interface ArmState {
  armed: boolean;
  /** The direction it last fired in. */
  direction?: 'up' | 'down';
}

export interface MoveRule {
  threshold: number;
  direction: AlertDirection;
  /** The series re-arms once |change| is at most this fraction of the threshold. */
  rearmFraction: number;
}

export const REARM_FRACTION = 0.5;

/**
 * Whether a change fires, and the series' state after it. A change fires when it is at least the
 * threshold, significant, in a direction the rule watches, and the series is armed; firing disarms
 * it until the change falls back to rearmFraction of the threshold, so a value hovering at the
 * threshold fires once. A significant move past the threshold the other way fires at once.
 */
export function judgeMove(change: Change, state: ArmState | undefined, rule: MoveRule): { fire: 'up' | 'down' | null; next: ArmState } {
  const current = state ?? { armed: true };
  if (change.change === null) return { fire: null, next: current };
  const moved: 'up' | 'down' = change.change > 0 ? 'up' : 'down';
  const size = Math.abs(change.change);
  const watched = rule.direction === 'both' || rule.direction === moved;
  const big = watched && change.significant && size >= rule.threshold;
  if (big && (current.armed || current.direction !== moved)) return { fire: moved, next: { armed: false, direction: moved } };
  if (!current.armed && size <= rule.threshold * rule.rearmFraction) return { fire: null, next: { armed: true } };
  return { fire: null, next: current };
}

export interface LimitState {
  now: Date;
  /** When the rule last sent an alert (suppressed ones do not count). */
  lastAt: Date | null;
  /** Alerts sent in the 24 hours before now. */
  sentToday: number;
  cooldownMinutes: number;
  maxPerDay: number;
}

/** Why an alert that would fire is held back, or null when it may go out. */
export function judgeLimits(limits: LimitState): string | null {
  if (limits.sentToday >= limits.maxPerDay) return `daily limit: ${limits.maxPerDay} alerts in 24 hours already sent`;
  if (limits.lastAt !== null && limits.cooldownMinutes > 0) {
    const until = limits.lastAt.getTime() + limits.cooldownMinutes * 60_000;
    if (limits.now.getTime() < until)
      return `cooldown: the last alert went out ${Math.round((limits.now.getTime() - limits.lastAt.getTime()) / 60_000)} minutes ago (cooldown ${limits.cooldownMinutes})`;
  }
  return null;
}

/**
 * The idempotency key of a rule's alert for an event: derived from both, so it is the same on every
 * retry, after a restart, and even if the alert row were written again.
 */
export function idempotencyKeyOf(ruleId: number, eventKey: string): string {
  const hex = createHash('sha256').update(`vibecheck-alert\n${ruleId}\n${eventKey}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
