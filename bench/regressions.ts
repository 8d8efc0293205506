/**
 * Regression detection on constructed histories: how often a usual launch dip is flagged (false
 * alarms), how often a deeper one is found, against a naive "after the release below before it" test,
 * and how often a sustained drop outside releases is found or imagined. Pure arithmetic, no database.
 *
 *   npx tsx bench/regressions.ts [--runs 200] [--per-day 20]
 *
 * --per-day is mentions a day per source (two sources); each launch's dip varies ±30% around the usual one.
 */
import { parseArgs } from 'node:util';
import { computeNormalCdf } from '../src/core/distributions.ts';
import { detectRegressions, type RegressionCell } from '../src/core/regression.ts';
import { createSeededRandom } from '../src/core/seeded-random.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '200' }, 'per-day': { type: 'string', default: '20' } } });
const runs = Number(values.runs);
const perDay = Number(values['per-day']);
const DAY = 86_400_000;
const FROM = new Date(Date.UTC(2026, 0, 1));
const DIP = [-0.2, -0.16, -0.12, -0.08, -0.05, -0.02, 0];
const RELEASES = [30, 60, 90, 120, 150];
const CURRENT = 150;
const DAYS = 157;

function buildCells(seed: number, shift: (day: number, random: () => number) => number): RegressionCell[] {
  const random = createSeededRandom(seed);
  const cells: RegressionCell[] = [];
  for (let day = 0; day < DAYS; day++) {
    const dayShift = shift(day, random);
    for (const [source, level] of [
      ['hn', -0.1],
      ['reddit', 0.15],
    ] as const) {
      let scoreSum = 0;
      let scoreSqSum = 0;
      for (let k = 0; k < perDay; k++) {
        const score = Math.max(-1, Math.min(1, level + dayShift + (random() - 0.5) * 1.2));
        scoreSum += score;
        scoreSqSum += score * score;
      }
      cells.push({ day: new Date(FROM.getTime() + day * DAY), source, n: perDay, scoreSum, scoreSqSum });
    }
  }
  return cells;
}

/** Each launch dips like DIP times a factor drawn in [0.7, 1.3]; the current one `depth` times deeper. */
function launches(depth: number) {
  const factors = new Map<number, number>();
  return (day: number, random: () => number) => {
    for (const release of RELEASES) {
      const t = day - release;
      if (t < 0 || t >= DIP.length) continue;
      if (!factors.has(release)) factors.set(release, 0.7 + 0.6 * random());
      return (DIP[t] ?? 0) * factors.get(release)! * (release === CURRENT ? depth : 1);
    }
    return 0;
  };
}

/** The naive test: the first three days after the release against the 14 days before, one-sided at 95%. */
function naiveFlags(cells: readonly RegressionCell[]): boolean {
  const sum = (from: number, to: number) => {
    const picked = cells.filter((c) => {
      const day = (c.day.getTime() - FROM.getTime()) / DAY;
      return day >= from && day < to;
    });
    const n = picked.reduce((a, c) => a + c.n, 0);
    const s = picked.reduce((a, c) => a + c.scoreSum, 0);
    const q = picked.reduce((a, c) => a + c.scoreSqSum, 0);
    return { n, mean: s / n, variance: q / n - (s / n) ** 2 };
  };
  const after = sum(CURRENT, CURRENT + 3);
  const before = sum(CURRENT - 14, CURRENT);
  const z = (after.mean - before.mean) / Math.sqrt(after.variance / after.n + before.variance / before.n);
  return after.mean - before.mean <= -0.05 && computeNormalCdf(z) < 0.05;
}

const releaseInput = (cells: RegressionCell[]) => ({
  cells,
  releases: RELEASES.map((d) => new Date(FROM.getTime() + d * DAY)),
  from: FROM,
  to: new Date(FROM.getTime() + DAYS * DAY),
});
const flagsCurrent = (cells: RegressionCell[]) =>
  detectRegressions(releaseInput(cells)).some((r) => r.kind === 'post-release' && r.start.getTime() === FROM.getTime() + CURRENT * DAY);

console.log(`${runs} constructed histories per row, ${2 * perDay} mentions a day, 4 past launches dipping ${DIP[0]} on the day (±30%)`);
console.log('current launch dip | flagged (this detector) | flagged (naive before/after test)');
for (const depth of [1, 1.5, 2, 3]) {
  let ours = 0;
  let naive = 0;
  for (let seed = 1; seed <= runs; seed++) {
    const cells = buildCells(seed * 7919 + depth * 13, launches(depth));
    if (flagsCurrent(cells)) ours += 1;
    if (naiveFlags(cells)) naive += 1;
  }
  console.log(
    `${depth}x usual`.padEnd(19) + `| ${((100 * ours) / runs).toFixed(1)}%`.padEnd(26) + `| ${((100 * naive) / runs).toFixed(1)}%`,
  );
}

console.log('\nno releases, 100 days | sustained drop of 10 days found | any drop flagged elsewhere');
for (const size of [0, 0.1, 0.2]) {
  let found = 0;
  let elsewhere = 0;
  for (let seed = 1; seed <= runs; seed++) {
    const cells = buildCells(seed * 104_729 + size * 1000, (day) => (day >= 80 && day < 90 ? -size : 0)).filter(
      (c) => c.day.getTime() < FROM.getTime() + 100 * DAY,
    );
    const drops = detectRegressions({ cells, releases: [], from: FROM, to: new Date(FROM.getTime() + 100 * DAY) });
    const hit = (start: number) => start >= FROM.getTime() + 78 * DAY && start < FROM.getTime() + 90 * DAY;
    if (size > 0 && drops.some((d) => hit(d.start.getTime()))) found += 1;
    if (drops.some((d) => size === 0 || !hit(d.start.getTime()))) elsewhere += 1;
  }
  console.log(
    `drop ${size.toFixed(1)}`.padEnd(22) +
      `| ${size > 0 ? `${((100 * found) / runs).toFixed(1)}%` : '-'}`.padEnd(33) +
      `| ${((100 * elsewhere) / runs).toFixed(1)}% of histories`,
  );
}
