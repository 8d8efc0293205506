import { useState } from 'react';
import type { VersionBreakdown as VersionBreakdownData } from '../api/types.ts';
import { formatCount, formatDate } from '../lib/format.ts';
import { ScoreWithInterval, SentimentSplit } from './entity-figures.tsx';
import { ShowAllNote } from './show-all-note.tsx';

/** How many versions the table shows until the reader asks for all of them. */
const SHOWN_VERSIONS = 10;

/**
 * The rows shown at first: the `limit` most mentioned versions (and the selected one), in the
 * order given (newest version first), with how many versions and mentions are left out.
 */
export function mostMentioned<T extends { version: string; n: number }>(
  items: readonly T[],
  limit: number,
  selected: string | null,
): { shown: T[]; hiddenVersions: number; hiddenMentions: number } {
  const kept = new Set(
    [...items]
      .sort((a, b) => b.n - a.n)
      .slice(0, limit)
      .map((item) => item.version),
  );
  if (selected !== null) kept.add(selected);
  const shown = items.filter((item) => kept.has(item.version));
  const hidden = items.filter((item) => !kept.has(item.version));
  return { shown, hiddenVersions: hidden.length, hiddenMentions: hidden.reduce((sum, item) => sum + item.n, 0) };
}

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
  const [showAll, setShowAll] = useState(false);
  if (data.items.length === 0) {
    return <p className="muted">No post in this window names a version of it.</p>;
  }
  const cut = mostMentioned(data.items, SHOWN_VERSIONS, selected);
  const rows = showAll ? data.items : cut.shown;
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
          {rows.map((row) => {
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
      {cut.hiddenVersions > 0 && (
        <ShowAllNote
          className="version-cut"
          showingAll={showAll}
          cutText={`The ${formatCount(cut.shown.length)} most mentioned of ${formatCount(data.items.length)} versions; ${formatCount(cut.hiddenVersions)} more hold ${formatCount(cut.hiddenMentions)} ${cut.hiddenMentions === 1 ? 'mention' : 'mentions'}.`}
          allText={`All ${formatCount(data.items.length)} versions.`}
          backLabel="Show the most mentioned only"
          onToggle={() => setShowAll(!showAll)}
        />
      )}
      <p className="muted small">
        {formatCount(data.versionedN)} of {formatCount(data.n)} mentions name a version; the release date is the first release event whose
        title names it.
      </p>
    </>
  );
}
