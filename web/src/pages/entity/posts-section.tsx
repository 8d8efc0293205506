import { useEffect, useRef, useState } from 'react';
import { api } from '../../api/client.ts';
import { PostCard } from '../../components/post-card.tsx';
import { EmptyState, ErrorState, Skeleton } from '../../components/states.tsx';
import { formatAspect } from '../../lib/format.ts';
import { usePagedResource } from '../../lib/use-paged-resource.ts';
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
  const posts = usePagedResource(key, (cursor, signal) =>
    api.getPosts(slug, { ...query, limit: 20, cursor: cursor ?? undefined }, { signal }),
  );

  if (posts.error) return <ErrorState error={posts.error} onRetry={posts.retry} what="the posts" />;
  if (!posts.data) return <Skeleton lines={6} height="1.4rem" label="Loading posts" />;
  if (posts.items.length === 0) {
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
  return (
    <>
      <ol className="post-list" aria-busy={posts.loading}>
        {posts.items.map((post) => (
          <li key={`${post.source}:${post.externalId}`}>
            <PostCard post={post} onAspect={onAspect} />
          </li>
        ))}
      </ol>
      {posts.moreError && <ErrorState error={posts.moreError} onRetry={posts.loadMore} what="more posts" reloads={false} />}
      {posts.hasMore && (
        <button type="button" className="load-more" onClick={posts.loadMore} disabled={posts.loadingMore}>
          {posts.loadingMore ? 'Loading…' : 'Load more'}
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
