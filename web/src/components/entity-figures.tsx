import { formatCount, formatPercent, formatScore } from '../lib/format.ts';
import { Change, Score } from './score.tsx';

/** What the overview and compare tables show per entity for one period (an entity summary has all of it). */
export interface PeriodFigures {
  n: number;
  positive: number;
  neutral: number;
  negative: number;
  score: number | null;
  scoreLow: number | null;
  scoreHigh: number | null;
  netSentiment: number | null;
  change: number | null;
  changeLow: number | null;
  changeHigh: number | null;
  significant: boolean;
}

/** "12 positive, 5 neutral, 3 negative": the words a stacked bar stands for. */
export const describeSplit = (f: Pick<PeriodFigures, 'positive' | 'neutral' | 'negative'>): string =>
  `${formatCount(f.positive)} positive, ${formatCount(f.neutral)} neutral, ${formatCount(f.negative)} negative`;

/**
 * Positive, neutral and negative mentions as one stacked bar, with net sentiment beside it. The
 * counts are in its accessible name and tooltip; the parts differ in pattern as well as colour.
 */
export function SentimentSplit({ figures }: { figures: Pick<PeriodFigures, 'n' | 'positive' | 'neutral' | 'negative' | 'netSentiment'> }) {
  if (figures.n === 0) return <span className="muted small">no mentions</span>;
  const label = `${describeSplit(figures)}; net sentiment ${formatScore(figures.netSentiment)}`;
  const part = (count: number) => `${(count / figures.n) * 100}%`;
  return (
    <span className="split">
      <span
        className="split-bar"
        role="img"
        aria-label={label}
        title={label}
        data-positive={figures.positive}
        data-neutral={figures.neutral}
        data-negative={figures.negative}
      >
        <span className="split-positive" style={{ width: part(figures.positive) }} />
        <span className="split-neutral" style={{ width: part(figures.neutral) }} />
        <span className="split-negative" style={{ width: part(figures.negative) }} />
      </span>
      <span className="split-net small" aria-hidden="true">
        net {formatScore(figures.netSentiment)}
      </span>
    </span>
  );
}

/** The mean with its 95% interval as ± half its width (the tooltip gives both ends). */
export function ScoreWithInterval({ figures }: { figures: Pick<PeriodFigures, 'score' | 'scoreLow' | 'scoreHigh'> }) {
  const { score, scoreLow, scoreHigh } = figures;
  if (score === null) return <Score value={null} />;
  const hasInterval = scoreLow !== null && scoreHigh !== null;
  const half = hasInterval ? (scoreHigh - scoreLow) / 2 : null;
  return (
    <span
      className="score-interval"
      title={hasInterval ? `95% interval ${formatScore(scoreLow)} to ${formatScore(scoreHigh)}` : 'too few mentions for an interval'}
    >
      <Score value={score} />
      <span className="muted small"> {half === null ? '(n < 2)' : `±${half.toFixed(2)}`}</span>
    </span>
  );
}

/** The change against the period before, with its interval in the tooltip. */
export function ChangeWithInterval({ figures }: { figures: Pick<PeriodFigures, 'change' | 'changeLow' | 'changeHigh' | 'significant'> }) {
  const interval =
    figures.changeLow !== null && figures.changeHigh !== null
      ? `95% interval ${formatScore(figures.changeLow)} to ${formatScore(figures.changeHigh)}`
      : undefined;
  return (
    <span title={interval}>
      <Change value={figures.change} significant={figures.significant} />
    </span>
  );
}

/** A share as a percentage with a thin bar under it. */
export function ShareCell({ share }: { share: number | null }) {
  return (
    <span className="share-cell">
      {formatPercent(share, 1)}
      {share !== null && <span className="share-bar" style={{ width: `${Math.round(share * 100)}%` }} aria-hidden="true" />}
    </span>
  );
}
