import { useMemo } from 'react';
import { api } from '../api/client.ts';
import type { AspectScore } from '../api/types.ts';
import { CompareChart, MultiLineChart, SERIES_COLORS } from '../components/charts.tsx';
import { Link } from '../components/link.tsx';
import { SourceSelect } from '../components/source-select.tsx';
import { Score } from '../components/score.tsx';
import { ChangeWithInterval, ScoreWithInterval, SentimentSplit, ShareCell } from '../components/entity-figures.tsx';
import { EmptyState, ErrorState, Skeleton, StaleMark, StaleNote } from '../components/states.tsx';
import { WindowPicker } from '../components/window-picker.tsx';
import { formatAspect, formatCount, formatPercent, formatSource } from '../lib/format.ts';
import { useResource } from '../lib/use-resource.ts';
import { buildHref, useUrlState } from '../lib/url-state.ts';
import { describeWindow, readPeriodParams, readTimeWindow } from '../lib/window.ts';

export const MAX_COMPARED = 6;

/** The slugs in `entities=a,b,c`: deduplicated, at most six. */
export function readComparedSlugs(value: string | null): string[] {
  const slugs = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^[a-z0-9][a-z0-9-]*$/.test(s));
  return [...new Set(slugs)].slice(0, MAX_COMPARED);
}

/** Aspect rows across entities: every aspect any of them has, most mentioned first. */
export function alignAspects(
  perEntity: Array<{ slug: string; items: AspectScore[] }>,
): Array<{ aspect: string; cells: Array<AspectScore | null> }> {
  const totals = new Map<string, number>();
  for (const e of perEntity) for (const a of e.items) if (a.n > 0) totals.set(a.aspect, (totals.get(a.aspect) ?? 0) + a.n);
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([aspect]) => ({ aspect, cells: perEntity.map((e) => e.items.find((a) => a.aspect === aspect && a.n > 0) ?? null) }));
}

export function ComparePage({ dark }: { dark: boolean }) {
  const [query, setQuery] = useUrlState();
  const slugs = readComparedSlugs(query.get('entities'));
  const w = readTimeWindow(query);
  const period = describeWindow(w);
  const periodParams = readPeriodParams(query);
  const source = query.get('source') ?? '';
  const windowQuery = { from: w.api.from, to: w.api.to, source: source || undefined };
  // Every entity's figures for exactly this window (and source): the table's numbers and the picker's names.
  // (No sparklines: this page shows none, and over a year they are most of the answer's work and size.)
  const entities = useResource(`entities:${w.api.from}:${w.api.to}:${source}:figures`, (signal) =>
    api.listEntities({ ...windowQuery, sparkline: 'false' }, { signal }),
  );
  const ready = slugs.length >= 2;
  const compareKey = ready ? `compare:${slugs.join(',')}:${w.api.from}:${w.api.to}:${w.bucket}:${w.tz}:${source}` : null;
  const comparison = useResource(compareKey, (signal) =>
    api.compare({ entities: slugs.join(','), ...windowQuery, bucket: w.bucket, tz: w.api.tz }, { signal }),
  );
  const aspects = useResource(ready ? `compare-aspects:${slugs.join(',')}:${w.api.from}:${w.api.to}:${source}` : null, (signal) =>
    Promise.all(slugs.map(async (slug) => ({ slug, items: (await api.getAspects(slug, windowQuery, { signal })).items }))),
  );
  const figures =
    ready && entities.data ? slugs.map((slug) => entities.data!.items.find((e) => e.slug === slug)).filter((e) => e !== undefined) : [];
  const comparedTotal = figures.reduce((n, e) => n + e.summary.n, 0);
  const names = new Map(entities.data?.items.map((e) => [e.slug, e.name]) ?? []);
  const candidates = (entities.data?.items ?? []).filter((e) => !slugs.includes(e.slug)).sort((a, b) => a.name.localeCompare(b.name));
  const setSlugs = (next: string[]) => setQuery({ entities: next });
  const aspectRows = useMemo(() => (aspects.data ? alignAspects(aspects.data) : []), [aspects.data]);

  const data = comparison.data;
  const times = data?.entities[0]?.series.map((p) => p.bucketStart) ?? [];

  return (
    <section aria-labelledby="compare-title">
      <div className="page-head">
        <h1 id="compare-title" tabIndex={-1}>
          Compare
        </h1>
        <p className="muted">Two to six entities on one chart: sentiment, share of voice and aspects.</p>
      </div>

      <div className="toolbar" role="group" aria-label="Entities compared">
        <ul className="chip-list">
          {slugs.map((slug, i) => (
            <li key={slug} className="entity-chip" style={{ borderColor: SERIES_COLORS[i] }}>
              <span className="swatch" style={{ background: SERIES_COLORS[i] }} aria-hidden="true" />
              <Link href={buildHref(`/entity/${slug}`, periodParams)}>{names.get(slug) ?? slug}</Link>
              <button
                type="button"
                onClick={() => setSlugs(slugs.filter((s) => s !== slug))}
                aria-label={`Remove ${names.get(slug) ?? slug}`}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
        {slugs.length < MAX_COMPARED && (
          <label className="field">
            <span>Add entity</span>
            <select value="" onChange={(e) => e.target.value && setSlugs([...slugs, e.target.value])} disabled={!entities.data}>
              <option value="">Choose…</option>
              {candidates.map((e) => (
                <option key={e.slug} value={e.slug}>
                  {e.name} ({e.kind})
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <WindowPicker window={w} onChange={(patch) => setQuery(patch)}>
        <SourceSelect value={source} onChange={(source) => setQuery({ source })} />
      </WindowPicker>

      {!ready && (
        <EmptyState title="Pick at least two entities to compare.">
          <p className="muted">Use “Add entity” above, or open an entity and press “Compare…”.</p>
        </EmptyState>
      )}
      {ready && (
        <div className="card">
          <h2>
            {period[0]!.toUpperCase() + period.slice(1)}
            {source ? `, ${formatSource(source)} only` : ''}
          </h2>
          {entities.error && <ErrorState error={entities.error} onRetry={entities.retry} what="the figures" />}
          {!entities.data && entities.loading && <Skeleton lines={3} />}
          {figures.length > 0 && (
            <StaleMark stale={entities.stale}>
              <div className={`table-wrap${entities.loading ? ' reloading' : ''}`} aria-busy={entities.loading}>
                <table className="compare-totals compare-figures">
                  <thead>
                    <tr>
                      <th scope="col">Entity</th>
                      <th scope="col" className="num">
                        Sentiment <span className="muted small">± 95%</span>
                      </th>
                      <th scope="col" className="num">
                        Change
                      </th>
                      <th scope="col">Positive · neutral · negative</th>
                      <th scope="col" className="num">
                        Mentions
                      </th>
                      <th scope="col" className="num">
                        Share
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {figures.map((e) => (
                      <tr key={e.slug} data-slug={e.slug}>
                        <th scope="row">
                          <span className="swatch" style={{ background: SERIES_COLORS[slugs.indexOf(e.slug)] }} aria-hidden="true" />{' '}
                          {e.name}
                        </th>
                        <td className="num">
                          <ScoreWithInterval figures={e.summary} />
                        </td>
                        <td className="num">
                          <ChangeWithInterval figures={e.summary} />
                        </td>
                        <td>
                          <SentimentSplit figures={e.summary} />
                        </td>
                        <td className="num">{formatCount(e.summary.n)}</td>
                        <td className="num">
                          <ShareCell share={comparedTotal > 0 ? e.summary.n / comparedTotal : null} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <p className="small muted table-note">
                  Sentiment: mean opinion from −1 to +1, ± half its 95% interval. Change: against the {w.days} days before. Share: of the
                  mentions of the entities compared here, in exactly this period.
                </p>
              </div>
            </StaleMark>
          )}
        </div>
      )}
      {comparison.error && <ErrorState error={comparison.error} onRetry={comparison.retry} what="the comparison" />}
      {ready && data && comparison.stale && <StaleNote />}
      {ready && !data && comparison.loading && <Skeleton lines={1} height="280px" label="Loading comparison" />}
      {ready && data && (
        <>
          <div className="card chart-card">
            <h2>Sentiment</h2>
            <CompareChart entities={data.entities} window={data} dark={dark} />
          </div>
          <div className="card chart-card">
            <h2>Share of voice</h2>
            <MultiLineChart
              times={times}
              lines={data.entities.map((e) => ({ label: e.name, values: e.series.map((p) => p.shareOfVoice) }))}
              dark={dark}
              range={[0, 1]}
              format={(v) => formatPercent(v)}
              label={`Share of mentions per ${w.bucket} among the compared entities`}
              tz={data.tz}
            />
          </div>
        </>
      )}
      {ready && (
        <div className="card">
          <h2>Aspects side by side</h2>
          {aspects.error && <ErrorState error={aspects.error} onRetry={aspects.retry} what="the aspects" />}
          {!aspects.data && aspects.loading && <Skeleton lines={5} />}
          {aspects.data && aspectRows.length === 0 && <p className="muted">None of them has aspect mentions in this window.</p>}
          {aspects.data && aspectRows.length > 0 && (
            <div className="table-wrap">
              <table className="aspect-matrix">
                <thead>
                  <tr>
                    <th scope="col">Aspect</th>
                    {slugs.map((slug) => (
                      <th key={slug} scope="col" className="num">
                        {names.get(slug) ?? slug}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {aspectRows.map((row) => (
                    <tr key={row.aspect}>
                      <th scope="row">{formatAspect(row.aspect)}</th>
                      {row.cells.map((cell, i) => (
                        <td key={slugs[i]} className="num">
                          {cell ? (
                            <>
                              <Score value={cell.score} /> <span className="muted small">({formatCount(cell.n)})</span>
                            </>
                          ) : (
                            <span className="muted">—</span>
                          )}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
