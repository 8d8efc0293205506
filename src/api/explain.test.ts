import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatEndpoint, chatClient } from '../../test/support/chat-endpoint.ts';
import { createDataDir } from '../../test/support/databases.ts';
import { insertTestEntity, insertTestMention } from '../../test/support/mentions.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { upsertEvent } from '../db/queries/events.ts';
import { rebuildRollups } from '../db/queries/ingest.ts';
import { migrate } from '../db/migrate.ts';
import { createExplanationSummarizer } from '../understand/summary/explanation-summary.ts';
import { createApp, type App } from './app.ts';
import { Explanation } from './views/explain.ts';
import { SILENT_LOG } from '../../test/support/admin-app.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const now = Date.now();
const today = Math.floor(now / DAY) * DAY;
const daysAgo = (days: number, hour = 12) => new Date(today - days * DAY + hour * HOUR).toISOString();

let database: Database;
let dataDir: ReturnType<typeof createDataDir>;
let app: App;
const ids = { spike: 0, release: 0, orphan: 0 };
let angry = 0;

beforeAll(async () => {
  dataDir = createDataDir({ cluster: true });
  database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
  await migrate(database.db);
  const { db } = database;
  const alpha = await insertTestEntity(db, 'alpha');
  await insertTestEntity(db, 'quiet');
  // The week before: mildly positive. This week: two fine posts and one angry reddit thread about pricing.
  for (const d of [8, 9, 10, 11]) await insertTestMention(db, alpha, { at: daysAgo(d), score: 0.5, label: 'positive' });
  await insertTestMention(db, alpha, { at: daysAgo(9, 15), score: 0.3, label: 'positive' });
  await insertTestMention(db, alpha, { at: daysAgo(3), score: 0.4, label: 'positive' });
  await insertTestMention(db, alpha, { at: daysAgo(2), score: 0.5, label: 'positive', source: 'reddit' });
  angry = await insertTestMention(db, alpha, {
    at: daysAgo(1),
    score: -1,
    label: 'negative',
    source: 'reddit',
    engagement: 30,
    title: 'Pricing <script>alert(1)</script> is a joke',
    aspects: [{ aspect: 'pricing', polarity: 'negative', score: -1 }],
  });
  await rebuildRollups(db, new Date(now - 30 * DAY), new Date(now + DAY));
  const event = async (
    entityId: number | null,
    kind: 'spike' | 'release' | 'note',
    occurredAt: string,
    details: Record<string, unknown> = {},
  ) =>
    (
      await upsertEvent(db, {
        entityId,
        kind,
        source: 'manual',
        externalId: `${kind}-${occurredAt}`,
        title: kind,
        url: null,
        body: null,
        occurredAt: new Date(occurredAt),
        details,
      })
    ).id;
  ids.spike = await event(alpha, 'spike', daysAgo(1, 0), {
    spikeKind: 'negativity',
    direction: 'up',
    value: 1,
    baseline: 0,
    zScore: 4.2,
    bucket: 'day',
    topPostIds: [angry],
  });
  ids.release = await event(alpha, 'release', daysAgo(4, 0));
  ids.orphan = await event(null, 'note', daysAgo(4, 0));
  app = createApp({
    db,
    settings: { adminToken: 'explain-admin-token', corsOrigins: [] },
    log: SILENT_LOG,
    sources: [],
    checkReady: async () => ({ ready: true }),
  });
});

afterAll(async () => {
  await database.close();
  dataDir.remove();
});

type Json = Record<string, unknown>;
async function getJson(path: string, status = 200): Promise<Json> {
  const res = await app.request(path);
  expect(res.status, `${path}: ${res.status}`).toBe(status);
  return (await res.json()) as Json;
}
async function expectError(path: string, status: number, message: RegExp): Promise<void> {
  const body = (await getJson(path, status)) as { error: { code: string; message: string } };
  expect(body.error.message).toMatch(message);
}

describe('GET /api/v1/entities/{slug}/explain', () => {
  it('explains the last 7 days by default, in exactly the documented shape', async () => {
    const body = await getJson('/api/v1/entities/alpha/explain');
    // Parsing strips what the schema does not name, so equality means nothing undocumented went out.
    expect(Explanation.parse(body)).toEqual(body);
    const explanation = Explanation.parse(body);
    const to = Date.parse(explanation.window.to);
    expect(Math.abs(to - Date.now())).toBeLessThan(60_000);
    expect(to - Date.parse(explanation.window.from)).toBe(7 * DAY);
    expect(explanation.previousWindow.to).toBe(explanation.window.from);
    expect(explanation.window.n).toBe(3);
    expect(explanation.previousWindow.n).toBe(5);
    expect(explanation.change).toMatchObject({ measure: 'score', direction: 'down' });
    expect(explanation.posts[0]).toMatchObject({ postId: angry, source: 'reddit', label: 'negative', aspects: ['pricing'] });
    // Post text goes out as data; escaping is each renderer's job.
    expect(explanation.posts[0]!.title).toBe('Pricing <script>alert(1)</script> is a joke');
    expect(explanation.aspects[0]!.aspect).toBe('pricing');
    expect(explanation.sources[0]!.source).toBe('reddit');
    expect(explanation.events.map((e) => e.id)).toEqual([ids.release]);
    expect(explanation.headline).toMatch(/^alpha: sentiment fell from \+0\.\d\d to /);
    expect(explanation.summary).toBeNull();
  });

  it('takes from, to and source', async () => {
    const body = Explanation.parse(await getJson(`/api/v1/entities/alpha/explain?from=${daysAgo(3, 0)}&to=${daysAgo(0, 0)}&source=reddit`));
    expect(body.window).toMatchObject({ from: daysAgo(3, 0), to: daysAgo(0, 0), n: 2, days: 3 });
    expect(body.source).toBe('reddit');
    expect(body.sources.map((s) => s.source)).toEqual(['reddit']);
  });

  it('answers an entity without mentions with empty windows, not an error', async () => {
    const body = Explanation.parse(await getJson('/api/v1/entities/quiet/explain'));
    expect(body.window.n).toBe(0);
    expect(body.change).toMatchObject({ direction: 'flat', change: null, significant: false });
    expect(body.posts).toEqual([]);
    expect(body.headline).toBe('quiet: no mentions in the window (0 before)');
  });

  it('refuses bad parameters with 400 naming them, and an unknown entity with 404', async () => {
    await expectError('/api/v1/entities/alpha/explain?from=yesterday', 400, /^from: /);
    await expectError('/api/v1/entities/alpha/explain?to=2026-02-30', 400, /^to: /);
    await expectError(`/api/v1/entities/alpha/explain?from=${daysAgo(1)}&to=${daysAgo(3)}`, 400, /^from: must be before to/);
    await expectError('/api/v1/entities/alpha/explain?from=1999-01-01&to=1999-02-01', 400, /^from: must not be before/);
    await expectError('/api/v1/entities/alpha/explain?source=HN!', 400, /^source: /);
    await expectError('/api/v1/entities/Alpha!/explain', 400, /^slug: /);
    await expectError('/api/v1/entities/nobody/explain', 404, /^no entity with slug "nobody"/);
  });
});

describe('GET /api/v1/events/{id}/explain', () => {
  it('explains a spike by its own day against the detector baseline', async () => {
    const body = await getJson(`/api/v1/events/${ids.spike}/explain`);
    expect(Explanation.parse(body)).toEqual(body);
    const explanation = Explanation.parse(body);
    expect(explanation.event).toMatchObject({ id: ids.spike, kind: 'spike', entity: 'alpha', details: { zScore: 4.2 } });
    expect(explanation.window).toMatchObject({ from: daysAgo(1, 0), days: 1, n: 1 });
    expect(explanation.previousWindow.days).toBe(28);
    expect(explanation.change).toMatchObject({ measure: 'negativeShare', direction: 'up', negativeShare: 1 });
    expect(explanation.posts.map((p) => p.postId)).toEqual([angry]);
    expect(explanation.headline).toMatch(
      /^alpha: negative share rose from 0% to 100% \(spike, z = 4\.2\), driven by reddit; pricing complaints up$/,
    );
  });

  it('explains a release by the week from it against the week before', async () => {
    const explanation = Explanation.parse(await getJson(`/api/v1/events/${ids.release}/explain`));
    expect(explanation.window.from).toBe(daysAgo(4, 0));
    expect(explanation.previousWindow).toMatchObject({ from: daysAgo(11, 0), days: 7 });
    expect(explanation.events.map((e) => e.id)).not.toContain(ids.release);
  });

  it('refuses a malformed id and an event of no entity with 400, an unknown one with 404', async () => {
    await expectError('/api/v1/events/abc/explain', 400, /^id: expected an event id/);
    await expectError('/api/v1/events/0/explain', 400, /^id: /);
    await expectError('/api/v1/events/99999999999999999/explain', 400, /^id: /);
    await expectError(`/api/v1/events/${ids.orphan}/explain`, 400, /^id: event \d+ belongs to no entity/);
    await expectError('/api/v1/events/987654/explain', 404, /^no event with id 987654/);
  });
});

describe('OpenAPI document', () => {
  it('documents both routes with an operationId, a summary and their errors, and stays valid', async () => {
    const doc = (await getJson('/api/openapi.json')) as {
      paths: Record<string, Record<string, { operationId?: string; summary?: string; responses: Json }>>;
    };
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
    for (const [path, operationId] of [
      ['/api/v1/entities/{slug}/explain', 'explainEntityWindow'],
      ['/api/v1/events/{id}/explain', 'explainEvent'],
    ] as const) {
      const operation = doc.paths[path]?.get;
      expect(operation?.operationId, path).toBe(operationId);
      expect(operation?.summary).toBeTruthy();
      expect(Object.keys(operation!.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '429']));
    }
  });
});

describe("the LLM tier's summary of an explanation", () => {
  it("adds two sentences written from the explanation's own posts, citing them", async () => {
    // An OpenAI-compatible endpoint that cites the first post it was sent.
    const chat = await startChatEndpoint(({ body }) => {
      const first = Number(/\[post (\d+),/.exec(body.messages[1]!.content)?.[1]);
      return {
        content: JSON.stringify({
          sentences: [
            { text: 'One reddit thread calls the pricing a joke', posts: [first] },
            { text: 'Other posts stay mildly positive.', posts: [first] },
          ],
        }),
      };
    });
    const prompts = () => chat.requests.map((r) => r.body.messages[1]!.content);
    try {
      const endpoint = chatClient(chat, { apiKey: 'k', model: 'summary-model', dailyBudget: 10 });
      const withTier = createApp({
        db: database.db,
        settings: { adminToken: 'explain-admin-token', corsOrigins: [] },
        log: SILENT_LOG,
        sources: [],
        checkReady: async () => ({ ready: true }),
        summarizer: createExplanationSummarizer({ endpoint }),
      });
      const body = (await (await withTier.request('/api/v1/entities/alpha/explain')).json()) as Json;
      expect(Explanation.parse(body)).toEqual(body);
      const explanation = Explanation.parse(body);
      expect(explanation.summary).toEqual({
        text: 'One reddit thread calls the pricing a joke. Other posts stay mildly positive.',
        postIds: [angry],
        model: 'summary-model',
      });
      expect(prompts()[0]).toContain(`[post ${angry}, negative]`);
      // An explanation without posts asks nothing and carries no summary.
      expect(Explanation.parse(await (await withTier.request('/api/v1/entities/quiet/explain')).json()).summary).toBeNull();
      expect(prompts()).toHaveLength(1);
    } finally {
      await chat.close();
    }
  });
});
