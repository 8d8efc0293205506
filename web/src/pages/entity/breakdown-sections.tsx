import { AspectBars } from '../../components/aspect-bars.tsx';
import { Score } from '../../components/score.tsx';
import { ErrorState, Skeleton } from '../../components/states.tsx';
import { formatCount, formatSource } from '../../lib/format.ts';
import { useAspects, useBySource, type EntityView, type SetQuery } from './resources.ts';

/** Mentions and sentiment per source over exactly the window; a row's name filters the page to it. */
export function SourceSection(props: { view: EntityView; setQuery: SetQuery }) {
  return (
    <div className="card">
      <h2>By source</h2>
      <SourceTable {...props} />
    </div>
  );
}

function SourceTable({ view, setQuery }: { view: EntityView; setQuery: SetQuery }) {
  const bySource = useBySource(view);
  const selected = view.source;
  if (bySource.error) return <ErrorState error={bySource.error} onRetry={bySource.retry} what="the per-source figures" />;
  if (!bySource.data) return <Skeleton lines={4} />;
  // Sources with mentions only in the window before are left out: the table is about this window.
  const rows = bySource.data.items.filter((item) => item.n > 0).map((item) => ({ name: item.key, n: item.n, score: item.score }));
  if (rows.length === 0) return <p className="muted">No source mentioned it in this window.</p>;
  const max = Math.max(...rows.map((r) => r.n));
  return (
    <table className="source-table">
      <thead>
        <tr>
          <th scope="col">Source</th>
          <th scope="col" className="num">
            Mentions
          </th>
          <th scope="col" className="num">
            Sentiment
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.name} className={selected === r.name ? 'selected' : undefined}>
            <th scope="row">
              <button
                type="button"
                className="link-button"
                aria-pressed={selected === r.name}
                onClick={() => setQuery({ source: selected === r.name ? null : r.name })}
              >
                {formatSource(r.name)}
              </button>
            </th>
            <td className="num">
              <span className="volume-bar" style={{ width: `${(r.n / max) * 60}px` }} aria-hidden="true" />
              {formatCount(r.n)}
            </td>
            <td className="num">
              <Score value={r.score} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Sentiment per aspect (speed, pricing, quality…); a bar filters the posts to it. */
export function AspectsSection({ view, setQuery }: { view: EntityView; setQuery: SetQuery }) {
  const aspects = useAspects(view);
  return (
    <div className="card">
      <h2>Aspects</h2>
      {aspects.error && <ErrorState error={aspects.error} onRetry={aspects.retry} what="the aspects" />}
      {!aspects.data && aspects.loading && <Skeleton lines={5} />}
      {aspects.data && aspects.data.items.every((a) => a.n === 0) && (
        <p className="muted">No aspect (speed, pricing, quality…) was mentioned in this window.</p>
      )}
      {aspects.data && aspects.data.items.some((a) => a.n > 0) && (
        <AspectBars items={aspects.data.items} selected={view.aspect} onSelect={(a) => setQuery({ aspect: a })} />
      )}
    </div>
  );
}
