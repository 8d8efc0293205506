import { useEffect, useState, type ReactNode } from 'react';
import { api, type ApiError } from '../api/client.ts';
import type { SourceStatus } from '../api/types.ts';
import { connection, useConnection } from '../lib/connection.ts';
import { formatCount, formatDate, formatSource } from '../lib/format.ts';
import { useLocation } from '../lib/url-state.ts';
import { isUnreachable, useResource } from '../lib/use-resource.ts';
import { lastDayOf, readTimeWindow, storedPeriod, withCustomPeriod } from '../lib/window.ts';
import { Link } from './link.tsx';

/** Grey placeholder blocks shown while the first answer loads. */
export function Skeleton({ lines = 3, height = '1rem', label = 'Loading' }: { lines?: number; height?: string; label?: string }) {
  return (
    <div className="skeleton" role="status" aria-live="polite" aria-label={label}>
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} className="skeleton-line" style={{ height, width: `${100 - ((i * 17) % 40)}%` }} />
      ))}
    </div>
  );
}

/**
 * What went wrong, in words, with a button that tries again. When the server is unreachable, the
 * connection banner says so once and retries by itself, so the panel only says what is missing
 * (and, unless `reloads` is false, that it comes back by itself).
 */
export function ErrorState({
  error,
  onRetry,
  what,
  reloads = true,
}: {
  error: ApiError;
  onRetry: () => void;
  what: string;
  reloads?: boolean;
}) {
  if (isUnreachable(error)) {
    return (
      <div className="state state-offline" role="status">
        <p>
          <strong>Could not load {what}:</strong> the server is unreachable.{reloads ? ' It loads by itself once the server is back.' : ''}
        </p>
      </div>
    );
  }
  const hint = error.status === 429 ? 'Too many requests; wait a moment.' : error.status === 404 ? 'It does not exist (any more).' : null;
  return (
    <div className="state state-error" role="alert">
      <p>
        <strong>Could not load {what}.</strong> {error.message}
      </p>
      {hint && <p className="muted">{hint}</p>}
      <button type="button" onClick={onRetry}>
        Retry
      </button>
    </div>
  );
}

/** Says that the data below is this view's, but reloading it failed. */
export function StaleNote() {
  return (
    <p className="stale-note small" role="status">
      Possibly out of date: reloading it failed.
    </p>
  );
}

/**
 * Data whose reload failed, shown greyed under a note saying it may be out of date (it is still
 * the data for the labels around it: a change of window drops the old data instead).
 */
export function StaleMark({ stale, children }: { stale: boolean; children: ReactNode }) {
  if (!stale) return <>{children}</>;
  return (
    <div className="stale" data-stale="true">
      <StaleNote />
      {children}
    </div>
  );
}

/** An empty result that says what to do next. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p>
        <strong>{title}</strong>
      </p>
      {children}
    </div>
  );
}

/**
 * What is true when a view has no data: whether anything is stored at all, whether this server collects
 * and which sources cannot run (and why), how to import, and where to test a source.
 */
export function NoDataHint() {
  const location = useLocation();
  const sources = useResource('sources', (signal) => api.listSources({ signal }));
  const importHint = (
    <p className="muted">
      To start from a file, run <code>vibecheck import posts.jsonl</code> (one JSON post per line); for history,{' '}
      <code>vibecheck backfill --source hn --since 2026-01-01</code>.
    </p>
  );
  if (!sources.data) return importHint;
  const { collection, items } = sources.data;
  const stored = items.reduce((sum, s) => sum + s.mentionsStored, 0);
  const dataPeriod = storedPeriod(items.map((s) => ({ first: s.firstMentionDay, last: s.lastMentionDay })));
  // Offered only when the period shown does not already hold the newest stored day (a filter emptied it, not the dates).
  const shown = readTimeWindow(location.query);
  const period = dataPeriod && !(shown.from <= lastDayOf(dataPeriod.to) && dataPeriod.to <= shown.to) ? dataPeriod : null;
  // Sources with no collector here (intervalSeconds null: imported ones, such as youtube) cannot run, and no setting changes that.
  const collectors = items.filter((s) => s.intervalSeconds !== null);
  const running = collectors.filter((s) => s.enabled && !s.skipReason);
  const idle = collectors.filter((s) => !s.enabled || s.skipReason);
  const names = (list: SourceStatus[]) => list.map((s) => formatSource(s.name)).join(', ');
  return (
    <div className="first-run" data-stored={stored}>
      <p>
        {stored === 0 ? (
          <strong>Nothing is stored yet.</strong>
        ) : (
          <>{formatCount(stored)} mentions are stored in all, none of them in this view.</>
        )}{' '}
        {period && (
          <>
            The newest is from {formatDate(lastDayOf(period.to))}:{' '}
            <Link className="stored-period" href={`${location.path}?${withCustomPeriod(location.query, period).toString()}`}>
              show {formatDate(period.from)} to {formatDate(lastDayOf(period.to))}
            </Link>
            .{' '}
          </>
        )}
        {!collection ? (
          <>
            Collection is off on this server (<code>serve --no-collect</code> or <code>--no-work</code>): no source runs until{' '}
            <code>vibecheck collect</code>, <code>backfill</code> or a worker runs it.
          </>
        ) : running.length > 0 ? (
          `Collection is on: ${names(running)} ${running.length === 1 ? 'runs' : 'run'} on a schedule; posts show here as they arrive.`
        ) : (
          'Collection is on, but no source can run: each needs the settings below.'
        )}
      </p>
      {idle.length > 0 && (
        <ul className="first-run-sources small">
          {idle.map((s) => (
            <li key={s.name}>
              <strong>{formatSource(s.name)}</strong>: {s.skipReason ?? 'left out of VIBECHECK_SOURCES'}
            </li>
          ))}
        </ul>
      )}
      {importHint}
      <p className="muted">
        <Link href="/sources">Test a source</Link> to see what it would collect now, without storing anything.
      </p>
    </div>
  );
}

/** One banner for the whole page while the server does not answer; it checks again by itself and goes away when it does. */
export function ConnectionBanner() {
  const state = useConnection();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (state.reachable) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [state.reachable]);
  if (state.reachable) return null;
  const seconds = state.nextCheckAt === null ? 0 : Math.max(0, Math.ceil((state.nextCheckAt - now) / 1000));
  return (
    <div className="connection-banner" role="alert">
      <p>
        <strong>The server is unreachable.</strong> What is shown may be incomplete.{' '}
        <span className="visually-hidden">It is tried again by itself.</span>
        <span aria-hidden="true">Trying again {seconds > 0 ? `in ${seconds} s` : 'now'}.</span>
      </p>
      <button type="button" onClick={connection.checkNow}>
        Try now
      </button>
    </div>
  );
}
