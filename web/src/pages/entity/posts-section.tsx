import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type ApiError } from '../../api/client.ts';
import type { PostItem } from '../../api/types.ts';
import { PostCard } from '../../components/post-card.tsx';
import { EmptyState, ErrorState, Skeleton } from '../../components/states.tsx';
import { formatAspect } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { windowQuery, type EntityView, type SetQuery } from './resources.ts';

const POLARITIES = ['positive', 'neutral', 'negative'] as const;

/** The posts of the window, with search, the version and aspect filters as chips, and polarity. */
export function PostsSection({ view, setQuery }: { view: EntityView; setQuery: SetQuery }) {
  const { aspect, polarity, search, version } = view;
  return (
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
        slug={view.slug}
        query={{
          ...windowQuery(view),
          aspect: aspect ?? undefined,
          polarity: polarity || undefined,
          q: search || undefined,
          version: version ?? undefined,
        }}
        onAspect={(a) => setQuery({ aspect: a })}
      />
    </div>
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
