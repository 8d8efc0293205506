/** Two-sided 95% quantile of the standard normal distribution. */
export const Z_95 = 1.959963984540054;

const EPSILON = 1e-15;
const TINY = 1e-300;
const MAX_ITERATIONS = 100_000;
/** Above this many degrees of freedom the Cornish-Fisher expansion is exact to ~1e-12. */
const LARGE_DF = 200;

/** ln Γ(x) for x > 0: Stirling's series after shifting x above 10 with Γ(x + 1) = x Γ(x). */
export function logGamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`logGamma needs a finite x > 0, got ${x}`);
  let shift = 0;
  let y = x;
  while (y < 10) {
    shift += Math.log(y);
    y += 1;
  }
  const inv = 1 / y;
  const inv2 = inv * inv;
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 / 1188))));
  return (y - 0.5) * Math.log(y) - y + 0.5 * Math.log(2 * Math.PI) + series - shift;
}

function clampAwayFromZero(value: number): number {
  return Math.abs(value) < TINY ? TINY : value;
}

/** Continued fraction of the incomplete beta function, evaluated with the modified Lentz method. */
function evaluateBetaFraction(x: number, a: number, b: number): number {
  let c = 1;
  let d = 1 / clampAwayFromZero(1 - ((a + b) * x) / (a + 1));
  let result = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 / clampAwayFromZero(1 + even * d);
    c = clampAwayFromZero(1 + even / c);
    result *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 / clampAwayFromZero(1 + odd * d);
    c = clampAwayFromZero(1 + odd / c);
    const step = d * c;
    result *= step;
    if (Math.abs(step - 1) < EPSILON) return result;
  }
  return result;
}

function computeLogBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** I_x(a, b) given ln B(a, b), which callers evaluating many x for one (a, b) compute once. */
function computeRegularizedBeta(x: number, a: number, b: number, logBeta: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = a * Math.log(x) + b * Math.log1p(-x) - logBeta;
  // The fraction converges fast only below the mean of the distribution; use the symmetry above it.
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * evaluateBetaFraction(x, a, b)) / a;
  return 1 - (Math.exp(logFront) * evaluateBetaFraction(1 - x, b, a)) / b;
}

/** Regularized incomplete beta function I_x(a, b). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) throw new RangeError(`regularizedBeta needs a, b > 0, got ${a}, ${b}`);
  if (Number.isNaN(x)) throw new RangeError('regularizedBeta needs a number x');
  return computeRegularizedBeta(x, a, b, computeLogBeta(a, b));
}

/** Student's t with its normalising constant ln B(df/2, 1/2) computed once. */
interface StudentT {
  df: number;
  logBeta: number;
}

function createStudentT(df: number): StudentT {
  if (!(df > 0) || !Number.isFinite(df)) throw new RangeError(`degrees of freedom must be finite and > 0, got ${df}`);
  return { df, logBeta: computeLogBeta(df / 2, 0.5) };
}

function computeTwoSidedP(t: number, dist: StudentT): number {
  if (!Number.isFinite(t)) return 0;
  return computeRegularizedBeta(dist.df / (dist.df + t * t), dist.df / 2, 0.5, dist.logBeta);
}

function computeCdf(t: number, dist: StudentT): number {
  const tail = computeTwoSidedP(t, dist) / 2;
  return t > 0 ? 1 - tail : tail;
}

/** (1 + t²/df)^(-(df + 1)/2) / (sqrt(df) B(df/2, 1/2)), in logs. */
function computeDensity(t: number, dist: StudentT): number {
  const { df, logBeta } = dist;
  return Math.exp(-logBeta - 0.5 * Math.log(df) - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/** P(|T| >= |t|) for Student's t with df degrees of freedom. */
export function computeStudentTTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t)) throw new RangeError('t must be a number');
  return computeTwoSidedP(t, createStudentT(df));
}

/** P(T <= t) for Student's t with df degrees of freedom. */
export function computeStudentTCdf(t: number, df: number): number {
  if (Number.isNaN(t)) throw new RangeError('t must be a number');
  return computeCdf(t, createStudentT(df));
}

/** Standard normal P(Z <= z), from erfc written as a regularized incomplete gamma of order 1/2. */
export function computeNormalCdf(z: number): number {
  if (Number.isNaN(z)) throw new RangeError('z must be a number');
  const tail = 0.5 * computeUpperGammaHalf((z * z) / 2);
  return z > 0 ? 1 - tail : tail;
}

/** Q(1/2, x), the regularized upper incomplete gamma function of order 1/2 (equal to erfc(sqrt(x))). */
function computeUpperGammaHalf(x: number): number {
  const a = 0.5;
  if (x <= 0) return 1;
  const logFront = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n <= MAX_ITERATIONS && Math.abs(term) > Math.abs(sum) * EPSILON; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return 1 - sum * Math.exp(logFront);
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let result = d;
  for (let n = 1; n <= MAX_ITERATIONS; n++) {
    const an = -n * (n - a);
    b += 2;
    d = 1 / clampAwayFromZero(an * d + b);
    c = clampAwayFromZero(b + an / c);
    const step = d * c;
    result *= step;
    if (Math.abs(step - 1) < EPSILON) break;
  }
  return Math.exp(logFront) * result;
}

function normalDensity(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/**
 * Solves tail(x) = q for x > 0, tail being a decreasing upper-tail probability (exact where 1 - cdf would
 * cancel), by Newton steps from `guess` that bisect the bracket found so far when they leave it.
 */
function solveUpperTail(q: number, tail: (x: number) => number, density: (x: number) => number, guess: number): number {
  let low = 0;
  let high = Infinity;
  let x = guess;
  for (let i = 0; i < 200; i++) {
    const error = q - tail(x);
    if (error > 0) high = x;
    else low = x;
    let next = x - error / density(x);
    if (!(next > low && next < high)) next = Number.isFinite(high) ? (low + high) / 2 : 2 * x;
    if (Math.abs(next - x) <= 1e-13 * Math.max(1, x)) return next;
    x = next;
  }
  return x;
}

function assertProbability(p: number): void {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be strictly between 0 and 1, got ${p}`);
}

/** z such that P(Z <= z) = p for the standard normal distribution. */
export function computeNormalQuantile(p: number): number {
  assertProbability(p);
  if (p === 0.5) return 0;
  if (p < 0.5) return -computeNormalQuantile(1 - p);
  return solveUpperTail(1 - p, (z) => 0.5 * computeUpperGammaHalf((z * z) / 2), normalDensity, 1);
}

/** Integer df recur endlessly across a series (n - 1 for each bucket), so their quantiles are kept. */
const quantileCache = new Map<string, number>();
const QUANTILE_CACHE_SIZE = 4096;

/** t such that P(T <= t) = p for Student's t with df degrees of freedom (df may be fractional, as in Welch's test). */
export function computeStudentTQuantile(p: number, df: number): number {
  assertProbability(p);
  const dist = createStudentT(df);
  if (p === 0.5) return 0;
  if (p < 0.5) return -computeStudentTQuantile(1 - p, df);
  const key = `${p}:${df}`;
  const known = quantileCache.get(key);
  if (known !== undefined) return known;
  const expansion = expandCornishFisher(p === 0.975 ? Z_95 : computeNormalQuantile(p), df);
  const quantile =
    df >= LARGE_DF
      ? expansion
      : solveUpperTail(
          1 - p,
          (t) => computeTwoSidedP(t, dist) / 2,
          (t) => computeDensity(t, dist),
          guessQuantile(p, df, expansion),
        );
  if (Number.isInteger(df)) {
    if (quantileCache.size >= QUANTILE_CACHE_SIZE) quantileCache.clear();
    quantileCache.set(key, quantile);
  }
  return quantile;
}

/**
 * A Newton start: the Cornish-Fisher expansion from 3 df (its series diverges below), else a geometric
 * blend of the closed forms at 1 df (Cauchy) and 2 df; below 1 df the tail P ~ t^-df stretches the 1-df value.
 */
function guessQuantile(p: number, df: number, expansion: number): number {
  if (df >= 3) return expansion;
  const atOne = Math.tan(Math.PI * (p - 0.5));
  const atTwo = (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  if (df < 1) return atOne ** (1 / df);
  const atThree = expandCornishFisher(p === 0.975 ? Z_95 : computeNormalQuantile(p), 3);
  return df < 2 ? atOne ** (2 - df) * atTwo ** (df - 1) : atTwo ** (3 - df) * atThree ** (df - 2);
}

/** Abramowitz & Stegun 26.7.5: t quantile as a series in 1/df around the normal quantile z. */
function expandCornishFisher(z: number, df: number): number {
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
  return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
}
