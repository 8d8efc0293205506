import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataDir } from '../../test/support/databases.ts';
import type { NormalizedPost } from '../core/post.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { seedEntities } from '../pipeline/entities.ts';
import { createIngestor } from '../pipeline/ingest.ts';
import { rescorePosts } from '../pipeline/rescore.ts';
import { createApp, type App } from './app.ts';
import { SILENT_LOG } from '../../test/support/admin-app.ts';

// GET /api/v1/flows and /api/v1/flows/posts over posts stored by the real ingest path on PGlite.

let database: Database;
let app: App;
let dataDir: ReturnType<typeof createDataDir>;

const post = (id: string, body: string, createdAt: string, source = 'reddit'): NormalizedPost => ({
  source,
  externalId: id,
  url: `https://example.com/${id}`,
  author: `user-${id}`,
  title: null,
  body,
  createdAt: new Date(createdAt),
  score: 1,
  comments: 0,
  parentId: null,
  threadId: null,
});

// Weeks start on Monday: 2026-03-02 and 2026-03-09.
const POSTS = [
  post('c1', 'I switched from Cursor to Claude Code because of the pricing.', '2026-03-02T00:00:00Z'),
  post('c2', 'Switched from Cursor to Claude Code, way too expensive for me.', '2026-03-03T10:00:00Z'),
  post('c3', 'Moved from Cursor to Claude Code last night, it kept crashing.', '2026-03-04T10:00:00Z', 'hn'),
  post('c4', 'Finally switched from Cursor to Claude Code.', '2026-03-10T10:00:00Z'),
  post('r1', 'I switched from Claude Code to Cursor, the rate limits are brutal.', '2026-03-11T10:00:00Z'),
  post('x1', 'Cancelled my Windsurf subscription today.', '2026-03-05T10:00:00Z'),
  post('q1', 'Should I switch from Cursor to Claude Code?', '2026-03-05T11:00:00Z'),
  post('late', 'I switched from Cursor to Claude Code today.', '2026-03-16T00:00:00Z'),
  post('early', 'I switched from Cursor to Claude Code back then.', '2026-03-01T23:59:59Z'),
  post('h1', 'I switched from Cursor to Claude Code. <img src=x onerror=alert(1)>', '2026-03-06T10:00:00Z'),
];
const WINDOW = 'from=2026-03-02&to=2026-03-16';

interface Matrix {
  from: string;
  to: string;
  bucket: string;
  items: Array<{
    from: string | null;
    to: string | null;
    kind: string;
    n: number;
    llm: number;
    reasons: Array<{ aspect: string; n: number }>;
    noReason: number;
  }>;
  net: Array<{
    a: string;
    b: string;
    aToB: number;
    bToA: number;
    net: number;
    shareLow: number;
    shareHigh: number;
    series: Array<{ bucketStart: string; aToB: number; bToA: number; net: number }>;
  }>;
}
interface FlowPage {
  items: Array<{
    externalId: string;
    body: string;
    matchedText: string;
    start: number;
    end: number;
    flow: { from: string | null; to: string | null; kind: string; reason: string | null; tier: string };
  }>;
  nextCursor: string | null;
}

const getJson = async <T>(path: string, status = 200): Promise<T> => {
  const res = await app.request(path);
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(status);
  return (await res.json()) as T;
};

beforeAll(async () => {
  dataDir = createDataDir({ cluster: true });
  database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
  await migrate(database.db);
  await seedEntities(database.db);
  const ingestor = await createIngestor(database.db);
  await ingestor.ingest({ posts: POSTS });
  app = createApp({
    db: database.db,
    settings: { adminToken: 'flows-admin', corsOrigins: [] },
    log: SILENT_LOG,
    sources: [],
    checkReady: async () => ({ ready: true }),
  });
});

afterAll(async () => {
  await database?.close();
  dataDir?.remove();
});

describe('GET /api/v1/flows', () => {
  it('counts each (from, to, kind) over exactly [from, to) with its reasons, most frequent first', async () => {
    const body = await getJson<Matrix>(`/api/v1/flows?${WINDOW}`);
    expect(body.bucket).toBe('week');
    const toCc = body.items.find((i) => i.from === 'cursor' && i.to === 'claude-code' && i.kind === 'switch');
    // c1..c4 and h1; "late" sits on `to` and "early" before `from`; the question q1 is no flow.
    expect(toCc?.n).toBe(5);
    expect(toCc?.reasons[0]).toEqual({ aspect: 'cost', n: 2 });
    expect(toCc?.reasons).toContainEqual({ aspect: 'reliability', n: 1 });
    expect(toCc!.reasons.reduce((s, r) => s + r.n, 0) + toCc!.noReason).toBe(toCc!.n);
    expect(body.items.find((i) => i.from === 'claude-code' && i.to === 'cursor')).toMatchObject({
      n: 1,
      reasons: [{ aspect: 'limits', n: 1 }],
    });
    expect(body.items.find((i) => i.from === 'windsurf')).toMatchObject({ to: null, kind: 'switch', n: 1 });
    expect(body.items[0]).toBe(body.items.find((i) => i.n === 5));
  });

  it('serves net weekly moves per pair with a 95% Wilson interval on the share going a -> b', async () => {
    const body = await getJson<Matrix>(`/api/v1/flows?${WINDOW}&bucket=week`);
    const pair = body.net.find((p) => p.a === 'claude-code' && p.b === 'cursor')!;
    expect(pair).toMatchObject({ aToB: 1, bToA: 5, net: -4 });
    // Wilson 95% for 1 of 6: [0.0301, 0.5635] (worked by hand); six moves are too few to call a direction.
    expect(pair.shareLow).toBeCloseTo(0.0301, 3);
    expect(pair.shareHigh).toBeCloseTo(0.5635, 3);
    expect(pair).toMatchObject({ significant: false });
    expect(pair.series.map((s) => [s.bucketStart.slice(0, 10), s.aToB, s.bToA, s.net])).toEqual([
      ['2026-03-02', 0, 4, -4],
      ['2026-03-09', 1, 1, 0],
    ]);
    // The untracked side has no pair to net against.
    expect(body.net.some((p) => p.a === 'windsurf' || p.b === 'windsurf')).toBe(false);
  });

  it('narrows to one entity on either side and to one source', async () => {
    const windsurf = await getJson<Matrix>(`/api/v1/flows?${WINDOW}&entity=windsurf`);
    expect(windsurf.items.map((i) => [i.from, i.to, i.n])).toEqual([['windsurf', null, 1]]);
    const hn = await getJson<Matrix>(`/api/v1/flows?${WINDOW}&source=hn`);
    expect(hn.items.map((i) => [i.from, i.to, i.n, i.reasons])).toEqual([['cursor', 'claude-code', 1, [{ aspect: 'reliability', n: 1 }]]]);
  });

  it('refuses bad parameters with the parameter named, and unknown entities with 404', async () => {
    const reversed = await getJson<{ error: { code: string; message: string } }>('/api/v1/flows?from=2026-03-10&to=2026-03-01', 400);
    expect(reversed.error.message).toContain('from');
    expect((await getJson<{ error: { message: string } }>('/api/v1/flows?bucket=fortnight', 400)).error.message).toContain('bucket');
    expect((await getJson<{ error: { message: string } }>('/api/v1/flows?entity=Not_A_Slug', 400)).error.message).toContain('entity');
    expect((await getJson<{ error: { code: string } }>('/api/v1/flows?entity=no-such-tool', 404)).error.code).toBe('not_found');
  });
});

describe('GET /api/v1/flows/posts', () => {
  it('lists the posts behind one cell, newest first, with the statement located in the text', async () => {
    const page = await getJson<FlowPage>(`/api/v1/flows/posts?${WINDOW}&from_entity=cursor&to_entity=claude-code&kind=switch`);
    expect(page.items.map((p) => p.externalId)).toEqual(['c4', 'h1', 'c3', 'c2', 'c1']);
    for (const item of page.items) {
      expect(item.body.slice(item.start, item.end)).toBe(item.matchedText);
      expect(item.flow).toMatchObject({ from: 'cursor', to: 'claude-code', kind: 'switch', tier: 'rules' });
    }
    // Post text comes back as data, unchanged: escaping is the reader's job.
    expect(page.items.find((p) => p.externalId === 'h1')?.body).toContain('<img src=x onerror=alert(1)>');
  });

  it('reads none as the untracked side, filters by reason, and pages with a cursor', async () => {
    const cancelled = await getJson<FlowPage>(`/api/v1/flows/posts?${WINDOW}&from_entity=windsurf&to_entity=none`);
    expect(cancelled.items.map((p) => p.externalId)).toEqual(['x1']);
    const cost = await getJson<FlowPage>(`/api/v1/flows/posts?${WINDOW}&from_entity=cursor&reason=cost`);
    expect(cost.items.map((p) => p.externalId).sort()).toEqual(['c1', 'c2']);
    const first = await getJson<FlowPage>(`/api/v1/flows/posts?${WINDOW}&from_entity=cursor&limit=2`);
    expect(first.items).toHaveLength(2);
    const second = await getJson<FlowPage>(`/api/v1/flows/posts?${WINDOW}&from_entity=cursor&limit=2&cursor=${first.nextCursor}`);
    const third = await getJson<FlowPage>(`/api/v1/flows/posts?${WINDOW}&from_entity=cursor&limit=2&cursor=${second.nextCursor}`);
    expect([...first.items, ...second.items, ...third.items].map((p) => p.externalId)).toEqual(['c4', 'h1', 'c3', 'c2', 'c1']);
    expect(third.nextCursor).toBeNull();
  });

  it('says which tier read each flow, counts the LLM tier in each cell, and filters by tier', async () => {
    const { db } = database;
    await sql`UPDATE post_flows SET tier = 'llm' WHERE post_id IN (SELECT id FROM posts WHERE external_id IN ('c3', 'x1'))`.execute(db);
    try {
      const page = await getJson<FlowPage>(`/api/v1/flows/posts?${WINDOW}&from_entity=cursor&to_entity=claude-code&kind=switch`);
      expect(page.items.map((p) => [p.externalId, p.flow.tier])).toEqual([
        ['c4', 'rules'],
        ['h1', 'rules'],
        ['c3', 'llm'],
        ['c2', 'rules'],
        ['c1', 'rules'],
      ]);
      const llmPosts = await getJson<FlowPage>(`/api/v1/flows/posts?${WINDOW}&tier=llm`);
      expect(llmPosts.items.map((p) => p.externalId)).toEqual(['x1', 'c3']);
      const rulesPosts = await getJson<FlowPage>(`/api/v1/flows/posts?${WINDOW}&from_entity=cursor&tier=rules`);
      expect(rulesPosts.items.map((p) => p.externalId)).toEqual(['c4', 'h1', 'c2', 'c1']);

      const all = await getJson<Matrix & { tier: string | null }>(`/api/v1/flows?${WINDOW}`);
      expect(all.tier).toBeNull();
      const cell = (m: Matrix, from: string, to: string | null) => m.items.find((i) => i.from === from && i.to === to);
      expect(cell(all, 'cursor', 'claude-code')).toMatchObject({ n: 5, llm: 1 });
      expect(cell(all, 'claude-code', 'cursor')).toMatchObject({ n: 1, llm: 0 });
      expect(cell(all, 'windsurf', null)).toMatchObject({ n: 1, llm: 1 });

      const llm = await getJson<Matrix & { tier: string | null }>(`/api/v1/flows?${WINDOW}&tier=llm`);
      expect(llm.tier).toBe('llm');
      expect(llm.items.map((i) => [i.from, i.to, i.n, i.llm])).toEqual([
        ['cursor', 'claude-code', 1, 1],
        ['windsurf', null, 1, 1],
      ]);
      // c3 is the pair's only LLM-read move; net series count the filtered flows only.
      expect(llm.net.map((p) => [p.a, p.b, p.aToB, p.bToA])).toEqual([['claude-code', 'cursor', 0, 1]]);
      const rules = await getJson<Matrix>(`/api/v1/flows?${WINDOW}&tier=rules`);
      expect(cell(rules, 'cursor', 'claude-code')).toMatchObject({ n: 4, llm: 0 });
      expect(cell(rules, 'windsurf', null)).toBeUndefined();
    } finally {
      await sql`UPDATE post_flows SET tier = 'rules'`.execute(db);
    }
    expect((await getJson<{ error: { message: string } }>(`/api/v1/flows?tier=gpt`, 400)).error.message).toContain('tier');
    expect((await getJson<{ error: { message: string } }>(`/api/v1/flows/posts?tier=`, 400)).error.message).toContain('tier');
    type Schema = { properties?: Record<string, Schema>; allOf?: Schema[]; enum?: string[]; required?: string[] };
    const doc = (await (await app.request('/api/openapi.json')).json()) as { components: { schemas: Record<string, Schema> } };
    expect(doc.components.schemas.FlowTier?.enum).toEqual(['rules', 'llm']);
    const flow = doc.components.schemas.FlowPostItem?.allOf?.find((part) => part.properties)?.properties?.flow;
    expect(JSON.stringify(flow?.properties?.tier)).toContain('"$ref":"#/components/schemas/FlowTier"');
    expect(flow?.required).toContain('tier');
  });

  it('refuses a bad kind, a bad cursor and an unknown entity', async () => {
    expect((await getJson<{ error: { message: string } }>('/api/v1/flows/posts?kind=teleport', 400)).error.message).toContain('kind');
    expect((await getJson<{ error: { message: string } }>('/api/v1/flows/posts?cursor=notacursor!', 400)).error.message).toContain(
      'cursor',
    );
    await getJson('/api/v1/flows/posts?from_entity=no-such-tool', 404);
  });

  it('is documented in the OpenAPI document with its operation ids', async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as { paths: Record<string, { get?: { operationId?: string } }> };
    expect(doc.paths['/api/v1/flows']?.get?.operationId).toBe('listFlows');
    expect(doc.paths['/api/v1/flows/posts']?.get?.operationId).toBe('listFlowPosts');
    expect(JSON.stringify(doc.paths['/api/v1/flows'])).toContain('Wilson');
  });
});

describe('flows at rescore', () => {
  it("replaces a post's flows instead of adding to them, an LLM tier's flows by the rules' ones", async () => {
    const { db } = database;
    const count = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM post_flows`.execute(db)).rows[0]!.n;
    const before = await count();
    const c1 = (await sql<{ id: number }>`SELECT id FROM posts WHERE external_id = 'c1'`.execute(db)).rows[0]!.id;
    // A stale flow from an older analysis, and every post marked as scored by an older model.
    await sql`INSERT INTO post_flows (post_id, from_entity_id, to_entity_id, kind, reason, evidence, start_offset, end_offset, confidence, created_at, source, tier)
      SELECT ${c1}, id, NULL, 'switch', 'speed', 'stale', 0, 5, 0.5, '2026-03-02T00:00:00Z', 'reddit', 'llm' FROM entities WHERE slug = 'zed'`.execute(
      db,
    );
    await sql`UPDATE posts SET model_version = 'older'`.execute(db);
    await rescorePosts(db, null);
    expect(await count()).toBe(before);
    expect((await sql`SELECT 1 FROM post_flows WHERE evidence = 'stale'`.execute(db)).rows).toHaveLength(0);
    // Rescore reads with the rules only.
    expect((await sql<{ tier: string }>`SELECT DISTINCT tier FROM post_flows`.execute(db)).rows).toEqual([{ tier: 'rules' }]);
  });
});
