import { useMemo } from 'react';
import { api } from '../api/client.ts';
import type { EntityKind } from '../api/types.ts';
import { Sparkline } from '../components/charts.tsx';
import { Link } from '../components/link.tsx';
import { Change, Score } from '../components/score.tsx';
import { EmptyState, ErrorState, NoDataHint, Skeleton } from '../components/states.tsx';
import { formatCount, formatPercent } from '../lib/format.ts';
import { useResource } from '../lib/use-resource.ts';
import { isSortKey, pickMovers, selectEntities, SORTS, splitQuiet, type SortKey } from '../lib/entity-selection.ts';
import { buildHref, useUrlState } from '../lib/url-state.ts';

const KINDS: Array<{ value: EntityKind | ''; label: string }> = [
  { value: '', label: 'All' },
  { value: 'model', label: 'Models' },
  { value: 'tool', label: 'Tools' },
  { value: 'vendor', label: 'Vendors' },
];

export function OverviewPage({ dark }: { dark: boolean }) {
  const [query, setQuery] = useUrlState();
  const kind = query.get('kind') ?? '';
  const search = query.get('q') ?? '';
  const sortParam = query.get('sort');
  const sort: SortKey = isSortKey(sortParam) ? sortParam : 'volume';
  const entities = useResource('entities', (signal) => api.listEntities({ signal }));

  const items = entities.data?.items;
  const rows = useMemo(() => (items ? selectEntities(items, kind, search, sort) : []), [items, kind, search, sort]);
  const { active, quiet } = useMemo(() => splitQuiet(rows, search), [rows, search]);
  const movers = useMemo(() => (items ? pickMovers(items) : []), [items]);
  const total = items?.reduce((sum, e) => sum + e.summary.n, 0) ?? 0;

  return (
    <section aria-labelledby="overview-title">
      <div className="page-head">
        <h1 id="overview-title">How developers feel</h1>
        <p className="muted">Mean sentiment of the last 7 days against the 7 before, from every source.</p>
      </div>

      {entities.error && <ErrorState error={entities.error} onRetry={entities.retry} what="the entities" />}
      {!entities.data && entities.loading && <Skeleton lines={8} height="2.4rem" label="Loading entities" />}

      {items && (
        <>
          {total > 0 && (
            <section className="movers" aria-labelledby="movers-title">
              <h2 id="movers-title">Movers</h2>
              {movers.length === 0 ? (
                <p className="muted">No significant changes this week.</p>
              ) : (
                <ul className="mover-list">
                  {movers.map((e) => (
                    <li key={e.slug} className="mover-card">
                      <Link href={buildHref(`/entity/${e.slug}`)}>{e.name}</Link>
                      <Score value={e.summary.score} size="large" />
                      <Change value={e.summary.change} significant={e.summary.significant} />
                    </li>
                  ))}
                </ul>
              )}
            </section>
          )}

          <div className="toolbar" role="group" aria-label="Filter entities">
            <div className="segmented" role="radiogroup" aria-label="Kind">
              {KINDS.map((k) => (
                <button key={k.value} type="button" role="radio" aria-checked={kind === k.value} onClick={() => setQuery({ kind: k.value })}>
                  {k.label}
                </button>
              ))}
            </div>
            <label className="field">
              <span>Search</span>
              <input type="search" value={search} placeholder="Name or alias" onChange={(e) => setQuery({ q: e.target.value }, { replace: true })} />
            </label>
            <label className="field">
              <span>Sort</span>
              <select value={sort} onChange={(e) => setQuery({ sort: e.target.value === 'volume' ? null : e.target.value })}>
                {Object.entries(SORTS).map(([key, s]) => (
                  <option key={key} value={key}>
                    {s.label}
                  </option>
                ))}
              </select>
            </label>
          </div>

          {total === 0 && (
            <EmptyState title="No mentions in the last 7 days yet.">
              <NoDataHint />
            </EmptyState>
          )}

          {rows.length === 0 ? (
            <EmptyState title="No entity matches.">
              <p className="muted">Clear the search or pick another kind.</p>
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="entity-table">
                <caption className="visually-hidden">Tracked entities with mentions in the last 30 days, {active.length} shown</caption>
                <thead>
                  <tr>
                    <th scope="col">Entity</th>
                    <th scope="col" className="num">Sentiment</th>
                    <th scope="col" className="num">Change</th>
                    <th scope="col" className="num">Mentions</th>
                    <th scope="col" className="num hide-narrow">Share of kind</th>
                    <th scope="col" className="hide-narrow">30 days</th>
                  </tr>
                </thead>
                <tbody>
                  {active.map((e) => (
                    <tr key={e.slug} data-slug={e.slug}>
                      <th scope="row">
                        <Link href={buildHref(`/entity/${e.slug}`)}>{e.name}</Link>
                        <span className={`kind kind-${e.kind}`}>{e.kind}</span>
                      </th>
                      <td className="num">
                        <Score value={e.summary.score} />
                      </td>
                      <td className="num">
                        <Change value={e.summary.change} significant={e.summary.significant} />
                      </td>
                      <td className="num">{formatCount(e.summary.n)}</td>
                      <td className="num hide-narrow">{formatPercent(e.summary.shareOfVoice)}</td>
                      <td className="hide-narrow">
                        {e.summary.sparkline.some((p) => p.n > 0) ? (
                          <Sparkline values={e.summary.sparkline.map((p) => p.score)} dark={dark} label={`${e.name}: daily sentiment, last 30 days`} />
                        ) : (
                          <span className="muted small">no data</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="small muted table-note">
                Share of kind: an entity's mentions over all mentions of entities of its kind (tools, models or vendors) in the last 7 days, so each kind adds up to 100%. A vendor's
                figures include its products' mentions.
              </p>
              {quiet.length > 0 && (
                <details className="quiet-entities">
                  <summary>
                    {quiet.length} tracked {quiet.length === 1 ? 'entity' : 'entities'} with no mentions in the last 30 days
                  </summary>
                  <ul className="inline-list">
                    {quiet.map((e) => (
                      <li key={e.slug}>
                        <Link href={buildHref(`/entity/${e.slug}`)}>{e.name}</Link>
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </div>
          )}
        </>
      )}
    </section>
  );
}
