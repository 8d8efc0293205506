import type { z } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SILENT_LOG } from '../../test/support/admin-app.ts';
import { createDataDir } from '../../test/support/databases.ts';
import type { NormalizedPost } from '../core/post.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { seedEntities } from '../pipeline/entities.ts';
import { createIngestor } from '../pipeline/ingest.ts';
import { createApp, type App } from './app.ts';

/**
 * The API contract: every operation of the OpenAPI document is called once with a real request over
 * stored posts, and its answer must be a documented status whose documented schema parses the body
 * exactly (a field the document does not declare fails too).
 */

const ADMIN = 'contract-admin-token-0123';
const DAY = 86_400_000;
let database: Database;
let app: App;
let dataDir: ReturnType<typeof createDataDir>;

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

/** One real request per operation, in an order where what a request needs exists (ids from earlier answers). */
type Step = { op: string; path: (ids: Record<string, number>) => string; body?: unknown; admin?: boolean; remember?: string };
const STEPS: Step[] = [
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
  // No source is configured in this app: the documented refusal of an unknown one.
  { op: 'post /api/v1/sources/{name}/preview', path: () => '/api/v1/sources/hn/preview', admin: true, body: {} },
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
  { op: 'get /api/v1/digests/{id}/deliveries', path: (ids) => `/api/v1/digests/${ids.digest}/deliveries`, admin: true },
  { op: 'delete /api/v1/digests/{id}', path: (ids) => `/api/v1/digests/${ids.digest}`, admin: true },
  { op: 'delete /api/v1/alerts/{id}', path: (ids) => `/api/v1/alerts/${ids.alert}`, admin: true },
  { op: 'delete /api/v1/entities/{slug}', path: () => '/api/v1/entities/contract-tool', admin: true },
];

interface Documented {
  responses: Record<string, { content?: Record<string, { schema: z.ZodType }> }>;
}

/** The operations as the app declares them, with the zod schemas its OpenAPI document is generated from. */
function documentedOperations(target: App): Map<string, Documented> {
  const operations = new Map<string, Documented>();
  for (const definition of target.openAPIRegistry.definitions) {
    if (definition.type !== 'route') continue;
    operations.set(`${definition.route.method} ${definition.route.path}`, definition.route as unknown as Documented);
  }
  return operations;
}

beforeAll(async () => {
  dataDir = createDataDir({ cluster: true });
  database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
  await migrate(database.db);
  await seedEntities(database.db);
  await (await createIngestor(database.db)).ingest({ posts: POSTS });
  app = createApp({
    db: database.db,
    settings: { adminToken: ADMIN, corsOrigins: [], publicUrl: 'https://vibes.example' },
    log: SILENT_LOG,
    sources: [],
    checkReady: async () => ({ ready: true }),
  });
});

afterAll(async () => {
  await database?.close();
  dataDir?.remove();
});

describe('the API answers as its OpenAPI document says', () => {
  it('has one real request here for every documented operation', () => {
    expect(STEPS.map((step) => step.op).sort()).toEqual([...documentedOperations(app).keys()].sort());
  });

  it('answers every operation with a documented status and a body its documented schema parses exactly', async () => {
    const operations = documentedOperations(app);
    const ids: Record<string, number> = {};
    const bodies = new Map<string, unknown>();
    const problems: string[] = [];
    for (const step of STEPS) {
      const [method] = step.op.split(' ');
      const headers: Record<string, string> = step.admin ? { authorization: `Bearer ${ADMIN}` } : {};
      if (step.body !== undefined) headers['content-type'] = 'application/json';
      const res = await app.request(step.path(ids), {
        method: method!.toUpperCase(),
        headers,
        ...(step.body === undefined ? {} : { body: JSON.stringify(step.body) }),
      });
      const where = `${step.op} -> ${res.status}`;
      const documented = operations.get(step.op)!.responses[String(res.status)];
      if (!documented) {
        problems.push(`${where}: status not documented (${await res.text()})`);
        continue;
      }
      if (res.status >= 500) problems.push(`${where}: failed (${await res.text()})`);
      const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!;
      const media = documented.content ?? {};
      if (Object.keys(media).length === 0) {
        if ((await res.text()) !== '') problems.push(`${where}: a body where none is documented`);
        continue;
      }
      if (!(contentType in media)) {
        problems.push(`${where}: content type ${contentType} not documented (${Object.keys(media).join(', ')})`);
        continue;
      }
      if (contentType !== 'application/json') continue;
      const body: unknown = await res.json();
      bodies.set(step.op, body);
      const parsed = media[contentType]!.schema.safeParse(body);
      if (!parsed.success) problems.push(`${where}: ${parsed.error.message}`);
      // Parsing drops what the schema does not declare: equal only when every field is documented.
      else if (JSON.stringify(sortKeys(parsed.data)) !== JSON.stringify(sortKeys(body))) problems.push(`${where}: undocumented fields`);
      if (step.remember) ids[step.remember] = (body as { id: number }).id;
    }
    expect(problems).toEqual([]);
    // The schemas were held against real values, not empty lists.
    const items = (op: string) => (bodies.get(op) as { items: unknown[] }).items.length;
    for (const op of [
      'get /api/v1/entities/{slug}/posts',
      'get /api/v1/entities/{slug}/aspects',
      'get /api/v1/entities/{slug}/versions',
      'get /api/v1/flows',
      'get /api/v1/flows/posts',
      'get /api/v1/events',
      'get /api/v1/alerts/{id}/deliveries',
    ]) {
      expect(items(op), op).toBeGreaterThan(0);
    }
  });
});

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, sortKeys(v)]),
  );
}
