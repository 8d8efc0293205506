import { api } from '../../api/client.ts';
import { useResource } from '../../lib/use-resource.ts';
import type { QueryPatch } from '../../lib/url-state.ts';
import type { TimeWindow } from '../../lib/window.ts';

/** What the entity page's URL asks for, read once a render so every section sees the same window. */
export interface EntityView {
  slug: string;
  window: TimeWindow;
  source: string;
  aspect: string | null;
  polarity: string;
  search: string;
  version: string | null;
}

export type SetQuery = (patch: QueryPatch, options?: { replace?: boolean }) => void;

/** The window and source filter as the API takes them. */
export const windowQuery = ({ window: w, source }: EntityView) => ({ from: w.api.from, to: w.api.to, source: source || undefined });

// One hook a resource, its key built in one place: sections that need the same answer share one
// request (the cache dedupes by key), so the first view stays at six requests.

/** The entity, with its share of voice over the chosen window. */
export const useEntityInfo = ({ slug, window: w }: EntityView) =>
  useResource(`entity:${slug}:${w.api.from}:${w.api.to}`, (signal) => api.getEntity(slug, { from: w.api.from, to: w.api.to }, { signal }));

export const useSeries = (view: EntityView) => {
  const { slug, window: w, source } = view;
  return useResource(`series:${slug}:${w.api.from}:${w.api.to}:${w.bucket}:${w.tz}:${source}`, (signal) =>
    api.getSentiment(slug, { ...windowQuery(view), bucket: w.bucket, tz: w.api.tz }, { signal }),
  );
};

export const useAspects = (view: EntityView) => {
  const { slug, window: w, source } = view;
  return useResource(`aspects:${slug}:${w.api.from}:${w.api.to}:${source}`, (signal) =>
    api.getAspects(slug, windowQuery(view), { signal }),
  );
};

/** Exact [from, to) per source: the header, the window total and the by-source rows come from this one answer. */
export const useBySource = ({ slug, window: w }: EntityView) =>
  useResource(`by-source:${slug}:${w.api.from}:${w.api.to}`, (signal) =>
    api.getBreakdown(slug, { from: w.api.from, to: w.api.to, by: 'source' }, { signal }),
  );

/** Per version, loaded only while `open`. */
export const useVersions = (view: EntityView, open: boolean) => {
  const { slug, window: w, source } = view;
  return useResource(open ? `versions:${slug}:${w.api.from}:${w.api.to}:${source}` : null, (signal) =>
    api.getVersions(slug, windowQuery(view), { signal }),
  );
};

/** The headline figures for the window: all sources, or the filtered one's row. */
export function useHeadline(view: EntityView) {
  const bySource = useBySource(view);
  const data = bySource.data;
  const headline = data ? (view.source ? (data.items.find((item) => item.key === view.source) ?? null) : data.total) : null;
  return { loaded: data !== undefined, headline };
}
