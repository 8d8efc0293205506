import { aspectWords } from './aspect-words.ts';
import type { Attribution } from './attribution.ts';
import { addSums, compareWindows, EMPTY_SUMS, summarize, type RollupSums, type SentimentLabel, type SeriesPoint } from './stats.ts';

/**
 * Why a number moved: the pure half of an explanation. The caller reads sums and candidate posts from
 * the database (src/db/queries/explain.ts); everything here is arithmetic on them, so the same figures
 * reach the API, alerts and digests. Every output is plain JSON (ISO strings for instants).
 */

const DAY_MS = 86_400_000;

/**
 * What the explanation ranks by. `score`: the mean sentiment score (entity windows, releases, incidents,
 * notes). `negativeShare`: negative mentions over all mentions (negativity spikes). `volume`: mentions a
 * day (volume spikes). The mean-score comparison is reported whatever the measure.
 */
export type ExplainMeasure = 'score' | 'negativeShare' | 'volume';
export type ChangeDirection = 'up' | 'down' | 'flat';

/**
 * The fields every answer about a window against an earlier one carries (the API's ChangeFields):
 * Welch's t-test on the two mean scores, from their sums.
 */
export function describeChange(current: Readonly<RollupSums>, previous: Readonly<RollupSums>) {
  const comparison = compareWindows(current, previous);
  return {
    previousN: previous.n,
    previousScore: comparison.previousScore,
    change: comparison.change,
    changeLow: comparison.changeLow,
    changeHigh: comparison.changeHigh,
    significant: comparison.significant,
  };
}
export type ChangeDescription = ReturnType<typeof describeChange>;

export interface TimeRange {
  from: Date;
  to: Date;
}

/** One window's statistics (those of a series point) with its bounds, length and negative share. */
export interface ExplainedWindow extends SeriesPoint {
  from: string;
  to: string;
  days: number;
  /** negative / n; null without mentions */
  negativeShare: number | null;
  /** n / days */
  perDay: number;
}

export interface ExplanationChange extends ChangeDescription {
  measure: ExplainMeasure;
  /** Direction of the measure's change; flat when it did not move or cannot be compared. */
  direction: ChangeDirection;
  /** Change of the measure explained: of the mean score, the negative share or mentions a day. */
  measureChange: number | null;
  /** Two-sided p-value of Welch's t-test on the mean scores; null unless both windows have n >= 2. */
  pValue: number | null;
  score: number | null;
  netSentiment: number | null;
  previousNetSentiment: number | null;
  netSentimentChange: number | null;
  negativeShare: number | null;
  previousNegativeShare: number | null;
  /** Mentions a day in the window over mentions a day before (windows may differ in length); null when none before. */
  volumeRatio: number | null;
}

/** A candidate post as the database hands it over. */
export interface ExplainPostRow {
  postId: number;
  source: string;
  url: string | null;
  title: string | null;
  /** A stretch of the body around the mention (the database sends a few hundred characters either side). */
  body: string;
  /** Where the entity is named within `body`; negative when it is named in the title. */
  mentionAt: number;
  /** Whether `body` starts after the start of the post's body. */
  clipped: boolean;
  createdAt: Date;
  label: SentimentLabel;
  score: number;
  engagement: number;
  aspects: string[];
}

export interface ContributingPost {
  postId: number;
  source: string;
  url: string | null;
  title: string | null;
  /** At most EXCERPT_CHARS characters of plain text around the mention; untrusted, escape it when rendering. */
  excerpt: string;
  createdAt: string;
  label: SentimentLabel;
  score: number;
  engagement: number;
  aspects: string[];
  /** See computeContribution: this mention's part of measureChange. */
  contribution: number;
}

export interface AspectMove extends ChangeDescription {
  aspect: string;
  n: number;
  /** mentions with this aspect over the window's mentions (a mention may carry several aspects) */
  share: number | null;
  previousShare: number | null;
  shareChange: number | null;
  /** mean polarity score of the aspect in the window */
  score: number | null;
  /** share x mean polarity now minus before: the aspect's signed pull on the mean score */
  pull: number;
}

export interface SourceMove extends ChangeDescription {
  source: string;
  n: number;
  score: number | null;
  /** this source's part of measureChange (the parts add up to it; see computeSourceContribution) */
  contribution: number;
  /** contribution / measureChange; null when the measure did not move */
  shareOfChange: number | null;
}

export interface NearbyEvent {
  id: number;
  /** the entity the event belongs to (the explained one, or its parent, such as the vendor) */
  entity: string | null;
  kind: 'release' | 'incident' | 'note' | 'spike' | 'regression';
  source: string;
  title: string;
  url: string | null;
  occurredAt: string;
}

export interface ExplainedEvent extends NearbyEvent {
  details: Record<string, unknown>;
}

export interface Explanation {
  entity: { slug: string; name: string };
  /** only mentions from this source were read; null for all */
  source: string | null;
  /** the event explained, or null for a window the caller chose */
  event: ExplainedEvent | null;
  window: ExplainedWindow;
  previousWindow: ExplainedWindow;
  change: ExplanationChange;
  /** One extractive line built from the figures below. */
  headline: string;
  /** The mentions that moved the measure most in the direction of its change, largest contribution first. */
  posts: ContributingPost[];
  /** The mentions that pulled hardest the other way (empty when the measure is flat, or for volume). */
  opposingPosts: ContributingPost[];
  /** Aspects that moved most (by |pull|; by |shareChange| for volume), at most MAX_ASPECTS. */
  aspects: AspectMove[];
  /** Every source with mentions in either window, the largest contribution in the change's direction first. */
  sources: SourceMove[];
  /** Releases, incidents and notes from two days before the window to two days after it. */
  events: NearbyEvent[];
  /** The layer a regression or negativity spike is put down to, as the detector stored it; null otherwise. */
  attribution: Attribution | null;
}

export const EXCERPT_CHARS = 240;
export const MAX_ASPECTS = 5;
/** Events this close to either end of the window are listed with it. */
export const NEARBY_EVENT_MS = 2 * DAY_MS;

function describeWindow(range: TimeRange, sums: Readonly<RollupSums>): ExplainedWindow {
  const days = (range.to.getTime() - range.from.getTime()) / DAY_MS;
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    days,
    ...summarize(sums),
    negativeShare: sums.n === 0 ? null : sums.negative / sums.n,
    perDay: days > 0 ? sums.n / days : 0,
  };
}

const difference = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b);

/** Changes smaller than this are read as no change (float noise, or a rounding-level move). */
const FLAT = 1e-9;

function directionOf(change: number | null): ChangeDirection {
  if (change === null || Math.abs(change) < FLAT) return 'flat';
  return change > 0 ? 'up' : 'down';
}

/** Both windows' statistics and the change between them, for the chosen measure. */
export function computeExplanationChange(
  measure: ExplainMeasure,
  windows: { window: TimeRange; previousWindow: TimeRange },
  current: Readonly<RollupSums>,
  previous: Readonly<RollupSums>,
): { window: ExplainedWindow; previousWindow: ExplainedWindow; change: ExplanationChange } {
  const window = describeWindow(windows.window, current);
  const previousWindow = describeWindow(windows.previousWindow, previous);
  const comparison = compareWindows(current, previous);
  const measureChange =
    measure === 'score'
      ? comparison.change
      : measure === 'negativeShare'
        ? difference(window.negativeShare, previousWindow.negativeShare)
        : window.perDay - previousWindow.perDay;
  return {
    window,
    previousWindow,
    change: {
      measure,
      direction: directionOf(measureChange),
      measureChange,
      score: comparison.currentScore,
      ...describeChange(current, previous),
      pValue: comparison.pValue,
      netSentiment: window.netSentiment,
      previousNetSentiment: previousWindow.netSentiment,
      netSentimentChange: difference(window.netSentiment, previousWindow.netSentiment),
      negativeShare: window.negativeShare,
      previousNegativeShare: previousWindow.negativeShare,
      volumeRatio: previousWindow.perDay > 0 ? window.perDay / previousWindow.perDay : null,
    },
  };
}

/**
 * How the database ranks candidate posts, each tie broken by engagement, then newest first:
 * `score-asc`/`score-desc` by score; `distance` by |score - base|; `negative-first`/`negative-last`
 * by whether the label is negative (then the lowest/highest score); `engagement` by engagement alone.
 */
export type PostOrder = 'score-asc' | 'score-desc' | 'distance' | 'negative-first' | 'negative-last' | 'engagement';

/** The ranking of the leading posts and of the opposing ones (null: none), for a measure moving in a direction. */
export function planPostRanking(measure: ExplainMeasure, direction: ChangeDirection): { lead: PostOrder; opposing: PostOrder | null } {
  if (measure === 'volume') return { lead: 'engagement', opposing: null };
  if (measure === 'negativeShare') {
    if (direction === 'flat') return { lead: 'negative-first', opposing: null };
    return direction === 'up'
      ? { lead: 'negative-first', opposing: 'negative-last' }
      : { lead: 'negative-last', opposing: 'negative-first' };
  }
  if (direction === 'flat') return { lead: 'distance', opposing: null };
  return direction === 'down' ? { lead: 'score-asc', opposing: 'score-desc' } : { lead: 'score-desc', opposing: 'score-asc' };
}

/** The level each mention is measured against: the previous window's mean score or negative share (0 when it was empty). */
export function contributionBase(measure: ExplainMeasure, previous: Readonly<RollupSums>): number {
  if (previous.n === 0) return 0;
  return measure === 'negativeShare' ? previous.negative / previous.n : previous.scoreSum / previous.n;
}

/**
 * A mention's part of the change. The window's mean is Σs/n, so mean − base = Σ(s − base)/n: each
 * mention contributes (s − base)/n and the contributions add up to the change exactly (base = the
 * previous mean). The negative share is the mean of [label = negative], so the same holds with
 * ([negative] − previous share)/n. For volume every mention adds 1/days to the window's daily rate.
 */
export function computeContribution(
  measure: ExplainMeasure,
  mention: { score: number; label: SentimentLabel },
  base: number,
  window: { n: number; days: number },
): number {
  if (measure === 'volume') return window.days > 0 ? 1 / window.days : 0;
  if (window.n === 0) return 0;
  const value = measure === 'negativeShare' ? (mention.label === 'negative' ? 1 : 0) : mention.score;
  return (value - base) / window.n;
}

/**
 * A source's part of the change: the sum of its mentions' contributions for score and negative share
 * (so the sources add up to the change), its change in mentions a day for volume.
 */
export function computeSourceContribution(
  measure: ExplainMeasure,
  sums: { current: Readonly<RollupSums>; previous: Readonly<RollupSums> },
  base: number,
  windows: { n: number; days: number; previousDays: number },
): number {
  if (measure === 'volume') {
    const now = windows.days > 0 ? sums.current.n / windows.days : 0;
    const before = windows.previousDays > 0 ? sums.previous.n / windows.previousDays : 0;
    return now - before;
  }
  if (windows.n === 0) return 0;
  const total = measure === 'negativeShare' ? sums.current.negative : sums.current.scoreSum;
  return (total - sums.current.n * base) / windows.n;
}

/** Plain text around the mention, whitespace collapsed, cut on word boundaries to at most EXCERPT_CHARS. */
export function makeExcerpt(post: Pick<ExplainPostRow, 'body' | 'mentionAt' | 'clipped'>): string {
  const at = Math.min(Math.max(0, post.mentionAt), post.body.length);
  // Start a little before the mention so the sentence it sits in reads whole, at a word boundary.
  let start = Math.max(0, at - Math.floor(EXCERPT_CHARS / 3));
  if (start > 0) {
    const space = post.body.lastIndexOf(' ', start);
    if (space >= 0 && space > start - 40) start = space + 1;
  }
  const text = post.body.slice(start).replace(/\s+/g, ' ').trim();
  const lead = start > 0 || post.clipped ? '…' : '';
  if (lead.length + text.length <= EXCERPT_CHARS) return lead + text;
  const room = EXCERPT_CHARS - lead.length - 1;
  const cut = text.lastIndexOf(' ', room);
  return `${lead}${text.slice(0, cut > room * 0.6 ? cut : room).trimEnd()}…`;
}

export function presentContributingPost(
  row: ExplainPostRow,
  measure: ExplainMeasure,
  base: number,
  window: { n: number; days: number },
): ContributingPost {
  return {
    postId: row.postId,
    source: row.source,
    url: row.url,
    title: row.title,
    excerpt: makeExcerpt(row),
    createdAt: row.createdAt.toISOString(),
    label: row.label,
    score: row.score,
    engagement: row.engagement,
    aspects: row.aspects,
    contribution: computeContribution(measure, row, base, window),
  };
}

/** Aspect movements, the largest first: by |pull| for score and negative share, by |shareChange| for volume. */
export function rankAspectMoves(
  measure: ExplainMeasure,
  aspects: ReadonlyArray<{ aspect: string; current: Readonly<RollupSums>; previous: Readonly<RollupSums> }>,
  windowN: number,
  previousN: number,
  limit = MAX_ASPECTS,
): AspectMove[] {
  const moves = aspects.map((entry): AspectMove => {
    const share = windowN > 0 ? entry.current.n / windowN : null;
    const previousShare = previousN > 0 ? entry.previous.n / previousN : null;
    const score = entry.current.n > 0 ? entry.current.scoreSum / entry.current.n : null;
    const previousScore = entry.previous.n > 0 ? entry.previous.scoreSum / entry.previous.n : null;
    return {
      aspect: entry.aspect,
      n: entry.current.n,
      share,
      previousShare,
      shareChange: difference(share, previousShare),
      score,
      ...describeChange(entry.current, entry.previous),
      pull: (share ?? 0) * (score ?? 0) - (previousShare ?? 0) * (previousScore ?? 0),
    };
  });
  const key = (move: AspectMove) => (measure === 'volume' ? Math.abs(move.shareChange ?? move.share ?? 0) : Math.abs(move.pull));
  return moves
    .sort(
      (a, b) =>
        key(b) - key(a) || Math.abs(b.shareChange ?? 0) - Math.abs(a.shareChange ?? 0) || b.n - a.n || a.aspect.localeCompare(b.aspect),
    )
    .slice(0, limit);
}

/** Every source, the one carrying most of the change first (by |contribution| when the measure is flat). */
export function rankSourceMoves(
  measure: ExplainMeasure,
  sources: ReadonlyArray<{ source: string; current: Readonly<RollupSums>; previous: Readonly<RollupSums> }>,
  base: number,
  windows: { n: number; days: number; previousDays: number },
  change: { direction: ChangeDirection; measureChange: number | null },
): SourceMove[] {
  const sign = change.direction === 'down' ? -1 : 1;
  const moves = sources.map((entry): SourceMove => {
    const contribution = computeSourceContribution(measure, entry, base, windows);
    return {
      source: entry.source,
      n: entry.current.n,
      score: entry.current.n > 0 ? entry.current.scoreSum / entry.current.n : null,
      ...describeChange(entry.current, entry.previous),
      contribution,
      shareOfChange: change.measureChange === null || Math.abs(change.measureChange) < FLAT ? null : contribution / change.measureChange,
    };
  });
  const key = (move: SourceMove) => (change.direction === 'flat' ? Math.abs(move.contribution) : sign * move.contribution);
  return moves.sort((a, b) => key(b) - key(a) || b.n - a.n || a.source.localeCompare(b.source));
}

/** +0.12, -0.08, 0.00: a score with its sign, never "-0.00". */
export function formatScore(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  if (rounded === 0) return '0.00';
  return `${rounded > 0 ? '+' : ''}${rounded.toFixed(2)}`;
}

const formatPercent = (value: number) => `${Math.round(value * 100)}%`;
const formatRate = (value: number) => (value >= 10 ? String(Math.round(value)) : String(Math.round(value * 10) / 10));

function describeMeasure(
  change: ExplanationChange,
  window: ExplainedWindow,
  previous: ExplainedWindow,
  spike: { zScore: number } | undefined,
): string {
  const verb = change.direction === 'up' ? 'rose' : 'fell';
  if (change.measure === 'volume') {
    if (change.direction === 'flat') return `mentions steady at ${formatRate(window.perDay)} a day`;
    return `mentions ${verb} from ${formatRate(previous.perDay)} to ${formatRate(window.perDay)} a day${spike ? ` (spike, z = ${spike.zScore.toFixed(1)})` : ''}`;
  }
  if (window.n === 0) return `no mentions in the window (${previous.n} before)`;
  if (change.measure === 'negativeShare') {
    const now = window.negativeShare ?? 0;
    if (previous.negativeShare === null) return `negative share ${formatPercent(now)} of ${window.n} mentions, none before`;
    if (change.direction === 'flat') return `negative share steady at ${formatPercent(now)}`;
    return `negative share ${verb} from ${formatPercent(previous.negativeShare)} to ${formatPercent(now)}${spike ? ` (spike, z = ${spike.zScore.toFixed(1)})` : ''}`;
  }
  const score = change.score ?? 0;
  if (change.previousScore === null) return `sentiment ${formatScore(score)} over ${window.n} mentions, none in the window before`;
  const significance = change.significant ? 'significant' : change.pValue === null ? 'too few mentions to judge' : 'within noise';
  if (formatScore(score) === formatScore(change.previousScore)) return `sentiment steady at ${formatScore(score)} (${significance})`;
  return `sentiment ${verb} from ${formatScore(change.previousScore)} to ${formatScore(score)} (${significance})`;
}

/** Names the source carrying at least half the change, when one does. */
function describeSources(change: ExplanationChange, sources: readonly SourceMove[]): string {
  const top = sources[0];
  if (change.direction === 'flat' || top === undefined || top.shareOfChange === null || top.shareOfChange < 0.5) return '';
  return `, driven by ${top.source}`;
}

/** "limits complaints up", "speed praise down", "pricing sentiment down": the aspect that moved most, in words. */
function describeAspect(aspects: readonly AspectMove[]): string {
  const top = aspects[0];
  if (top === undefined) return '';
  const name = aspectWords(top.aspect);
  if (top.shareChange !== null && Math.abs(top.shareChange) >= 0.05) {
    const tone = top.shareChange > 0 ? top.score : top.previousScore;
    const what = tone === null ? 'mentions' : tone <= -0.1 ? 'complaints' : tone >= 0.1 ? 'praise' : 'mentions';
    return `; ${name} ${what} ${top.shareChange > 0 ? 'up' : 'down'}`;
  }
  if (top.change !== null && Math.abs(top.change) >= 0.1) return `; ${name} sentiment ${top.change > 0 ? 'up' : 'down'}`;
  if (top.shareChange === null && top.n > 0 && top.score !== null) {
    return `; ${name} ${top.score <= -0.1 ? 'complaints' : top.score >= 0.1 ? 'praise' : 'mentions'}`;
  }
  return '';
}

/**
 * "Cursor: sentiment fell from +0.12 to -0.08 (significant), driven by hn; limits complaints up".
 * The source and aspect are named only for a significant move of the mean score, or for a spike.
 */
export function buildHeadline(input: {
  name: string;
  change: ExplanationChange;
  window: ExplainedWindow;
  previousWindow: ExplainedWindow;
  sources: readonly SourceMove[];
  aspects: readonly AspectMove[];
  spike?: { zScore: number } | undefined;
}): string {
  const measure = describeMeasure(input.change, input.window, input.previousWindow, input.spike);
  // A mean-score move within noise has no cause to name; a spike has passed the detector's test.
  if (input.change.measure === 'score' && !input.change.significant) return `${input.name}: ${measure}`;
  return `${input.name}: ${measure}${describeSources(input.change, input.sources)}${describeAspect(input.aspects)}`;
}

/** Everything an explanation is built from, read by the caller. */
export interface ExplanationParts {
  entity: { slug: string; name: string };
  source: string | null;
  event: ExplainedEvent | null;
  measure: ExplainMeasure;
  window: TimeRange;
  previousWindow: TimeRange;
  sources: ReadonlyArray<{ source: string; current: Readonly<RollupSums>; previous: Readonly<RollupSums> }>;
  aspects: ReadonlyArray<{ aspect: string; current: Readonly<RollupSums>; previous: Readonly<RollupSums> }>;
  posts: readonly ExplainPostRow[];
  opposingPosts: readonly ExplainPostRow[];
  events: readonly NearbyEvent[];
  spike?: { zScore: number } | undefined;
  attribution?: Attribution | null | undefined;
}

/** The window totals are the sum of the per-source sums (read in one scan, so they add up). */
export function totalOfSources(sources: ExplanationParts['sources']): { current: RollupSums; previous: RollupSums } {
  return sources.reduce(
    (total, entry) => ({ current: addSums(total.current, entry.current), previous: addSums(total.previous, entry.previous) }),
    { current: { ...EMPTY_SUMS }, previous: { ...EMPTY_SUMS } },
  );
}

const opposite = (direction: ChangeDirection): ChangeDirection => (direction === 'up' ? 'down' : direction === 'down' ? 'up' : 'flat');

/** A ranked post is listed only when it pushes the way its list says (a short window may have fewer). */
function pullsWith(direction: ChangeDirection, contribution: number): boolean {
  if (direction === 'flat') return true;
  return direction === 'up' ? contribution > 0 : contribution < 0;
}

export function buildExplanation(parts: ExplanationParts): Explanation {
  const total = totalOfSources(parts.sources);
  const { window, previousWindow, change } = computeExplanationChange(parts.measure, parts, total.current, total.previous);
  const base = contributionBase(parts.measure, total.previous);
  const size = { n: window.n, days: window.days };
  const present = (row: ExplainPostRow) => presentContributingPost(row, parts.measure, base, size);
  const aspects = rankAspectMoves(parts.measure, parts.aspects, window.n, previousWindow.n);
  const sources = rankSourceMoves(parts.measure, parts.sources, base, { ...size, previousDays: previousWindow.days }, change);
  return {
    entity: parts.entity,
    source: parts.source,
    event: parts.event,
    window,
    previousWindow,
    change,
    headline: buildHeadline({ name: parts.entity.name, change, window, previousWindow, sources, aspects, spike: parts.spike }),
    posts: parts.posts.map(present).filter((post) => parts.measure === 'volume' || pullsWith(change.direction, post.contribution)),
    opposingPosts: parts.opposingPosts.map(present).filter((post) => pullsWith(opposite(change.direction), post.contribution)),
    aspects,
    sources,
    events: [...parts.events],
    attribution: parts.attribution ?? null,
  };
}

const isoDate = (value: unknown): Date | null => {
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
};

/** A regression's judged days and their baseline, as the detector stored them (pipeline/regressions.ts). */
function readRegressionWindows(details: Record<string, unknown>): { window: TimeRange; previousWindow: TimeRange } | null {
  const from = isoDate(details.windowFrom);
  const to = isoDate(details.windowTo);
  const baselineFrom = isoDate(details.baselineFrom);
  if (from === null || to === null || baselineFrom === null || !(baselineFrom < from && from < to)) return null;
  return { window: { from, to }, previousWindow: { from: baselineFrom, to: from } };
}

/**
 * The windows an event is explained over. A regression: the days judged against its baseline days (by
 * mean score). A spike: its own bucket against the trailing baseline the detector judged it by
 * (`baselineBuckets` buckets before it). A release, incident or note: the 7 days from it against the 7
 * days before; a window reaching past `now` ends at `now`.
 */
export function planEventWindows(
  event: { kind: string; occurredAt: Date; details: Record<string, unknown> },
  now: Date,
  baselineBuckets: number,
): { measure: ExplainMeasure; window: TimeRange; previousWindow: TimeRange; spike?: { zScore: number } } {
  const at = event.occurredAt.getTime();
  const regression = event.kind === 'regression' ? readRegressionWindows(event.details) : null;
  if (regression !== null) return { measure: 'score', ...regression };
  if (event.kind === 'spike') {
    const bucketMs = event.details.bucket === 'hour' ? 3_600_000 : DAY_MS;
    const measure: ExplainMeasure = event.details.spikeKind === 'negativity' ? 'negativeShare' : 'volume';
    const zScore = typeof event.details.zScore === 'number' && Number.isFinite(event.details.zScore) ? event.details.zScore : undefined;
    return {
      measure,
      window: { from: new Date(at), to: new Date(at + bucketMs) },
      previousWindow: { from: new Date(at - baselineBuckets * bucketMs), to: new Date(at) },
      ...(zScore === undefined ? {} : { spike: { zScore } }),
    };
  }
  const end = Math.min(at + 7 * DAY_MS, Math.max(now.getTime(), at + 3_600_000));
  return {
    measure: 'score',
    window: { from: new Date(at), to: new Date(end) },
    previousWindow: { from: new Date(at - 7 * DAY_MS), to: new Date(at) },
  };
}
