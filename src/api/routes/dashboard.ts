import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { App } from '../app.ts';

/** Where `vite build --config web/vite.config.ts` writes the dashboard. */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>VibeCheck</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}</style></head>
<body>
<h1>The dashboard is not built yet</h1><p>Run <code>npm run build:web</code> (or <code>npm install</code>, which builds it) and reload.
The API is up: <a href="/api/docs">/api/docs</a>.</p></body></html>`;

const isServerPath = (path: string): boolean =>
  path.startsWith('/api/') || path === '/api' || path === '/health' || path === '/ready' || path === '/metrics';

/** Paths the dashboard answers (with GET only): everything the API and the probes do not own. */
export const isDashboardPath = (path: string): boolean => !isServerPath(path);

/** An asset or any path naming a file (/favicon.ico, /robots.txt): served when it exists, else 404, never the page. */
const isFilePath = (path: string): boolean => path.startsWith('/assets/') || /\/[^/]*\.[^/]*$/.test(path);

/**
 * Serves the built dashboard at `/`: files as they are (hashed assets cached for a year), and
 * index.html for any other GET outside the API, so a shared link like /entity/cursor opens the app.
 * Register it after every API route.
 */
export function registerDashboardRoutes(app: App, options: { root?: string } = {}): void {
  const root = options.root ?? WEB_DIST;
  const files = serveStatic({ root });
  app.get('*', async (c, next) => {
    if (isServerPath(c.req.path)) return next();
    const asset = isFilePath(c.req.path);
    // A missing file is a 404: answering a script or icon request with the page breaks in confusing ways.
    const found = await files(c, async () => (asset ? undefined : next()));
    if (found instanceof Response) {
      found.headers.set('Cache-Control', c.req.path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      return found;
    }
    if (asset) return c.text('not found', 404);
  });
  app.get('*', async (c, next) => {
    if (isServerPath(c.req.path)) return next();
    const html = await readFile(join(root, 'index.html'), 'utf8').catch(() => null);
    if (html === null) return c.html(NOT_BUILT, 503);
    c.header('Cache-Control', 'no-cache');
    return c.html(html);
  });
}
