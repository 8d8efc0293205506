import { useCallback, useEffect, useRef, useState } from 'react';
import { api, buildApiUrl, type ApiError, type Query } from '../api/client.ts';
import type { Breakdown, PostItem, SeriesPoint } from '../api/types.ts';
import { AspectBars } from '../components/aspect-bars.tsx';
import { SentimentChart } from '../components/charts.tsx';
import { Link } from '../components/link.tsx';
import { SourceSelect } from '../components/source-select.tsx';
import { PostCard } from '../components/post-card.tsx';
import { Change, Score } from '../components/score.tsx';
import { EmptyState, ErrorState, NoDataHint, Skeleton, StaleNote } from '../components/states.tsx';
import { VersionBreakdown } from '../components/version-breakdown.tsx';
import { WindowPicker } from '../components/window-picker.tsx';
import { formatAspect, formatCount, formatDate, formatPercent, formatScore, formatSource, scoreTone } from '../lib/format.ts';
import { useResource, type Resource } from '../lib/use-resource.ts';
import { buildHref, useUrlState } from '../lib/url-state.ts';
import { lastDayOf, readPeriodParams, readTimeWindow } from '../lib/window.ts';

const POLARITIES = ['positive', 'neutral', 'negative'] as const;

/** Mentions and exact mean score of a whole series (sum of score x n over sum of n). */
export function totalSeries(series: readonly SeriesPoint[]): { n: number; score: number | null; positive: number; negative: number } {
  let n = 0;
  let sum = 0;
  let positive = 0;
  let negative = 0;
  for (const p of series) {
    n += p.n;
    positive += p.positive;
    negative += p.negative;
    if (p.score !== null) sum += p.score * p.n;
  }
  return { n, score: n > 0 ? sum / n : null, positive, negative };
}

export function EntityPage({ slug, dark }: { slug: string; dark: boolean }) {
  const [query, setQuery] = useUrlState();
  const w = readTimeWindow(query);
  const source = query.get('source') ?? '';
  const aspect = query.get('aspect');
  const polarity = query.get('polarity') ?? '';
  const search = query.get('q') ?? '';
  const version = query.get('version');
  const windowQuery = { from: w.api.from, to: w.api.to, source: source || undefined };

  const periodParams = readPeriodParams(query);
  // The header's share of voice is over the chosen window too.
  const entity = useResource(`entity:${slug}:${w.api.from}:${w.api.to}`, (signal) =>
    api.getEntity(slug, { from: w.api.from, to: w.api.to }, { signal }),
  );
  const seriesKey = `series:${slug}:${w.api.from}:${w.api.to}:${w.bucket}:${w.tz}:${source}`;
  const series = useResource(seriesKey, (signal) => api.getSentiment(slug, { ...windowQuery, bucket: w.bucket, tz: w.api.tz }, { signal }));
  const aspects = useResource(`aspects:${slug}:${w.api.from}:${w.api.to}:${source}`, (signal) =>
    api.getAspects(slug, windowQuery, { signal }),
  );
  // Exact [from, to) per source: the window total and the by-source rows come from this one answer.
  const bySource = useResource(`by-source:${slug}:${w.api.from}:${w.api.to}`, (signal) =>
    api.getBreakdown(slug, { from: w.api.from, to: w.api.to, by: 'source' }, { signal }),
  );
  // Loaded when the section is opened (or a version filter is on), so a first view stays at six requests.
  const [versionsOpen, setVersionsOpen] = useState(version !== null);
  const versions = useResource(versionsOpen ? `versions:${slug}:${w.api.from}:${w.api.to}:${source}` : null, (signal) =>
    api.getVersions(slug, windowQuery, { signal }),
  );

  if (entity.error?.status === 404) {
    return (
      <EmptyState title={`No entity called “${slug}”.`}>
        <p>
          <Link href="/">See every tracked entity</Link>, or add it with <code>vibecheck entities add</code>.
        </p>
      </EmptyState>
    );
  }

  const e = entity.data;
  const totals = series.data ? totalSeries(series.data.series) : null;
  // The header and the window total follow the window (and the source filter), like the chart.
  const headline = bySource.data
    ? source
      ? (bySource.data.items.find((item) => item.key === source) ?? null)
      : bySource.data.total
    : null;

  return (
    <section aria-labelledby="entity-title">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link href={buildHref('/', periodParams)}>Overview</Link> <span aria-hidden="true">/</span> <span>{e?.name ?? slug}</span>
      </nav>
      <div className="page-head entity-head">
        <div>
          <h1 id="entity-title" tabIndex={-1}>
            {e?.name ?? slug}
          </h1>
          {e && (
            <p className="muted">
              <span className={`kind kind-${e.kind}`}>{e.kind}</span>
              {e.parent && (
                <>
                  {' '}
                  by <Link href={buildHref(`/entity/${e.parent}`, periodParams)}>{e.parent}</Link>
                </>
              )}
              {e.aliases.length > 0 && <span className="hide-narrow"> · also “{e.aliases.slice(0, 4).join('”, “')}”</span>}
            </p>
          )}
        </div>
        {e && (
          <dl className="headline-stats">
            <div>
              <dt>Sentiment ({w.days} days)</dt>
              <dd>
                <Score value={headline?.score ?? null} size="large" />
              </dd>
            </div>
            <div>
              <dt>Change vs the {w.days} days before</dt>
              <dd>
                <Change value={headline?.change ?? null} significant={headline?.significant ?? false} />
              </dd>
            </div>
            <div>
              <dt>Mentions ({w.days} days)</dt>
              <dd className="stat">{bySource.data ? formatCount(headline?.n ?? 0) : '…'}</dd>
            </div>
            <div>
              <dt>Share of voice ({w.days} days)</dt>
              <dd className="stat">{formatPercent(e.summary.shareOfVoice)}</dd>
            </div>
          </dl>
        )}
        <div className="head-actions">
          <Link className="button-link" href={buildHref('/compare', { ...periodParams, entities: slug })}>
            Compare…
          </Link>
          <ExportLinks slug={slug} query={{ ...windowQuery, bucket: w.bucket, tz: w.api.tz }} />
        </div>
      </div>
      {entity.error && <ErrorState error={entity.error} onRetry={entity.retry} what="this entity" />}

      <WindowPicker window={w} onChange={(patch) => setQuery(patch)}>
        <SourceSelect value={source} onChange={(source) => setQuery({ source, cursor: null })} />
      </WindowPicker>
      <div className="toolbar">
        {bySource.data && (
          <p className="muted small window-total">
            {formatCount(headline?.n ?? 0)} mentions from {formatDate(w.from)} to {formatDate(lastDayOf(w.to))}
            {w.tz === 'UTC' ? '' : ` (${w.tz})`}, mean{' '}
            <span className={`tone-${scoreTone(headline?.score)}`}>{formatScore(headline?.score)}</span>
          </p>
        )}
      </div>

      <div className="card chart-card">
        <h2>Sentiment and volume</h2>
        {series.error && <ErrorState error={series.error} onRetry={series.retry} what="the sentiment series" />}
        {series.stale && <StaleNote />}
        {!series.data && series.loading && <Skeleton lines={1} height="300px" label="Loading chart" />}
        {series.data && totals?.n === 0 && (
          <EmptyState title={source ? `No mentions from ${source} in this window.` : 'No mentions in this window.'}>
            {source ? <p className="muted">Pick “All sources” or a longer range.</p> : <NoDataHint />}
          </EmptyState>
        )}
        {series.data && (totals?.n ?? 0) > 0 && (
          <div className={series.loading ? 'reloading' : undefined} aria-busy={series.loading}>
            <SentimentChart series={series.data.series} events={series.data.events} dark={dark} window={series.data} name={e?.name} />
            {series.data.events.length > 0 && (
              <ul className="event-list small">
                {series.data.events.slice(0, 8).map((ev) => (
                  <li key={ev.id}>
                    <span className={`event-kind event-${ev.kind}`}>{ev.kind}</span> {formatDate(ev.occurredAt)} — {ev.title}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>

      <div className="two-col">
        <div className="card">
          <h2>By source</h2>
          <SourceBreakdown resource={bySource} selected={source} onSelect={(name) => setQuery({ source: name })} />
        </div>
        <div className="card">
          <h2>Aspects</h2>
          {aspects.error && <ErrorState error={aspects.error} onRetry={aspects.retry} what="the aspects" />}
          {!aspects.data && aspects.loading && <Skeleton lines={5} />}
          {aspects.data && aspects.data.items.every((a) => a.n === 0) && (
            <p className="muted">No aspect (speed, pricing, quality…) was mentioned in this window.</p>
          )}
          {aspects.data && aspects.data.items.some((a) => a.n > 0) && (
            <AspectBars items={aspects.data.items} selected={aspect} onSelect={(a) => setQuery({ aspect: a })} />
          )}
        </div>
      </div>

      {e?.kind !== 'vendor' && (
        <details className="card version-card" open={versionsOpen} onToggle={(event) => setVersionsOpen(event.currentTarget.open)}>
          <summary>
            <h2>By version</h2>
          </summary>
          {versions.error && <ErrorState error={versions.error} onRetry={versions.retry} what="the per-version figures" />}
          {!versions.data && versions.loading && <Skeleton lines={3} />}
          {versions.data && (
            <VersionBreakdown
              data={versions.data}
              selected={version}
              onSelect={(v) => {
                setQuery({ version: v, cursor: null });
                if (v) document.getElementById('entity-posts')?.scrollIntoView({ block: 'start' });
              }}
            />
          )}
        </details>
      )}

      <div className="card feed-card" id="entity-posts">
        <div className="feed-head">
          <h2>Posts</h2>
          <div className="toolbar">
            <PostSearch value={search} onChange={(q) => setQuery({ q }, { replace: true })} />
            {version && (
              <button
                type="button"
                className="filter-chip"
                onClick={() => setQuery({ version: null })}
                aria-label={`Remove version filter ${version}`}
              >
                version: {version} ✕
              </button>
            )}
            {aspect && (
              <button
                type="button"
                className="filter-chip"
                onClick={() => setQuery({ aspect: null })}
                aria-label={`Remove aspect filter ${formatAspect(aspect)}`}
              >
                aspect: {formatAspect(aspect)} ✕
              </button>
            )}
            <label className="field">
              <span>Polarity</span>
              <select value={polarity} onChange={(ev) => setQuery({ polarity: ev.target.value })}>
                <option value="">Any</option>
                {POLARITIES.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </div>
        <PostFeed
          slug={slug}
          query={{
            ...windowQuery,
            aspect: aspect ?? undefined,
            polarity: polarity || undefined,
            q: search || undefined,
            version: version ?? undefined,
          }}
          onAspect={(a) => setQuery({ aspect: a })}
        />
      </div>
    </section>
  );
}

function SourceBreakdown({
  resource,
  selected,
  onSelect,
}: {
  resource: Resource<Breakdown>;
  selected: string;
  onSelect: (name: string | null) => void;
}) {
  if (resource.error) return <ErrorState error={resource.error} onRetry={resource.retry} what="the per-source figures" />;
  if (!resource.data) return <Skeleton lines={4} />;
  // Sources with mentions only in the window before are left out: the table is about this window.
  const rows = resource.data.items.filter((item) => item.n > 0).map((item) => ({ name: item.key, n: item.n, score: item.score }));
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
                onClick={() => onSelect(selected === r.name ? null : r.name)}
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

function PostFeed({
  slug,
  query,
  onAspect,
}: {
  slug: string;
  query: Record<string, string | undefined>;
  onAspect: (aspect: string) => void;
}) {
  const key = `posts:${slug}:${JSON.stringify(query)}`;
  const first = useResource(key, (signal) => api.getPosts(slug, { ...query, limit: 20 }, { signal }));
  const [more, setMore] = useState<{ key: string; items: PostItem[]; cursor: string | null; loading: boolean; error?: ApiError }>({
    key,
    items: [],
    cursor: null,
    loading: false,
  });

  useEffect(() => setMore({ key, items: [], cursor: null, loading: false }), [key]);

  const cursor = more.key === key && more.cursor ? more.cursor : (first.data?.nextCursor ?? null);
  const loadMore = useCallback(async () => {
    if (!cursor) return;
    setMore((m) => ({ ...m, loading: true, error: undefined }));
    try {
      const page = await api.getPosts(slug, { ...query, limit: 20, cursor });
      setMore((m) => (m.key === key ? { key, items: [...m.items, ...page.items], cursor: page.nextCursor, loading: false } : m));
    } catch (error) {
      setMore((m) => ({ ...m, loading: false, error: error as ApiError }));
    }
  }, [cursor, key, query, slug]);

  if (first.error) return <ErrorState error={first.error} onRetry={first.retry} what="the posts" />;
  if (!first.data) return <Skeleton lines={6} height="1.4rem" label="Loading posts" />;
  const items = [...first.data.items, ...(more.key === key ? more.items : [])];
  if (items.length === 0) {
    return (
      <EmptyState title="No posts match.">
        <p className="muted">
          {query.aspect || query.polarity || query.source || query.q || query.version
            ? 'Remove a filter or widen the range.'
            : 'Posts appear here as collection finds them.'}
        </p>
      </EmptyState>
    );
  }
  const exhausted = more.key === key && more.items.length > 0 ? more.cursor === null : first.data.nextCursor === null;
  return (
    <>
      <ol className="post-list" aria-busy={first.loading}>
        {items.map((post) => (
          <li key={`${post.source}:${post.externalId}`}>
            <PostCard post={post} onAspect={onAspect} />
          </li>
        ))}
      </ol>
      {more.error && <ErrorState error={more.error} onRetry={() => void loadMore()} what="more posts" reloads={false} />}
      {!exhausted && (
        <button type="button" className="load-more" onClick={() => void loadMore()} disabled={more.loading}>
          {more.loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </>
  );
}

/**
 * The view as a file: the export route's series and posts for this window, bucket and source, as
 * CSV (one table, cells a spreadsheet would run as formulas defused by the server) or JSON.
 */
function ExportLinks({ slug, query }: { slug: string; query: Query }) {
  return (
    <span className="export-links" role="group" aria-label="Export this view">
      <span className="muted small">Export</span>
      {(['csv', 'json'] as const).map((format) => (
        <a
          key={format}
          className="button-link"
          href={buildApiUrl(`/api/v1/entities/${encodeURIComponent(slug)}/export`, { ...query, format })}
          download={`${slug}.${format}`}
        >
          {format.toUpperCase()}
        </a>
      ))}
    </span>
  );
}

/** Text searched in the posts (the API's q); the URL follows after a pause in typing. */
function PostSearch({ value, onChange }: { value: string; onChange: (q: string) => void }) {
  const [text, setText] = useState(value);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text.trim() === value) return;
    const timer = setTimeout(() => onChangeRef.current(text.trim()), 300);
    return () => clearTimeout(timer);
  }, [text, value]);
  return (
    <label className="field">
      <span>Search posts</span>
      <input type="search" value={text} maxLength={200} placeholder="Words in the post" onChange={(e) => setText(e.target.value)} />
    </label>
  );
}
