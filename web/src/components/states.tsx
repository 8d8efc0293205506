import type { ReactNode } from 'react';
import type { ApiError } from '../api/client.ts';

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

/** What went wrong, in words, with a button that tries again. */
export function ErrorState({ error, onRetry, what }: { error: ApiError; onRetry: () => void; what: string }) {
  const hint =
    error.status === 0
      ? 'The server did not answer. Is `vibecheck serve` running?'
      : error.status === 429
        ? 'Too many requests; wait a moment.'
        : error.status === 404
          ? 'It does not exist (any more).'
          : null;
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

/** The advice for a database without posts yet. */
export function NoDataHint() {
  return (
    <p className="muted">
      Collection is running in the background and fills this in as posts arrive. To start from a file, run{' '}
      <code>vibecheck import posts.jsonl</code>.
    </p>
  );
}
