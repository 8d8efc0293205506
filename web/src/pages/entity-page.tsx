import { Link } from '../components/link.tsx';
import { SourceSelect } from '../components/source-select.tsx';
import { EmptyState } from '../components/states.tsx';
import { WindowPicker } from '../components/window-picker.tsx';
import { useUrlState } from '../lib/url-state.ts';
import { readPeriodParams, readTimeWindow } from '../lib/window.ts';
import { AspectsSection, SourceSection } from './entity/breakdown-sections.tsx';
import { ChartSection } from './entity/chart-section.tsx';
import { EntityHeader, WindowTotal } from './entity/header.tsx';
import { PostsSection } from './entity/posts-section.tsx';
import { useEntityInfo, type EntityView } from './entity/resources.ts';
import { VersionsSection } from './entity/versions-section.tsx';

/**
 * One entity over the chosen window: its header, chart, sources, aspects, versions and posts. The
 * URL is read here once a render; each section loads its own resource, and sections that need the
 * same answer share its one request.
 */
export function EntityPage({ slug, dark }: { slug: string; dark: boolean }) {
  const [query, setQuery] = useUrlState();
  const view: EntityView = {
    slug,
    window: readTimeWindow(query),
    source: query.get('source') ?? '',
    aspect: query.get('aspect'),
    polarity: query.get('polarity') ?? '',
    search: query.get('q') ?? '',
    version: query.get('version'),
  };
  const entity = useEntityInfo(view);

  if (entity.error?.status === 404) {
    return (
      <EmptyState title={`No entity called “${slug}”.`}>
        <p>
          <Link href="/">See every tracked entity</Link>, or add it with <code>vibecheck entities add</code>.
        </p>
      </EmptyState>
    );
  }

  return (
    <section aria-labelledby="entity-title">
      <EntityHeader view={view} periodParams={readPeriodParams(query)} />
      <WindowPicker window={view.window} onChange={(patch) => setQuery(patch)}>
        <SourceSelect value={view.source} onChange={(source) => setQuery({ source, cursor: null })} />
      </WindowPicker>
      <div className="toolbar">
        <WindowTotal view={view} />
      </div>
      <ChartSection view={view} dark={dark} />
      <div className="two-col">
        <SourceSection view={view} setQuery={setQuery} />
        <AspectsSection view={view} setQuery={setQuery} />
      </div>
      <VersionsSection view={view} setQuery={setQuery} />
      <PostsSection view={view} setQuery={setQuery} />
    </section>
  );
}
