import { buildApiUrl, type Query } from '../../api/client.ts';
import { Link } from '../../components/link.tsx';
import { Change, Score } from '../../components/score.tsx';
import { ErrorState } from '../../components/states.tsx';
import { formatCount, formatDate, formatPercent, formatScore, scoreTone } from '../../lib/format.ts';
import { buildHref, type QueryPatch } from '../../lib/url-state.ts';
import { lastDayOf } from '../../lib/window.ts';
import { useEntityInfo, useHeadline, windowQuery, type EntityView } from './resources.ts';

/** Breadcrumb, name, kind and aliases, the window's headline figures, and the links to compare and export. */
export function EntityHeader({ view, periodParams }: { view: EntityView; periodParams: QueryPatch }) {
  const { slug, window: w } = view;
  const entity = useEntityInfo(view);
  const { loaded, headline } = useHeadline(view);
  const e = entity.data;
  return (
    <>
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
              <dd className="stat">{loaded ? formatCount(headline?.n ?? 0) : '…'}</dd>
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
          <ExportLinks slug={slug} query={{ ...windowQuery(view), bucket: w.bucket, tz: w.api.tz }} />
        </div>
      </div>
      {entity.error && <ErrorState error={entity.error} onRetry={entity.retry} what="this entity" />}
    </>
  );
}

/** "1,234 mentions from … to …, mean +0.12": the window's total, from the same answer as the by-source rows. */
export function WindowTotal({ view }: { view: EntityView }) {
  const { window: w } = view;
  const { loaded, headline } = useHeadline(view);
  if (!loaded) return null;
  return (
    <p className="muted small window-total">
      {formatCount(headline?.n ?? 0)} mentions from {formatDate(w.from)} to {formatDate(lastDayOf(w.to))}
      {w.tz === 'UTC' ? '' : ` (${w.tz})`}, mean{' '}
      <span className={`tone-${scoreTone(headline?.score)}`}>{formatScore(headline?.score)}</span>
    </p>
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
