import type { SeriesPoint } from '../../api/types.ts';
import { SentimentChart } from '../../components/charts.tsx';
import { EmptyState, ErrorState, NoDataHint, Skeleton, StaleNote } from '../../components/states.tsx';
import { formatDate } from '../../lib/format.ts';
import { useEntityInfo, useSeries, type EntityView } from './resources.ts';

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

/** The sentiment and volume chart for the window and source, with the window's events. */
export function ChartSection({ view, dark }: { view: EntityView; dark: boolean }) {
  const series = useSeries(view);
  const name = useEntityInfo(view).data?.name;
  const { source } = view;
  const totals = series.data ? totalSeries(series.data.series) : null;
  return (
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
          <SentimentChart series={series.data.series} events={series.data.events} dark={dark} window={series.data} name={name} />
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
  );
}
