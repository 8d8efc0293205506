import { lazy, Suspense, useEffect, useRef } from 'react';
import { Link } from './components/link.tsx';
import { ConnectionBanner } from './components/states.tsx';
import { useTheme } from './lib/theme.ts';
import { buildHref, restoreScrollOnHistory, useLocation } from './lib/url-state.ts';
import { readPeriodParams } from './lib/window.ts';
import { ComparePage } from './pages/compare-page.tsx';
import { EntityPage } from './pages/entity-page.tsx';
import { OverviewPage } from './pages/overview-page.tsx';
import { SourcesPage } from './pages/sources-page.tsx';

// The admin pages are few people's and seldom open: loaded on first visit, not in everyone's bundle.
const AlertsPage = lazy(() => import('./pages/alerts-page.tsx').then((m) => ({ default: m.AlertsPage })));
const ManagePage = lazy(() => import('./pages/manage-page.tsx').then((m) => ({ default: m.ManagePage })));
const FlowsPage = lazy(() => import('./pages/flows-page.tsx').then((m) => ({ default: m.FlowsPage })));

const NAV = [
  { href: '/', label: 'Overview' },
  { href: '/compare', label: 'Compare' },
  { href: '/flows', label: 'Flows' },
  { href: '/sources', label: 'Sources' },
  { href: '/alerts', label: 'Alerts' },
  { href: '/manage', label: 'Manage' },
];

/** Which page a path shows; an entity slug is the rest of the path after /entity/. */
export function matchRoute(path: string): {
  page: 'overview' | 'entity' | 'compare' | 'flows' | 'sources' | 'alerts' | 'manage' | 'missing';
  slug?: string;
} {
  if (path === '/' || path === '') return { page: 'overview' };
  if (path === '/compare') return { page: 'compare' };
  if (path === '/flows') return { page: 'flows' };
  if (path === '/sources') return { page: 'sources' };
  if (path === '/alerts') return { page: 'alerts' };
  if (path === '/manage') return { page: 'manage' };
  const entity = path.match(/^\/entity\/([a-z0-9][a-z0-9-]*)\/?$/);
  if (entity?.[1]) return { page: 'entity', slug: entity[1] };
  return { page: 'missing' };
}

export function App() {
  const { path, query } = useLocation();
  // The chosen period goes along to every page, so switching pages keeps the range.
  const period = readPeriodParams(query);
  const theme = useTheme();
  const route = matchRoute(path);
  const section = route.page === 'entity' ? '/' : path;

  useEffect(() => restoreScrollOnHistory(), []);

  // A new page (not a new filter on the same one) moves focus to its heading, which announces it.
  const shownPath = useRef(path);
  useEffect(() => {
    if (shownPath.current === path) return;
    shownPath.current = path;
    const heading = document.querySelector<HTMLElement>('main h1');
    if (heading) return void heading.focus({ preventScroll: true });
    // A page still loading its code (the admin pages): main now, its heading once it is drawn.
    const main = document.getElementById('main');
    main?.focus({ preventScroll: true });
    if (!main) return;
    const observer = new MutationObserver(() => {
      const drawn = main.querySelector<HTMLElement>('h1');
      if (!drawn) return;
      observer.disconnect();
      if (document.activeElement === main) drawn.focus({ preventScroll: true });
    });
    observer.observe(main, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [path]);

  useEffect(() => {
    const titles = {
      overview: 'Overview',
      entity: route.slug ?? '',
      compare: 'Compare',
      flows: 'Flows',
      sources: 'Sources',
      alerts: 'Alerts',
      manage: 'Manage',
      missing: 'Not found',
    };
    document.title = `${titles[route.page]} · VibeCheck`;
  }, [route.page, route.slug]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href={buildHref('/', period)} className="brand" aria-label="VibeCheck home">
          <span className="brand-dot" aria-hidden="true" />
          VibeCheck
        </Link>
        <nav aria-label="Main">
          {NAV.map((item) => (
            <Link key={item.href} href={buildHref(item.href, period)} aria-current={section === item.href ? 'page' : undefined}>
              {item.label}
            </Link>
          ))}
        </nav>
        <button
          type="button"
          className="theme-toggle"
          onClick={theme.cycle}
          aria-label={`Theme: ${theme.choice}. Change theme`}
          title="Change theme"
        >
          {theme.choice === 'system' ? 'Auto' : theme.choice === 'dark' ? 'Dark' : 'Light'}
        </button>
      </header>
      <ConnectionBanner />
      <main id="main" tabIndex={-1}>
        {route.page === 'overview' && <OverviewPage />}
        {route.page === 'entity' && route.slug && <EntityPage slug={route.slug} dark={theme.dark} />}
        {route.page === 'compare' && <ComparePage dark={theme.dark} />}
        {route.page === 'sources' && <SourcesPage />}
        {route.page === 'flows' && (
          <Suspense fallback={<p className="muted">Loading…</p>}>
            <FlowsPage />
          </Suspense>
        )}
        {(route.page === 'alerts' || route.page === 'manage') && (
          <Suspense fallback={<p className="muted">Loading…</p>}>{route.page === 'alerts' ? <AlertsPage /> : <ManagePage />}</Suspense>
        )}
        {route.page === 'missing' && (
          <section className="state state-empty">
            <h1>Page not found</h1>
            <p>
              <Link href="/">Back to the overview</Link>
            </p>
          </section>
        )}
      </main>
    </>
  );
}
