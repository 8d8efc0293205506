import { formatCount, formatScore } from '../lib/format.ts';
import { formatBucketRange, INCOMPLETE_TEXT, LOW_SAMPLE_N, NEUTRAL_BAND, type BucketSize, type BucketView } from './chart-model.ts';

/** One line of a chart as its tooltip and table show it. */
export interface LineView {
  key: string;
  label: string;
  color: string;
  buckets: BucketView[];
}

const interval = (b: BucketView): string =>
  b.scoreLow === null || b.scoreHigh === null
    ? b.n === 1
      ? 'none (1 mention)'
      : '—'
    : `${formatScore(b.scoreLow)} to ${formatScore(b.scoreHigh)}`;

/** The figures of one bucket: n, mean with its 95% interval, and the positive / neutral / negative counts. */
function BucketFigures({ bucket }: { bucket: BucketView }) {
  if (bucket.n === 0) return <span className="muted">no mentions</span>;
  return (
    <>
      <span className="tip-figure" data-figure="n">
        n = {formatCount(bucket.n)}
        {bucket.lowSample && <span className="low-sample-note"> (few: under {LOW_SAMPLE_N})</span>}
      </span>
      <span className="tip-figure" data-figure="mean">
        mean {formatScore(bucket.score)}
      </span>
      <span className="tip-figure">95% interval {interval(bucket)}</span>
      <span className="tip-figure tip-counts">
        {formatCount(bucket.positive)} positive · {formatCount(bucket.neutral)} neutral · {formatCount(bucket.negative)} negative
      </span>
    </>
  );
}

/** The hover (or keyboard) tooltip of one bucket across the chart's lines. */
export function BucketTooltip({
  lines,
  index,
  bucket,
  tz = 'UTC',
  left,
  top,
  flip,
}: {
  lines: LineView[];
  index: number;
  bucket: BucketSize;
  tz?: string;
  left: number;
  top: number;
  flip: boolean;
}) {
  const first = lines.map((l) => l.buckets.find((b) => b.index === index)).find((b) => b !== undefined);
  if (!first) return null;
  return (
    <div
      className={`chart-tooltip${flip ? ' flip' : ''}`}
      style={{ left: `${left}px`, top: `${top}px` }}
      role="status"
      aria-live="polite"
      data-bucket-index={index}
    >
      <div className="tip-range">
        {formatBucketRange(first.start, first.end, bucket, tz)}
        {first.incomplete && <span className="tip-partial"> · {INCOMPLETE_TEXT[first.incomplete]}</span>}
      </div>
      {lines.map((line) => {
        const b = line.buckets.find((x) => x.index === index);
        if (!b) return null;
        return (
          <div key={line.key} className={`tip-line${b.lowSample ? ' low-sample' : ''}`}>
            {lines.length > 1 && (
              <span className="tip-name">
                <span className="swatch" style={{ background: line.color }} aria-hidden="true" /> {line.label}
              </span>
            )}
            <BucketFigures bucket={b} />
          </div>
        );
      })}
    </div>
  );
}

/** The chart as a table, for screen readers and anyone who wants the numbers: one row per bucket (and line). */
export function ChartTable({
  lines,
  bucket,
  tz = 'UTC',
  caption,
}: {
  lines: LineView[];
  bucket: BucketSize;
  tz?: string;
  caption: string;
}) {
  const many = lines.length > 1;
  return (
    <details className="chart-table">
      <summary>Show as table</summary>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col">{bucket === 'hour' ? 'Hour' : bucket === 'day' ? 'Day' : bucket === 'week' ? 'Week' : 'Month'}</th>
              {many && <th scope="col">Entity</th>}
              <th scope="col" className="num">
                Mentions
              </th>
              <th scope="col" className="num">
                Mean
              </th>
              <th scope="col" className="num">
                95% interval
              </th>
              <th scope="col" className="num">
                Positive
              </th>
              <th scope="col" className="num">
                Neutral
              </th>
              <th scope="col" className="num">
                Negative
              </th>
            </tr>
          </thead>
          <tbody>
            {lines.flatMap((line) =>
              line.buckets.map((b) => (
                <tr
                  key={`${line.key}:${b.index}`}
                  data-bucket-index={b.index}
                  data-low-sample={b.lowSample ? 'true' : undefined}
                  data-incomplete={b.incomplete ?? undefined}
                  className={b.lowSample ? 'low-sample' : undefined}
                >
                  <th scope="row">
                    {formatBucketRange(b.start, b.end, bucket, tz)}
                    {b.incomplete && <span className="muted small"> ({INCOMPLETE_TEXT[b.incomplete]})</span>}
                  </th>
                  {many && <td>{line.label}</td>}
                  <td className="num">
                    {formatCount(b.n)}
                    {b.lowSample && <span className="muted small"> (few)</span>}
                  </td>
                  <td className="num">{formatScore(b.score)}</td>
                  <td className="num">{b.n > 0 ? interval(b) : '—'}</td>
                  <td className="num">{formatCount(b.positive)}</td>
                  <td className="num">{formatCount(b.neutral)}</td>
                  <td className="num">{formatCount(b.negative)}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** What the score axis means, in place: the scale, the neutral band, damping and partial buckets. */
export function ScoreLegend({ volume, band, events }: { volume?: boolean; band?: boolean; events?: boolean }) {
  return (
    <ul className="score-legend small" aria-label="How to read this chart">
      <li>
        <span className="legend-scale" aria-hidden="true">
          <span className="legend-neg">−1</span>
          <span className="legend-zero">0</span>
          <span className="legend-pos">+1</span>
        </span>{' '}
        Score: −1 every mention negative, 0 balanced or neutral, +1 every mention positive. The grey strip (±{NEUTRAL_BAND}) counts as
        neutral.
      </li>
      {band && (
        <li>
          <span className="legend-swatch legend-band" aria-hidden="true" /> 95% interval of the mean (a bar where a bucket has few
          mentions).
        </li>
      )}
      <li>
        <span className="legend-swatch legend-damped" aria-hidden="true" /> Dashed grey: fewer than {LOW_SAMPLE_N} mentions, read with care;
        a small arrow on the edge: such a mean lies beyond the axis (the tooltip and table give it).
      </li>
      <li>
        <span className="legend-swatch legend-partial" aria-hidden="true" /> Hatched: a partial bucket (cut by the window or still in
        progress).
      </li>
      {volume && (
        <li>
          <span className="legend-swatch legend-volume" aria-hidden="true" /> Bars: mentions (right axis).
        </li>
      )}
      {events && <li>Markers: ◆ release, ! incident, ▲ spike, ● note; a number when several are close. Select one for details.</li>}
    </ul>
  );
}
