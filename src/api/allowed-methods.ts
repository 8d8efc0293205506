import type { RouterRoute } from 'hono/types';

const escapeRegExp = (text: string): string => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** `/api/v1/entities/:slug/posts` as a pattern matching `/api/v1/entities/cursor/posts`. */
function toPattern(path: string): RegExp {
  const segments = path.split('/').map((segment) => (segment.startsWith(':') ? '[^/]+' : escapeRegExp(segment)));
  return new RegExp(`^${segments.join('/')}$`);
}

/**
 * The methods a path answers, read from the registered routes (for 405 and its Allow header).
 * Wildcard routes (middleware, the dashboard's catch-all) name no path of their own and are left
 * out. The table is built on first use, once every route is registered.
 */
export function createAllowedMethods(routes: () => readonly RouterRoute[]): (path: string) => string[] {
  let table: Array<{ pattern: RegExp; methods: Set<string> }> | undefined;
  const build = () => {
    const byPath = new Map<string, Set<string>>();
    for (const route of routes()) {
      if (route.method === 'ALL' || route.path.includes('*')) continue;
      byPath.set(route.path, (byPath.get(route.path) ?? new Set()).add(route.method));
    }
    return [...byPath].map(([path, methods]) => ({ pattern: toPattern(path), methods }));
  };
  return (path) => {
    table ??= build();
    const methods = new Set<string>();
    for (const row of table) if (row.pattern.test(path)) for (const method of row.methods) methods.add(method);
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
