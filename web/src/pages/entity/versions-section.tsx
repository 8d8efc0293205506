import { useState } from 'react';
import { ErrorState, Skeleton } from '../../components/states.tsx';
import { VersionBreakdown } from '../../components/version-breakdown.tsx';
import { useEntityInfo, useVersions, type EntityView, type SetQuery } from './resources.ts';

/**
 * Sentiment per version, folded: it loads when opened (or when a version filter is on), so a first
 * view stays at six requests. Vendors have no versions of their own and get no section.
 */
export function VersionsSection({ view, setQuery }: { view: EntityView; setQuery: SetQuery }) {
  const [open, setOpen] = useState(view.version !== null);
  const versions = useVersions(view, open);
  const kind = useEntityInfo(view).data?.kind;
  if (kind === 'vendor') return null;
  return (
    <details className="card version-card" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>
        <h2>By version</h2>
      </summary>
      {versions.error && <ErrorState error={versions.error} onRetry={versions.retry} what="the per-version figures" />}
      {!versions.data && versions.loading && <Skeleton lines={3} />}
      {versions.data && (
        <VersionBreakdown
          data={versions.data}
          selected={view.version}
          onSelect={(v) => {
            setQuery({ version: v, cursor: null });
            if (v) document.getElementById('entity-posts')?.scrollIntoView({ block: 'start' });
          }}
        />
      )}
    </details>
  );
}
