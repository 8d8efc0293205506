import { computeNormalCdf, computeStudentTCdf } from './distributions.ts';

/**
 * Regression detection that expects the launch dip. Scores are first adjusted for who is talking and
 * when (a per-source and a day-of-week baseline), so a louder, grumpier source or a weekend does not
 * read as a change. After a release, the entity's adjusted score relative to its own pre-release level
 * is compared with the course it took after its past releases; elsewhere, a run of days is compared
 * with the weeks before it. Everything here is arithmetic on daily sums; the caller reads them.
 */

const DAY_MS = 86_400_000;

/** One UTC day of one source's mentions of the entity. */
export interface RegressionCell {
  /** the UTC midnight the day starts at */
  day: Date;
  source: string;
  n: number;
  /** Σ score */
  scoreSum: number;
  /** Σ score² */
  scoreSqSum: number;
}

export interface RegressionInput {
  cells: readonly RegressionCell[];
  /** Release instants of the entity (any order); several within `mergeReleaseDays` count as one. */
  releases: readonly Date[];
  /** First day of the history (a UTC midnight) and the end of the last complete day (exclusive). */
  from: Date;
  to: Date;
}

export interface RegressionOptions {
  /** Days after a release whose course is learned and judged. */
  horizonDays: number;
  /** Days before a release that set its baseline level. */
  preDays: number;
  /** Complete days after a release before it is judged. */
  minCourseDays: number;
  /** Past releases needed to learn the course's spread; with fewer, the spread is `priorSpread` (and with none, no dip is expected). */
  minPastReleases: number;
  /** Spread of the departure assumed when the entity has too few past releases. */
  priorSpread: number;
  /** A departure smaller than this (in score units, scores lie in [-1, 1]) is never a regression. */
  minSize: number;
  /** One-sided confidence a departure needs. */
  confidence: number;
  /** Mentions a judged window and its baseline each need. */
  minMentions: number;
  /** Releases this close to the previous one are the same launch. */
  mergeReleaseDays: number;
  /** Pseudo-mentions that pull a thin source's or weekday's baseline towards the overall level. */
  shrinkMentions: number;
  /** A sustained drop: this many days ... */
  dropDays: number;
  /** ... against this many days before them ... */
  dropBaselineDays: number;
  /** ... at least this many standard errors below ... */
  dropZ: number;
  /** ... with at least this many of the days below the baseline level by half of `minSize`. */
  dropMinDaysBelow: number;
}

export const DEFAULT_REGRESSION_OPTIONS: Readonly<RegressionOptions> = Object.freeze({
  horizonDays: 7,
  preDays: 14,
  minCourseDays: 2,
  minPastReleases: 2,
  priorSpread: 0.2,
  minSize: 0.05,
  confidence: 0.95,
  minMentions: 20,
  mergeReleaseDays: 3,
  shrinkMentions: 30,
  dropDays: 5,
  dropBaselineDays: 28,
  dropZ: 3,
  dropMinDaysBelow: 4,
});

export type RegressionKind = 'post-release' | 'sustained-drop';
/** Where the expectation came from: past releases, the no-dip prior, or the days before (a drop). */
export type ExpectationBasis = 'history' | 'prior' | 'baseline';

export interface CoursePoint {
  /** days since the release (or since the start of the drop) */
  day: number;
  /** adjusted score relative to the baseline level; null on a day without mentions */
  observed: number | null;
  /** mean of the past releases on that day; null without any */
  expected: number | null;
}

export interface Regression {
  kind: RegressionKind;
  /** The release day, or the first day of the drop. */
  start: Date;
  /** End (exclusive) of the days judged. */
  end: Date;
  /** The baseline days: [baselineFrom, baselineTo), ending at `start`. */
  baselineFrom: Date;
  baselineTo: Date;
  /** the release judged; null for a drop */
  releaseAt: Date | null;
  /** adjusted mean score over [start, end) minus the baseline level */
  observed: number;
  /** the change expected: the usual post-release course, or 0 */
  expected: number;
  /** observed - expected (negative: worse than expected) */
  size: number;
  /** standard deviation of `size` under "nothing unusual" */
  uncertainty: number;
  /** one-sided: 1 - P(a departure this low | nothing unusual) */
  confidence: number;
  basis: ExpectationBasis;
  /** past releases the expectation was learned from */
  pastReleases: number;
  n: number;
  baselineN: number;
  course: CoursePoint[];
}

interface DayTotals {
  n: number;
  /** Σ (score - source baseline - weekday baseline) */
  residual: number;
}

function assertInput(input: RegressionInput, options: RegressionOptions): void {
  if (input.from.getTime() % DAY_MS !== 0 || input.to.getTime() % DAY_MS !== 0) throw new RangeError('from and to must be UTC midnights');
  if (!(input.from.getTime() < input.to.getTime())) throw new RangeError('from must be before to');
  for (const cell of input.cells) {
    if (!Number.isInteger(cell.n) || cell.n < 0) throw new RangeError(`n must be a count, got ${cell.n}`);
    if (!Number.isFinite(cell.scoreSum) || !Number.isFinite(cell.scoreSqSum)) throw new RangeError('score sums must be finite');
  }
  const counts = ['horizonDays', 'preDays', 'minCourseDays', 'dropDays', 'dropBaselineDays', 'dropMinDaysBelow'] as const;
  for (const key of counts) {
    if (!Number.isInteger(options[key]) || options[key] < 1) throw new RangeError(`${key} must be a positive integer, got ${options[key]}`);
  }
  if (options.minCourseDays > options.horizonDays) throw new RangeError('minCourseDays must be at most horizonDays');
  if (options.dropMinDaysBelow > options.dropDays) throw new RangeError('dropMinDaysBelow must be at most dropDays');
  if (!(options.confidence > 0 && options.confidence < 1)) throw new RangeError('confidence must be in (0, 1)');
  if (!(options.minSize >= 0) || !(options.priorSpread > 0) || !(options.dropZ > 0))
    throw new RangeError('minSize, priorSpread and dropZ must be positive');
}

const dayIndex = (at: Date, from: Date) => Math.floor((at.getTime() - from.getTime()) / DAY_MS);
const dayAt = (from: Date, index: number) => new Date(from.getTime() + index * DAY_MS);

/** Release days as day indexes, in order, those within `mergeDays` of the previous one dropped. */
export function mergeReleaseDays(releases: readonly Date[], from: Date, days: number, mergeDays: number): number[] {
  const sorted = [...new Set(releases.map((r) => dayIndex(r, from)))].filter((i) => i >= 0 && i < days).sort((a, b) => a - b);
  const kept: number[] = [];
  for (const index of sorted) {
    const last = kept[kept.length - 1];
    if (last === undefined || index - last > mergeDays) kept.push(index);
  }
  return kept;
}

/**
 * Per-day totals of scores minus their source's and weekday's usual level, learned on the days outside
 * release windows. Both baselines are shrunk towards the overall mean by `shrink` pseudo-mentions.
 */
function adjustDays(
  input: RegressionInput,
  days: number,
  quiet: readonly boolean[],
  shrink: number,
): { totals: DayTotals[]; variance: number } {
  const cells = input.cells
    .map((cell) => ({ ...cell, index: dayIndex(cell.day, input.from) }))
    .filter((cell) => cell.index >= 0 && cell.index < days && cell.n > 0);
  const isQuiet = (index: number) => quiet[index] === true;
  let n = 0;
  let sum = 0;
  let sq = 0;
  const bySource = new Map<string, { n: number; sum: number }>();
  for (const cell of cells) {
    n += cell.n;
    sum += cell.scoreSum;
    sq += cell.scoreSqSum;
    if (!isQuiet(cell.index)) continue;
    const entry = bySource.get(cell.source) ?? { n: 0, sum: 0 };
    entry.n += cell.n;
    entry.sum += cell.scoreSum;
    bySource.set(cell.source, entry);
  }
  const quietN = [...bySource.values()].reduce((total, e) => total + e.n, 0);
  const quietSum = [...bySource.values()].reduce((total, e) => total + e.sum, 0);
  const overall = quietN > 0 ? quietSum / quietN : n > 0 ? sum / n : 0;
  const sourceLevel = (source: string) => {
    const entry = bySource.get(source);
    return entry === undefined ? overall : (entry.sum + shrink * overall) / (entry.n + shrink);
  };
  const weekday = Array.from({ length: 7 }, () => ({ n: 0, residual: 0 }));
  const weekdayOf = (index: number) => dayAt(input.from, index).getUTCDay();
  for (const cell of cells) {
    if (!isQuiet(cell.index)) continue;
    const entry = weekday[weekdayOf(cell.index)]!;
    entry.n += cell.n;
    entry.residual += cell.scoreSum - cell.n * sourceLevel(cell.source);
  }
  const weekdayLevel = weekday.map((w) => w.residual / (w.n + shrink));
  const totals: DayTotals[] = Array.from({ length: days }, () => ({ n: 0, residual: 0 }));
  for (const cell of cells) {
    const day = totals[cell.index]!;
    day.n += cell.n;
    day.residual += cell.scoreSum - cell.n * (sourceLevel(cell.source) + (weekdayLevel[weekdayOf(cell.index)] ?? 0));
  }
  // The spread of one mention's score; floored so a window of identical scores still has some noise.
  const mean = n > 0 ? sum / n : 0;
  const variance = Math.max(n > 0 ? sq / n - mean * mean : 0, 0.01);
  return { totals, variance };
}

/** Σ residual and Σ n over some days. */
function sumDays(totals: readonly DayTotals[], indexes: Iterable<number>): DayTotals {
  const result = { n: 0, residual: 0 };
  for (const i of indexes) {
    const day = totals[i];
    if (day === undefined) continue;
    result.n += day.n;
    result.residual += day.residual;
  }
  return result;
}

const range = (start: number, end: number) => Array.from({ length: Math.max(0, end - start) }, (_, k) => start + k);

interface ReleaseWindow {
  index: number;
  /** days after the release up to the next release or the horizon */
  length: number;
  preDays: number[];
  pre: DayTotals;
}

function describeReleases(
  releaseDays: readonly number[],
  totals: readonly DayTotals[],
  windows: readonly boolean[],
  options: RegressionOptions,
): ReleaseWindow[] {
  return releaseDays.map((index, k) => {
    const next = releaseDays[k + 1] ?? Number.POSITIVE_INFINITY;
    const length = Math.min(options.horizonDays, next - index, totals.length - index);
    // The baseline avoids days that belong to an earlier release's window.
    const preDays = range(Math.max(0, index - options.preDays), index).filter((i) => windows[i] !== true);
    return { index, length, preDays, pre: sumDays(totals, preDays) };
  });
}

function dayCourse(totals: readonly DayTotals[], release: ReleaseWindow, t: number): number | null {
  const day = totals[release.index + t];
  if (day === undefined || day.n === 0 || release.pre.n === 0 || t >= release.length) return null;
  return day.residual / day.n - release.pre.residual / release.pre.n;
}

/**
 * A past release's mean course over the days 0..checkpoint-1, each day weighted as in the window
 * judged (by its mentions), over the days the past release has data for.
 */
function pastMean(totals: readonly DayTotals[], past: ReleaseWindow, weights: readonly number[]): number | null {
  let weighted = 0;
  let weight = 0;
  weights.forEach((w, t) => {
    const c = dayCourse(totals, past, t);
    if (c === null || w === 0) return;
    weighted += w * c;
    weight += w;
  });
  return weight > 0 ? weighted / weight : null;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
function sampleVariance(values: readonly number[]): number {
  const m = mean(values);
  return values.reduce((total, v) => total + (v - m) ** 2, 0) / (values.length - 1);
}

function judgeRelease(
  totals: readonly DayTotals[],
  releases: readonly ReleaseWindow[],
  j: number,
  variance: number,
  from: Date,
  options: RegressionOptions,
): Regression | null {
  const current = releases[j]!;
  if (current.pre.n < options.minMentions || current.length < options.minCourseDays) return null;
  // Learn only from releases whose whole window ended before this one started.
  const past = releases.filter((r, k) => k < j && r.index + options.horizonDays <= current.index && r.pre.n >= options.minMentions);
  let best: Regression | null = null;
  for (let checkpoint = options.minCourseDays; checkpoint <= current.length; checkpoint++) {
    const weights = range(0, checkpoint).map((t) => totals[current.index + t]?.n ?? 0);
    const window = sumDays(totals, range(current.index, current.index + checkpoint));
    if (window.n < options.minMentions) continue;
    const observed = window.residual / window.n - current.pre.residual / current.pre.n;
    const means = past.map((p) => pastMean(totals, p, weights)).filter((m): m is number => m !== null);
    const noise = variance / window.n + variance / current.pre.n;
    const fromHistory = means.length >= options.minPastReleases;
    // With one past release its course is the best guess, but its spread cannot be learned from one.
    const expected = means.length > 0 ? mean(means) : 0;
    const uncertainty = Math.sqrt(fromHistory ? sampleVariance(means) * (1 + 1 / means.length) + noise : options.priorSpread ** 2 + noise);
    const size = observed - expected;
    const lowerTail = fromHistory ? computeStudentTCdf(size / uncertainty, means.length - 1) : computeNormalCdf(size / uncertainty);
    // The most confident checkpoint among those large enough to matter.
    if (size > -options.minSize || (best !== null && 1 - lowerTail <= best.confidence)) continue;
    best = {
      kind: 'post-release',
      start: dayAt(from, current.index),
      end: dayAt(from, current.index + checkpoint),
      baselineFrom: dayAt(from, current.index - options.preDays),
      baselineTo: dayAt(from, current.index),
      releaseAt: dayAt(from, current.index),
      observed,
      expected,
      size,
      uncertainty,
      confidence: 1 - lowerTail,
      basis: fromHistory ? 'history' : 'prior',
      pastReleases: means.length,
      n: window.n,
      baselineN: current.pre.n,
      course: range(0, current.length).map((t) => {
        const pastDays = past.map((p) => dayCourse(totals, p, t)).filter((c): c is number => c !== null);
        return { day: t, observed: dayCourse(totals, current, t), expected: pastDays.length > 0 ? mean(pastDays) : null };
      }),
    };
  }
  if (best === null || best.confidence < options.confidence) return null;
  return best;
}

interface DropWindow extends Regression {
  endIndex: number;
}

function judgeDropWindow(
  totals: readonly DayTotals[],
  windows: readonly boolean[],
  d: number,
  variance: number,
  from: Date,
  options: RegressionOptions,
): DropWindow | null {
  const start = d - options.dropDays + 1;
  const days = range(start, d + 1);
  if (start - options.dropBaselineDays < 0 || days.some((i) => windows[i] === true)) return null;
  const baseDays = range(start - options.dropBaselineDays, start).filter((i) => windows[i] !== true && (totals[i]?.n ?? 0) > 0);
  if (baseDays.length < options.dropBaselineDays / 2) return null;
  const window = sumDays(totals, days);
  const base = sumDays(totals, baseDays);
  if (window.n < options.minMentions || base.n < options.minMentions) return null;
  const level = base.residual / base.n;
  const observed = window.residual / window.n - level;
  // Day-to-day movement beyond sampling noise (topics, news) also moves a run of days.
  const dailyMeans = baseDays.map((i) => totals[i]!.residual / totals[i]!.n);
  const meanN = base.n / baseDays.length;
  const extra = Math.max(0, sampleVariance(dailyMeans) - variance / meanN);
  const uncertainty = Math.sqrt(extra / days.length + variance / window.n + extra / baseDays.length + variance / base.n);
  const z = observed / uncertainty;
  const below = days.filter((i) => (totals[i]?.n ?? 0) > 0 && totals[i]!.residual / totals[i]!.n < level - options.minSize / 2);
  if (observed > -options.minSize || z > -options.dropZ || below.length < options.dropMinDaysBelow) return null;
  // Sustained: without its lowest day the run is still clearly low (one bad day is a spike's business).
  const dayMean = (i: number) => ((totals[i]?.n ?? 0) > 0 ? totals[i]!.residual / totals[i]!.n : Number.POSITIVE_INFINITY);
  const lowest = days.reduce((low, i) => (dayMean(i) < dayMean(low) ? i : low));
  const rest = sumDays(
    totals,
    days.filter((i) => i !== lowest),
  );
  if (rest.n === 0) return null;
  const restObserved = rest.residual / rest.n - level;
  const restUncertainty = Math.sqrt(extra / (days.length - 1) + variance / rest.n + extra / baseDays.length + variance / base.n);
  if (restObserved > -options.minSize || restObserved / restUncertainty > -options.dropZ) return null;
  return {
    kind: 'sustained-drop',
    // The drop starts at its first low day, not at the first day of the window that caught it.
    start: dayAt(from, below[0] ?? start),
    end: dayAt(from, d + 1),
    baselineFrom: dayAt(from, start - options.dropBaselineDays),
    baselineTo: dayAt(from, start),
    releaseAt: null,
    observed,
    expected: 0,
    size: observed,
    uncertainty,
    confidence: 1 - computeNormalCdf(z),
    basis: 'baseline',
    pastReleases: 0,
    n: window.n,
    baselineN: base.n,
    course: days.map((i, t) => ({
      day: t,
      observed: (totals[i]?.n ?? 0) > 0 ? totals[i]!.residual / totals[i]!.n - level : null,
      expected: 0,
    })),
    endIndex: d,
  };
}

/**
 * Runs of flagged drop windows that overlap become one regression dated by the first window's first
 * day (stable while the drop goes on), carrying the figures of its most confident window.
 */
function mergeDrops(drops: readonly DropWindow[]): Regression[] {
  const episodes: Array<{ first: DropWindow; best: DropWindow; last: DropWindow }> = [];
  for (const drop of drops) {
    const open = episodes[episodes.length - 1];
    if (open !== undefined && drop.start.getTime() <= open.last.end.getTime()) {
      open.last = drop;
      if (drop.confidence > open.best.confidence) open.best = drop;
    } else episodes.push({ first: drop, best: drop, last: drop });
  }
  return episodes.map(({ first, best, last }) => {
    const { endIndex: _endIndex, ...figures } = best;
    return { ...figures, start: first.start, end: last.end, baselineFrom: first.baselineFrom, baselineTo: first.start };
  });
}

/**
 * Regressions in the history: releases whose course fell below the usual post-release course by
 * more than its uncertainty, and sustained drops outside release windows. Oldest first.
 */
export function detectRegressions(input: RegressionInput, options: Partial<RegressionOptions> = {}): Regression[] {
  const settings: RegressionOptions = { ...DEFAULT_REGRESSION_OPTIONS, ...options };
  assertInput(input, settings);
  const days = dayIndex(input.to, input.from);
  const releaseDays = mergeReleaseDays(input.releases, input.from, days, settings.mergeReleaseDays);
  const windows = Array.from({ length: days }, () => false);
  for (const index of releaseDays) for (const i of range(index, Math.min(days, index + settings.horizonDays))) windows[i] = true;
  const { totals, variance } = adjustDays(
    input,
    days,
    windows.map((w) => !w),
    settings.shrinkMentions,
  );
  const releases = describeReleases(releaseDays, totals, windows, settings);
  const found: Regression[] = releases
    .map((_, j) => judgeRelease(totals, releases, j, variance, input.from, settings))
    .filter((r): r is Regression => r !== null);
  const drops = range(0, days)
    .map((d) => judgeDropWindow(totals, windows, d, variance, input.from, settings))
    .filter((r): r is DropWindow => r !== null);
  return [...found, ...mergeDrops(drops)].sort((a, b) => a.start.getTime() - b.start.getTime());
}
