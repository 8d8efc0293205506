import { existsSync, readFileSync } from 'node:fs';
import { VIBECHECK_VERSION } from '../../core/version.ts';
import type { App } from '../app.ts';

/** Real success answers of the operations, made by `npm run api:examples` (scripts/api-examples.ts). */
export const EXAMPLES_FILE = new URL('../examples.json', import.meta.url);

/** Gives each operation's documented success response its recorded example. */
function attachResponseExamples(app: App): void {
  if (!existsSync(EXAMPLES_FILE)) return;
  const examples = JSON.parse(readFileSync(EXAMPLES_FILE, 'utf8')) as Record<string, { status: number; body: unknown }>;
  for (const definition of app.openAPIRegistry.definitions) {
    if (definition.type !== 'route') continue;
    const example = examples[`${definition.route.method} ${definition.route.path}`];
    const response = example ? definition.route.responses[String(example.status)] : undefined;
    const media = response && 'content' in response ? response.content?.['application/json'] : undefined;
    if (media && !('$ref' in media)) media.example = example!.body;
  }
}

const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>VibeCheck API</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem}
code{background:#8882;padding:0 .3em;border-radius:3px}h2{margin-top:2rem}.m{font-weight:700;text-transform:uppercase}
table{border-collapse:collapse}td,th{border-bottom:1px solid #8884;padding:.2rem .6rem;text-align:left;vertical-align:top}</style>
</head><body><h1>VibeCheck API</h1><p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).</p>
<div id="paths">Loading…</div>
<script>
fetch('/api/openapi.json').then(r => r.json()).then(doc => {
  const root = document.getElementById('paths'); root.textContent = '';
  const el = (tag, text) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; };
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) {
    const h = el('h2'); const m = el('span', method + ' '); m.className = 'm'; h.append(m, el('code', path)); root.append(h);
    if (op.summary) root.append(el('p', op.summary));
    const params = op.parameters || [];
    if (params.length) { const t = el('table'); t.append(el('tr')); t.firstChild.append(el('th','parameter'), el('th','in'), el('th','required'), el('th','description'));
      for (const p of params) { const r = el('tr'); r.append(el('td', p.name), el('td', p.in), el('td', p.required ? 'yes' : 'no'), el('td', p.description || (p.schema && p.schema.description) || '')); t.append(r); }
      root.append(t); }
    root.append(el('p', 'Responses: ' + Object.entries(op.responses).map(([s, r]) => s + ' ' + r.description).join(', ')));
  }
});
</script></body></html>`;

export function registerDocsRoutes(app: App): void {
  attachResponseExamples(app);
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', { type: 'http', scheme: 'bearer' });
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'VibeCheck API',
      version: VIBECHECK_VERSION,
      description:
        'How developers feel about AI models and developer tools: entities, sentiment series, posts. Errors are ' +
        '{"error":{"code","message"}}. Every /api request counts against a per-client limit (any method; 429 with ' +
        'Retry-After past it); a method a path does not have answers 405 with an Allow header.',
    },
  });
  app.get('/api/docs', (c) => c.html(DOCS_PAGE));
}
