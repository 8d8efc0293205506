import type { VersionBreakdown as VersionBreakdownData, VersionRow } from '../api/types.ts';
import { formatCount, formatDate, formatScore, scoreTone } from '../lib/format.ts';
import { formatInterval } from '../lib/format-interval.ts';

const POLARITY_COLOURS = { positive: 'var(--positive)', neutral: 'var(--neutral)', negative: 'var(--negative)' } as const;

/** Positive, neutral and negative mentions as one bar whose parts are their shares. */
function PolarityBar({ row }: { row: VersionRow }) {
  const parts = (['positive', 'neutral', 'negative'] as const).filter((p) => row[p] > 0);
  const label = `${row.positive} positive, ${row.neutral} neutral, ${row.negative} negative`;
  return (
    <span className="polarity-bar" role="img" aria-label={label} title={label} style={{ display: 'inline-flex', width: '120px', height: '0.7rem', borderRadius: '3px', overflow: 'hidden', verticalAlign: 'middle', background: 'var(--neutral-bg, transparent)' }}>
      {parts.map((p) => (
        <span key={p} data-polarity={p} data-count={row[p]} style={{ width: `${(row[p] / row.n) * 100}%`, background: POLARITY_COLOURS[p] }} />
      ))}
    </span>
  );
}

/**
 * One row per version the posts name: mentions, mean with its 95% interval, the polarity mix and
 * when a release event marks its arrival. Each version is a toggle: pressing it filters the posts
 * to that version, so the posts behind a figure are one click away.
 */
export function VersionBreakdown({ data, selected, onSelect }: { data: VersionBreakdownData; selected: string | null; onSelect: (version: string | null) => void }) {
  if (data.items.length === 0) {
    return <p className="muted">No post in this window names a version of it.</p>;
  }
  return (
    <>
      <table className="source-table version-table">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col" className="num">Mentions</th>
            <th scope="col" className="num">Sentiment (95% interval)</th>
            <th scope="col">Positive / neutral / negative</th>
            <th scope="col">Released</th>
          </tr>
        </thead>
        <tbody>
          {data.items.map((row) => {
            const pressed = selected === row.version;
            const interval = formatInterval(row);
            return (
              <tr key={row.version} data-version={row.version} className={pressed ? 'selected' : undefined}>
                <th scope="row">
                  <button type="button" className="link-button" aria-pressed={pressed} onClick={() => onSelect(pressed ? null : row.version)} title={`Show the posts naming ${row.version}`}>
                    {row.version}
                  </button>
                </th>
                <td className="num" data-field="n">
                  {formatCount(row.n)}
                </td>
                <td className="num" data-field="score">
                  <span className={`tone-${scoreTone(row.score)}`}>{formatScore(row.score)}</span>
                  {interval && <span className="muted small"> {interval}</span>}
                </td>
                <td data-field="polarity">
                  <PolarityBar row={row} />
                </td>
                <td data-field="released">
                  {row.release ? (
                    <span title={row.release.title}>{formatDate(row.release.occurredAt)}</span>
                  ) : (
                    <span className="muted" title={row.firstSeen ? `first named ${formatDate(row.firstSeen)}` : undefined}>
                      —
                    </span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted small">
        {formatCount(data.versionedN)} of {formatCount(data.n)} mentions name a version; the release date is the first release event whose title names it.
      </p>
    </>
  );
}
