import type { VersionBreakdown as VersionBreakdownData } from '../api/types.ts';
import { formatCount, formatDate } from '../lib/format.ts';
import { ScoreWithInterval, SentimentSplit } from './entity-figures.tsx';

/**
 * One row per version the posts name: mentions, mean with its 95% interval, the polarity mix and
 * when a release event marks its arrival. Each version is a toggle: pressing it filters the posts
 * to that version, so the posts behind a figure are one click away.
 */
export function VersionBreakdown({
  data,
  selected,
  onSelect,
}: {
  data: VersionBreakdownData;
  selected: string | null;
  onSelect: (version: string | null) => void;
}) {
  if (data.items.length === 0) {
    return <p className="muted">No post in this window names a version of it.</p>;
  }
  return (
    <>
      <table className="source-table version-table">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col" className="num">
              Mentions
            </th>
            <th scope="col" className="num">
              Sentiment (95% interval)
            </th>
            <th scope="col">Positive / neutral / negative</th>
            <th scope="col">Released</th>
          </tr>
        </thead>
        <tbody>
          {data.items.map((row) => {
            const pressed = selected === row.version;
            return (
              <tr key={row.version} data-version={row.version} className={pressed ? 'selected' : undefined}>
                <th scope="row">
                  <button
                    type="button"
                    className="link-button"
                    aria-pressed={pressed}
                    onClick={() => onSelect(pressed ? null : row.version)}
                    title={`Show the posts naming ${row.version}`}
                  >
                    {row.version}
                  </button>
                </th>
                <td className="num" data-field="n">
                  {formatCount(row.n)}
                </td>
                <td className="num" data-field="score">
                  <ScoreWithInterval figures={row} />
                </td>
                <td data-field="polarity">
                  <SentimentSplit figures={{ ...row, netSentiment: row.n === 0 ? null : (row.positive - row.negative) / row.n }} />
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
        {formatCount(data.versionedN)} of {formatCount(data.n)} mentions name a version; the release date is the first release event whose
        title names it.
      </p>
    </>
  );
}
