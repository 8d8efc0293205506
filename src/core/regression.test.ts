import { describe, expect, it } from 'vitest';
import { detectRegressions, mergeReleaseDays, type RegressionCell } from './regression.ts';
import { createSeededRandom } from './seeded-random.ts';

const DAY = 86_400_000;
const FROM = new Date(Date.UTC(2026, 0, 1));

interface World {
  days: number;
  /** the usual level of each source, and its mentions a day */
  sources: Record<string, { level: number; perDay: number }>;
  /** added to every score on Saturdays and Sundays */
  weekend?: number;
  /** added to the score on a day (index) */
  shift?: (day: number) => number;
  /** multiplies a source's mentions on a day */
  volume?: (day: number, source: string) => number;
  seed?: number;
}

/** Daily cells of individual scores drawn around each source's level, with seeded noise of ±0.5. */
function buildCells(world: World): RegressionCell[] {
  const random = createSeededRandom(world.seed ?? 7);
  const cells: RegressionCell[] = [];
  for (let day = 0; day < world.days; day++) {
    const date = new Date(FROM.getTime() + day * DAY);
    const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6 ? (world.weekend ?? 0) : 0;
    for (const [source, { level, perDay }] of Object.entries(world.sources)) {
      const n = Math.round(perDay * (world.volume?.(day, source) ?? 1));
      let scoreSum = 0;
      let scoreSqSum = 0;
      for (let k = 0; k < n; k++) {
        const score = Math.max(-1, Math.min(1, level + weekend + (world.shift?.(day) ?? 0) + (random() - 0.5)));
        scoreSum += score;
        scoreSqSum += score * score;
      }
      cells.push({ day: date, source, n, scoreSum, scoreSqSum });
    }
  }
  return cells;
}

const at = (day: number) => new Date(FROM.getTime() + day * DAY);
const TO = (days: number) => at(days);
/** The usual launch dip: sharp on the day, gone within a week. */
const DIP = [-0.2, -0.16, -0.12, -0.08, -0.05, -0.02, 0];
const PAST_RELEASES = [30, 60, 90, 120];

function dipAfter(releases: readonly number[], extra: Record<number, number> = {}) {
  return (day: number) => {
    for (const r of releases) {
      const t = day - r;
      if (t >= 0 && t < DIP.length) return (DIP[t] ?? 0) * (extra[r] ?? 1);
    }
    return 0;
  };
}

const SOURCES = { hn: { level: -0.1, perDay: 30 }, reddit: { level: 0.15, perDay: 30 } };

describe('detectRegressions after a release', () => {
  it('a dip that follows the past releases raises nothing', () => {
    const releases = [...PAST_RELEASES, 150];
    const cells = buildCells({ days: 157, sources: SOURCES, shift: dipAfter(releases) });
    expect(detectRegressions({ cells, releases: releases.map(at), from: FROM, to: TO(157) })).toEqual([]);
  });

  it('a dip twice as deep as usual is a regression, with the usual dip as its expectation', () => {
    const releases = [...PAST_RELEASES, 150];
    const cells = buildCells({ days: 157, sources: SOURCES, shift: dipAfter(releases, { 150: 2.5 }) });
    const found = detectRegressions({ cells, releases: releases.map(at), from: FROM, to: TO(157) });
    expect(found).toHaveLength(1);
    const [regression] = found;
    expect(regression).toMatchObject({ kind: 'post-release', basis: 'history', pastReleases: 4, start: at(150), releaseAt: at(150) });
    expect(regression!.expected).toBeLessThan(-0.08);
    expect(regression!.observed).toBeLessThan(regression!.expected - 0.1);
    expect(regression!.size).toBeCloseTo(regression!.observed - regression!.expected, 10);
    expect(regression!.confidence).toBeGreaterThanOrEqual(0.95);
    expect(regression!.baselineTo).toEqual(at(150));
    expect(regression!.course[0]).toMatchObject({ day: 0 });
    expect(regression!.course[0]!.expected).toBeLessThan(-0.1);
  });

  it('judges only complete days: two days after a release are enough, one is not', () => {
    const releases = [...PAST_RELEASES, 150];
    const shift = dipAfter(releases, { 150: 3 });
    const cells = buildCells({ days: 157, sources: SOURCES, shift });
    expect(detectRegressions({ cells, releases: releases.map(at), from: FROM, to: TO(151) })).toEqual([]);
    expect(detectRegressions({ cells, releases: releases.map(at), from: FROM, to: TO(152) })).toHaveLength(1);
  });

  it('without past releases, expects no dip but allows a wide spread: a small dip passes, a collapse does not', () => {
    const small = buildCells({ days: 40, sources: SOURCES, shift: (d) => (d >= 30 && d < 35 ? -0.1 : 0) });
    expect(detectRegressions({ cells: small, releases: [at(30)], from: FROM, to: TO(37) })).toEqual([]);
    const collapse = buildCells({ days: 40, sources: SOURCES, shift: (d) => (d >= 30 && d < 35 ? -0.5 : 0) });
    const [found] = detectRegressions({ cells: collapse, releases: [at(30)], from: FROM, to: TO(37) });
    expect(found).toMatchObject({ kind: 'post-release', basis: 'prior', pastReleases: 0, expected: 0 });
  });

  it('a louder grumpy source after a release is not a drop: scores are judged against their own source', () => {
    const releases = [...PAST_RELEASES, 150];
    // After the last release, hn (the lower-scoring source) talks four times as much.
    const volume = (day: number, source: string) => (source === 'hn' && day >= 150 ? 4 : 1);
    const cells = buildCells({ days: 157, sources: SOURCES, shift: dipAfter(releases), volume });
    expect(detectRegressions({ cells, releases: releases.map(at), from: FROM, to: TO(157) })).toEqual([]);
  });

  it('releases a day or two apart are one launch', () => {
    expect(mergeReleaseDays([at(10), at(11), at(30), at(12), at(15), at(200)], FROM, 100, 3)).toEqual([10, 15, 30]);
  });
});

describe('detectRegressions outside release windows', () => {
  it('a week-long drop is one regression starting where it started', () => {
    const cells = buildCells({ days: 80, sources: SOURCES, shift: (d) => (d >= 60 && d < 70 ? -0.2 : 0) });
    const found = detectRegressions({ cells, releases: [], from: FROM, to: TO(80) });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: 'sustained-drop', basis: 'baseline', expected: 0, releaseAt: null });
    expect(Math.abs(found[0]!.start.getTime() - at(60).getTime())).toBeLessThanOrEqual(DAY);
    expect(found[0]!.size).toBeLessThan(-0.1);
    expect(found[0]!.baselineTo).toEqual(found[0]!.start);
  });

  it('weekends, a source mix change and noise raise nothing', () => {
    const volume = (day: number, source: string) => (source === 'hn' && day >= 50 ? 3 : 1);
    const cells = buildCells({ days: 100, sources: SOURCES, weekend: 0.2, volume, seed: 11 });
    expect(detectRegressions({ cells, releases: [], from: FROM, to: TO(100) })).toEqual([]);
  });

  it('a one-day dip is not sustained', () => {
    const cells = buildCells({ days: 60, sources: SOURCES, shift: (d) => (d === 50 ? -0.4 : 0) });
    expect(detectRegressions({ cells, releases: [], from: FROM, to: TO(60) })).toEqual([]);
  });

  it('a drop inside a release window is left to the release judgement', () => {
    const cells = buildCells({ days: 60, sources: SOURCES, shift: (d) => (d >= 40 && d < 47 ? -0.1 : 0) });
    expect(detectRegressions({ cells, releases: [at(40)], from: FROM, to: TO(47) })).toEqual([]);
  });
});

describe('detectRegressions input', () => {
  it('refuses bounds that are not UTC midnights and impossible options', () => {
    expect(() => detectRegressions({ cells: [], releases: [], from: new Date(FROM.getTime() + 1), to: TO(10) })).toThrow(/midnights/);
    expect(() => detectRegressions({ cells: [], releases: [], from: FROM, to: TO(10) }, { minCourseDays: 9 })).toThrow(/minCourseDays/);
  });

  it('an empty history has no regressions', () => {
    expect(detectRegressions({ cells: [], releases: [at(3)], from: FROM, to: TO(40) })).toEqual([]);
  });
});
