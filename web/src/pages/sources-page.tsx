import { api } from '../api/client.ts';
import type { SourceStatus } from '../api/types.ts';
import { AdminSignIn } from '../components/admin-sign-in.tsx';
import { SourceTest } from '../components/source-test.tsx';
import { EmptyState, ErrorState, Skeleton } from '../components/states.tsx';
import { useAdminToken } from '../lib/admin-session.ts';
import { formatCount, formatDate, formatRelative, formatSource } from '../lib/format.ts';
import { useResource } from '../lib/use-resource.ts';

/** The name `vibecheck import` records its runs under. */
const IMPORT_RUNS = 'import';

/** One word for a collector's state, most urgent first. */
export function describeSourceHealth(s: SourceStatus): { tone: 'ok' | 'warn' | 'bad' | 'off'; text: string } {
  // `vibecheck import` records its runs under "import"; the posts count under their own sources.
  if (s.name === IMPORT_RUNS) return { tone: 'off', text: 'Imports' };
  // No collector on this server: its posts came by import, or by runs made elsewhere (a worker, `collect`).
  if (s.intervalSeconds === null) return { tone: 'off', text: s.runs > 0 ? 'Manual runs' : 'Imported only' };
  if (s.skipReason || s.lastStatus === 'skipped') return { tone: 'off', text: 'Skipped' };
  if (!s.enabled) return { tone: 'off', text: 'Disabled' };
  if (s.lastStatus === 'running') return { tone: 'ok', text: 'Running' };
  if (s.lastStatus === 'failed') return { tone: 'bad', text: 'Failing' };
  if (s.lastStatus === null) return { tone: 'warn', text: 'Not run yet' };
  return { tone: 'ok', text: 'Healthy' };
}

export function SourcesPage() {
  const sources = useResource('sources', (signal) => api.listSources({ signal }));
  const collection = sources.data?.collection ?? false;
  const token = useAdminToken();
  return (
    <section aria-labelledby="sources-title">
      <div className="page-head">
        <h1 id="sources-title" tabIndex={-1}>
          Sources
        </h1>
        <p className="muted">Each collector: when it last ran, last succeeded, what went wrong, and how much it brought in.</p>
      </div>
      <div className="source-test-sign-in">
        {!token && (
          <p className="muted">
            Sign in with the admin token to test a source: one poll now shows what it would collect, and nothing is stored.
          </p>
        )}
        <AdminSignIn />
      </div>
      {sources.error && <ErrorState error={sources.error} onRetry={sources.retry} what="the sources" />}
      {!sources.data && sources.loading && <Skeleton lines={6} height="3rem" label="Loading sources" />}
      {sources.data && sources.data.items.length === 0 && (
        <EmptyState title="No collectors are configured.">
          <p className="muted">
            Set credentials or feed lists in the environment (see .env.example), then restart <code>vibecheck serve</code>.
          </p>
        </EmptyState>
      )}
      {sources.data && !collection && (
        <p className="notice" role="status">
          Collection is off on this server (<code>serve --no-collect</code> or <code>--no-work</code>): sources run only when{' '}
          <code>vibecheck collect</code>, <code>backfill</code> or a worker runs them; imported posts count under their source.
        </p>
      )}
      {sources.data && sources.data.items.length > 0 && (
        <ul className="source-grid">
          {sources.data.items.map((s) => {
            const health = describeSourceHealth(s);
            return (
              <li key={s.name} className="card source-card" data-source={s.name}>
                <div className="source-head">
                  <h2>{formatSource(s.name)}</h2>
                  <span className={`pill pill-${health.tone}`}>{health.text}</span>
                </div>
                <dl className="facts">
                  <div>
                    <dt>Last success</dt>
                    <dd>{formatRelative(s.lastSuccessAt)}</dd>
                  </div>
                  <div>
                    <dt>Last run</dt>
                    <dd>{formatRelative(s.lastRunAt)}</dd>
                  </div>
                  <div>
                    <dt>Runs</dt>
                    <dd>{formatCount(s.runs)}</dd>
                  </div>
                  <div>
                    <dt>{s.name === IMPORT_RUNS ? 'Posts imported' : 'Posts collected'}</dt>
                    <dd>{formatCount(s.itemsCollected)}</dd>
                  </div>
                  {s.name !== IMPORT_RUNS && (
                    <div>
                      <dt title="Mentions of tracked entities from this source, collected or imported; a post naming two entities counts twice">
                        Mentions stored
                      </dt>
                      <dd>{formatCount(s.mentionsStored)}</dd>
                    </div>
                  )}
                  {s.lastMentionDay && (
                    <div>
                      <dt>Newest mention</dt>
                      <dd>{formatDate(s.lastMentionDay)}</dd>
                    </div>
                  )}
                  {collection && s.enabled && !s.skipReason && s.intervalSeconds !== null && (
                    <div>
                      <dt>Every</dt>
                      <dd>
                        {s.intervalSeconds >= 3600
                          ? `${Math.round(s.intervalSeconds / 3600)} h`
                          : `${Math.round(s.intervalSeconds / 60)} min`}
                      </dd>
                    </div>
                  )}
                </dl>
                {s.skipReason && <p className="muted small">Skipped: {s.skipReason}</p>}
                {token && !s.skipReason && s.intervalSeconds !== null && <SourceTest name={s.name} token={token} />}
                {s.lastError && (
                  <p className="source-error">
                    <strong>Last error</strong> ({formatRelative(s.lastErrorAt)}): {s.lastError}
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
