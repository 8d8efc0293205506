import pino from 'pino';
import type { App } from '../../src/api/app.ts';
import { createApp } from '../../src/api/app.ts';
import type { NormalizedPost } from '../../src/core/post.ts';
import { openDatabase } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { seedEntities } from '../../src/pipeline/entities.ts';
import { createIngestor } from '../../src/pipeline/ingest.ts';
import { createSourcePreviewer } from '../../src/pipeline/preview.ts';
import { createRssSource } from '../../src/sources/rss/index.ts';
import { SILENT_LOG } from './admin-app.ts';
import { createDataDir } from './databases.ts';
import { startFakeUpstream } from './fake-upstream.ts';

/**
 * One real request for every operation of the API, over posts imported through the real pipeline:
 * what the contract test checks against the OpenAPI document, and where the document's response
 * examples come from (`npm run api:examples`).
 */

export const ADMIN = 'contract-admin-token-0123';
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY);
const post = (id: string, body: string, days: number, source = 'reddit'): NormalizedPost => ({
  source,
  externalId: id,
  url: `https://example.com/${id}`,
  author: `user-${id}`,
  title: null,
  body,
  createdAt: daysAgo(days),
  score: 3,
  comments: 1,
  parentId: null,
  threadId: null,
});

const POSTS = [
  post('a1', 'I switched from Cursor to Claude Code because Cursor got too expensive.', 3),
  post('a2', 'Claude Code 2.1.89 keeps crashing on start, really frustrating.', 5, 'github'),
  post('a3', 'Claude Sonnet 4.5 is the best coding model I have used, the code quality is great.', 8, 'hn'),
  post('a4', 'Cursor is fast but the rate limits on the Pro plan are annoying.', 12),
  post('a5', 'Is Claude Code worth it compared to Cursor?', 20, 'hn'),
  post('a6', 'Cursor tab completion is great and really fast.', 40),
];

const FEED = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Dev notes</title>
<item><title>Cursor 2.0 is out, and the agent is much faster</title><guid>n1</guid><link>https://blog.example/posts/1</link>
  <pubDate>${daysAgo(1).toUTCString()}</pubDate><description>Tried it on a large repo today.</description></item>
</channel></rss>`;

/** One real request per operation, in an order where what a request needs exists (ids from earlier answers). */
export type Step = { op: string; path: (ids: Record<string, number>) => string; body?: unknown; admin?: boolean; remember?: string };
export const STEPS: Step[] = [
  { op: 'get /health', path: () => '/health' },
  { op: 'get /ready', path: () => '/ready' },
  { op: 'get /api/v1/entities', path: () => '/api/v1/entities' },
  {
    op: 'post /api/v1/entities',
    path: () => '/api/v1/entities',
    admin: true,
    body: { slug: 'contract-tool', name: 'Contract Tool', kind: 'tool' },
  },
  { op: 'patch /api/v1/entities/{slug}', path: () => '/api/v1/entities/contract-tool', admin: true, body: { aliases: ['ContractTool'] } },
  { op: 'get /api/v1/entities/{slug}', path: () => '/api/v1/entities/cursor' },
  { op: 'get /api/v1/entities/{slug}/sentiment', path: () => '/api/v1/entities/cursor/sentiment?range=90d&bucket=week' },
  { op: 'get /api/v1/entities/{slug}/breakdown', path: () => '/api/v1/entities/cursor/breakdown?range=90d' },
  { op: 'get /api/v1/entities/{slug}/aspects', path: () => '/api/v1/entities/cursor/aspects?range=90d' },
  { op: 'get /api/v1/entities/{slug}/posts', path: () => '/api/v1/entities/cursor/posts?limit=5' },
  { op: 'get /api/v1/entities/{slug}/versions', path: () => '/api/v1/entities/claude-code/versions?range=90d' },
  { op: 'get /api/v1/entities/{slug}/explain', path: () => '/api/v1/entities/cursor/explain?range=30d' },
  { op: 'get /api/v1/entities/{slug}/export', path: () => '/api/v1/entities/cursor/export?range=90d&format=json' },
  { op: 'get /api/v1/compare', path: () => '/api/v1/compare?entities=cursor,claude-code&range=90d&bucket=week' },
  { op: 'get /api/v1/sources', path: () => '/api/v1/sources' },
  { op: 'post /api/v1/sources/{name}/preview', path: () => '/api/v1/sources/rss/preview', admin: true, body: { limit: 5 } },
  {
    op: 'post /api/v1/events',
    path: () => '/api/v1/events',
    admin: true,
    body: { entity: 'cursor', kind: 'release', title: 'Cursor 2.0', occurredAt: daysAgo(6).toISOString() },
    remember: 'event',
  },
  { op: 'get /api/v1/events', path: () => '/api/v1/events?entity=cursor&range=90d' },
  { op: 'get /api/v1/events/{id}/explain', path: (ids) => `/api/v1/events/${ids.event}/explain` },
  { op: 'get /api/v1/flows', path: () => '/api/v1/flows?range=90d' },
  { op: 'get /api/v1/flows/posts', path: () => '/api/v1/flows/posts?range=90d&from_entity=cursor&to_entity=claude-code' },
  {
    op: 'post /api/v1/alerts',
    path: () => '/api/v1/alerts',
    admin: true,
    body: { kind: 'spike', entityKind: 'tool', channel: 'http://127.0.0.1:9/hook' },
    remember: 'alert',
  },
  { op: 'get /api/v1/alerts', path: () => '/api/v1/alerts', admin: true },
  { op: 'post /api/v1/alerts/{id}/test', path: (ids) => `/api/v1/alerts/${ids.alert}/test`, admin: true, body: {} },
  { op: 'get /api/v1/alerts/{id}/deliveries', path: (ids) => `/api/v1/alerts/${ids.alert}/deliveries`, admin: true },
  { op: 'get /api/v1/alerts/{id}/feed.atom', path: (ids) => `/api/v1/alerts/${ids.alert}/feed.atom` },
  {
    op: 'post /api/v1/digests',
    path: () => '/api/v1/digests',
    admin: true,
    body: { channel: 'http://127.0.0.1:9/digest', kinds: ['tool'] },
    remember: 'digest',
  },
  { op: 'get /api/v1/digests', path: () => '/api/v1/digests', admin: true },
  // Its channel refuses the connection: the answer says so (delivered false, with the cause).
  { op: 'post /api/v1/digests/{id}/send', path: (ids) => `/api/v1/digests/${ids.digest}/send`, admin: true, body: {} },
  { op: 'get /api/v1/digests/{id}/deliveries', path: (ids) => `/api/v1/digests/${ids.digest}/deliveries`, admin: true },
  { op: 'delete /api/v1/digests/{id}', path: (ids) => `/api/v1/digests/${ids.digest}`, admin: true },
  { op: 'delete /api/v1/alerts/{id}', path: (ids) => `/api/v1/alerts/${ids.alert}`, admin: true },
  { op: 'delete /api/v1/entities/{slug}', path: () => '/api/v1/entities/contract-tool', admin: true },
];

/**
 * A fresh embedded database holding the scenario's posts, and the app over it. Outside vitest there is
 * no suite cluster to copy (`cluster: false`): the database is made from nothing.
 */
export async function openScenarioApp({ cluster = true } = {}): Promise<{ app: App; close(): Promise<void> }> {
  const dataDir = createDataDir({ cluster });
  const database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
  await migrate(database.db);
  await seedEntities(database.db);
  await (await createIngestor(database.db)).ingest({ posts: POSTS });
  // One configured source, an RSS feed on a local server, for "test this source".
  const upstream = await startFakeUpstream(() => ({ headers: { 'content-type': 'application/rss+xml' }, body: FEED }));
  const rss = createRssSource({ feeds: [`${upstream.url}/feed.xml`], retries: 0, rateLimit: { minTimeMs: 0 } });
  const sources = [{ source: rss, intervalMs: 3_600_000, enabled: true }];
  const app = createApp({
    db: database.db,
    settings: { adminToken: ADMIN, corsOrigins: [], publicUrl: 'https://vibes.example' },
    log: SILENT_LOG,
    sources: [],
    checkReady: async () => ({ ready: true }),
    previewSource: createSourcePreviewer(database.db, sources, pino({ level: 'silent' })),
  });
  return {
    app,
    close: async () => {
      await upstream.close();
      await database.close();
      dataDir.remove();
    },
  };
}

/** Makes each step's request in order, handing every answer to `answer`; ids named by `remember` feed later paths. */
export async function runScenario(app: App, answer: (step: Step, res: Response) => Promise<unknown>): Promise<void> {
  const ids: Record<string, number> = {};
  for (const step of STEPS) {
    const [method] = step.op.split(' ');
    const headers: Record<string, string> = step.admin ? { authorization: `Bearer ${ADMIN}` } : {};
    if (step.body !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(step.path(ids), {
      method: method!.toUpperCase(),
      headers,
      ...(step.body === undefined ? {} : { body: JSON.stringify(step.body) }),
    });
    const body = await answer(step, res);
    if (step.remember) ids[step.remember] = (body as { id: number }).id;
  }
}
