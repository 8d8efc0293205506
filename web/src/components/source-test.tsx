import { api } from '../api/client.ts';
import type { SourcePreview, SourcePreviewItem } from '../api/types.ts';
import { formatCount, formatDate } from '../lib/format.ts';
import { useAdminAction } from '../lib/use-admin-action.ts';
import { useResource } from '../lib/use-resource.ts';
import { safeHref } from './post-card.tsx';

const PREVIEW_LIMIT = 20;
const EXCERPT = 160;

const KIND_LABELS: Record<SourcePreviewItem['kind'], string> = { post: 'would be stored', event: 'event only', ignored: 'ignored' };

/** "Test this source": one poll now through the server, nothing stored, and what it read. */
export function SourceTest({ name, token }: { name: string; token: string }) {
  const action = useAdminAction<SourcePreview>();
  return (
    <div className="source-test">
      <button
        type="button"
        onClick={() => void action.run(() => api.previewSource(token, name, { limit: PREVIEW_LIMIT }), 'The source could not be tested.')}
        disabled={action.busy}
      >
        {action.busy ? 'Fetching…' : 'Test this source'}
      </button>
      {action.error && (
        <p className="form-error" role="alert">
          {action.error}
        </p>
      )}
      {action.done && <PreviewResult preview={action.done} />}
    </div>
  );
}

function PreviewResult({ preview }: { preview: SourcePreview }) {
  // Names for the linked slugs; the list is the one other pages load, so usually already here.
  const entities = useResource('entity-names', (signal) => api.listEntities({}, { signal }));
  const nameOf = new Map((entities.data?.items ?? []).map((e) => [e.slug, e.name]));
  const count = (kind: SourcePreviewItem['kind']) => preview.items.filter((i) => i.kind === kind).length;
  return (
    <div className="source-preview" role="status">
      <p>
        {formatCount(preview.items.length)} {preview.items.length === 1 ? 'item' : 'items'} read now
        {preview.items.length >= PREVIEW_LIMIT ? ` (the first ${PREVIEW_LIMIT})` : ''}: {count('post')} would be stored, {count('event')}{' '}
        recorded as events only, {count('ignored')} ignored. Nothing was stored.
      </p>
      {preview.errors.length > 0 && (
        <ul className="source-error">
          {preview.errors.map((e, i) => (
            <li key={i}>
              <strong>{e.where}</strong>: {e.message}
            </li>
          ))}
        </ul>
      )}
      {preview.items.length > 0 && (
        <ol className="preview-items">
          {preview.items.map((item) => {
            const href = safeHref(item.url);
            const text = item.title ?? item.body;
            const shown = text.length > EXCERPT ? `${text.slice(0, EXCERPT - 1)}…` : text || '(no title or text)';
            return (
              <li key={item.externalId} data-kind={item.kind}>
                <span className={`pill pill-${item.kind === 'post' ? 'ok' : 'off'}`}>{KIND_LABELS[item.kind]}</span>{' '}
                {href ? (
                  <a href={href} target="_blank" rel="noopener noreferrer nofollow">
                    {shown}
                  </a>
                ) : (
                  shown
                )}
                <span className="muted small">
                  {' '}
                  · {formatDate(item.createdAt)} ·{' '}
                  {item.entities.length > 0 ? item.entities.map((slug) => nameOf.get(slug) ?? slug).join(', ') : 'no tracked entity'}
                </span>
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}
