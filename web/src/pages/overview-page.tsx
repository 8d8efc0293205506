import { useMemo } from 'react';
import { api } from '../api/client.ts';
import type { Entity, EntityKind } from '../api/types.ts';
import { Sparkline } from '../components/charts.tsx';
import { ChangeWithInterval, ScoreWithInterval, SentimentSplit, ShareCell } from '../components/entity-figures.tsx';
import { Link } from '../components/link.tsx';
import { RadioGroup } from '../components/radio-group.tsx';
import { Change, Score } from '../components/score.tsx';
import { EmptyState, ErrorState, NoDataHint, Skeleton, StaleMark } from '../components/states.tsx';
import { SourceSelect } from '../components/source-select.tsx';
import { WindowPicker } from '../components/window-picker.tsx';
import { formatCount, formatSource } from '../lib/format.ts';
import { useResource } from '../lib/use-resource.ts';
import { isSortKey, listRollupParts, pickMovers, selectEntities, SORTS, splitQuiet, type SortKey } from '../lib/entity-selection.ts';
import { buildHref, useUrlState } from '../lib/url-state.ts';
import { describeWindow, readPeriodParams, readTimeWindow } from '../lib/window.ts';

const KINDS: Array<{ value: EntityKind | ''; label: string }> = [
  { value: '', label: 'All' },
  { value: 'model', label: 'Models' },
  { value: 'tool', label: 'Tools' },
  { value: 'vendor', label: 'Vendors' },
];

export function OverviewPage() {
  const [query, setQuery] = useUrlState();
  const w = readTimeWindow(query);
  const period = describeWindow(w);
  const periodParams = readPeriodParams(query);
  const entityHref = (slug: string) => buildHref(`/entity/${slug}`, periodParams);
  const kind = query.get('kind') ?? '';
  const search = query.get('q') ?? '';
  const sortParam = query.get('sort');
  const sort: SortKey = isSortKey(sortParam) ? sortParam : 'volume';
  const source = query.get('source') ?? '';
  const entities = useResource(`entities:${w.api.from}:${w.api.to}:${source}`, (signal) =>
    api.listEntities({ from: w.api.from, to: w.api.to, source: source || undefined }, { signal }),
  );

  const items = entities.data?.items;
  const rows = useMemo(() => (items ? selectEntities(items, kind, search, sort) : []), [items, kind, search, sort]);
  const { active, quiet } = useMemo(() => splitQuiet(rows, search), [rows, search]);
  const movers = useMemo(() => (items ? pickMovers(items) : []), [items]);
  const rollups = useMemo(() => (items ? listRollupParts(items) : new Map<string, string[]>()), [items]);
  const total = items?.reduce((sum, e) => sum + e.summary.n, 0) ?? 0;

  return (
    <section aria-labelledby="overview-title">
      <div className="page-head">
        <h1 id="overview-title" tabIndex={-1}>
          How developers feel
        </h1>
        <p className="muted">
          Mean sentiment of {period} against the {w.days} days before, {source ? `from ${formatSource(source)} only` : 'from every source'}.
        </p>
      </div>
      <WindowPicker window={w} onChange={(patch) => setQuery(patch)} bucket={false}>
        <SourceSelect value={source} onChange={(source) => setQuery({ source })} />
      </WindowPicker>

      {entities.error && <ErrorState error={entities.error} onRetry={entities.retry} what="the entities" />}
      {!entities.data && entities.loading && <Skeleton lines={8} height="2.4rem" label="Loading entities" />}

      {items && (
        <StaleMark stale={entities.stale}>
          <div className={entities.loading ? 'reloading' : undefined} aria-busy={entities.loading}>
            {total > 0 && (
              <section className="movers" aria-labelledby="movers-title">
                <h2 id="movers-title">Movers</h2>
                {movers.length === 0 ? (
                  <p className="muted">No significant changes in {period}.</p>
                ) : (
                  <ul className="mover-list">
                    {movers.map((e) => (
                      <li key={e.slug} className="mover-card">
                        <Link href={entityHref(e.slug)}>{displayName(e, rollups)}</Link>
                        <Score value={e.summary.score} size="large" />
                        <Change value={e.summary.change} significant={e.summary.significant} />
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            )}

            <div className="toolbar" role="group" aria-label="Filter entities">
              <RadioGroup
                label="Kind"
                options={KINDS}
                value={(KINDS.find((k) => k.value === kind)?.value ?? '') as EntityKind | ''}
                onChange={(value) => setQuery({ kind: value })}
              />
              <label className="field">
                <span>Search</span>
                <input
                  type="search"
                  value={search}
                  placeholder="Name or alias"
                  onChange={(e) => setQuery({ q: e.target.value }, { replace: true })}
                />
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
              <EmptyState title={`No mentions in ${period} yet.`}>
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
                  <caption className="visually-hidden">
                    Tracked entities with mentions in {period}, {active.length} shown
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Entity</th>
                      <th scope="col" className="num">
                        Sentiment <span className="muted small">± 95%</span>
                      </th>
                      <th scope="col" className="num">
                        Change
                      </th>
                      <th scope="col" className="hide-narrow">
                        Positive · neutral · negative
                      </th>
                      <th scope="col" className="num">
                        Mentions
                      </th>
                      <th scope="col" className="num hide-narrow">
                        Share of kind
                      </th>
                      <th scope="col" className="hide-narrow">
                        Trend
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {active.map((e) => {
                      const parts = e.kind === 'vendor' ? (rollups.get(e.slug) ?? []) : [];
                      return (
                        <tr key={e.slug} data-slug={e.slug} className={e.kind === 'vendor' ? 'rollup-row' : undefined}>
                          <th scope="row">
                            <Link href={entityHref(e.slug)}>{displayName(e, rollups)}</Link>
                            <span className={`kind kind-${e.kind}`}>{e.kind === 'vendor' ? 'vendor roll-up' : e.kind}</span>
                            {parts.length > 0 && (
                              <span className="rollup-parts small muted">
                                includes {parts.slice(0, 4).join(', ')}
                                {parts.length > 4 ? ` and ${parts.length - 4} more` : ''}
                              </span>
                            )}
                          </th>
                          <td className="num">
                            <ScoreWithInterval figures={e.summary} />
                          </td>
                          <td className="num">
                            <ChangeWithInterval figures={e.summary} />
                          </td>
                          <td className="hide-narrow">
                            <SentimentSplit figures={e.summary} />
                          </td>
                          <td className="num" data-field="mentions">
                            {formatCount(e.summary.n)}
                          </td>
                          <td className="num hide-narrow">
                            <ShareCell share={e.summary.shareOfVoice} />
                          </td>
                          <td className="hide-narrow">
                            {e.summary.sparkline.some((p) => p.n > 0) ? (
                              <Sparkline values={e.summary.sparkline.map((p) => p.score)} label={`${e.name}: sentiment over ${period}`} />
                            ) : (
                              <span className="muted small">no data</span>
                            )}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
                <p className="small muted table-note">
                  Sentiment: the mean opinion of the mentions, from −1 (negative) to +1 (positive), ± half its 95% interval. Change: against
                  the {w.days} days before; “significant” when it is beyond noise. Share of kind: an entity's mentions over all mentions of
                  entities of its kind (tools, models or vendors) in {period}, so each kind adds up to 100%. A vendor roll-up counts its own
                  mentions and its products'.
                </p>
                {quiet.length > 0 && (
                  <details className="quiet-entities">
                    <summary>
                      {quiet.length} tracked {quiet.length === 1 ? 'entity' : 'entities'} with no mentions in {period}
                    </summary>
                    <ul className="inline-list">
                      {quiet.map((e) => (
                        <li key={e.slug}>
                          <Link href={entityHref(e.slug)}>{e.name}</Link>
                        </li>
                      ))}
                    </ul>
                  </details>
                )}
              </div>
            )}
          </div>
        </StaleMark>
      )}
    </section>
  );
}

/** A vendor is shown as the roll-up it is: "Anthropic (all products)" when it has products with mentions. */
function displayName(e: Entity, rollups: Map<string, string[]>): string {
  return e.kind === 'vendor' && (rollups.get(e.slug)?.length ?? 0) > 0 ? `${e.name} (all products)` : e.name;
}
