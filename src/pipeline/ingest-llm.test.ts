import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../test/support/fake-upstream.ts';
import { createDataDir } from '../../test/support/databases.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { createLlmAspectTier, createLruAspectCache } from '../understand/aspects/index.ts';
import { seedEntities } from './entities.ts';
import { createIngestor } from './ingest.ts';

/** The rules tier finds a weak "performance" reading here and flags it as unsure. */
const UNSURE = 'I think Cursor is kind of weird lately, hard to say why, the whole thing feels off to me.';
const CLEAR = 'Cursor is blazing fast and the pricing is fair.';

describe('the optional LLM aspect tier inside ingest', () => {
  let upstream: FakeUpstream;
  let database: Database;
  const dataDir = createDataDir();

  beforeAll(async () => {
    upstream = await startFakeUpstream(() => ({
      body: {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'fake',
        choices: [
          {
            index: 0,
            finish_reason: 'stop',
            message: { role: 'assistant', content: JSON.stringify({ aspects: [{ aspect: 'ux', polarity: 'negative', evidence: 'the whole thing feels off' }] }) },
          },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      },
    }));
    database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
    await migrate(database.db);
    await seedEntities(database.db);
  });
  afterAll(async () => {
    await database.close();
    await upstream.close();
    dataDir.remove();
  });

  it('asks the endpoint only about unsure mentions and stores its answer as tier llm', async () => {
    const tier = createLlmAspectTier({
      baseUrl: `${upstream.url}/v1`,
      apiKey: 'test',
      model: 'fake',
      dailyBudget: 10,
      timeoutMs: 2_000,
      maxRetries: 0,
      cache: createLruAspectCache(100),
    });
    const ingestor = await createIngestor(database.db, { aspectTier: tier });
    await ingestor.ingest({
      posts: [
        { source: 'hn', externalId: 'u1', url: null, author: null, title: null, body: UNSURE, createdAt: new Date('2026-03-01T00:00:00Z'), score: null, comments: null, parentId: null, threadId: null },
        { source: 'hn', externalId: 'c1', url: null, author: null, title: null, body: CLEAR, createdAt: new Date('2026-03-01T00:00:00Z'), score: null, comments: null, parentId: null, threadId: null },
      ],
    });
    expect(upstream.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(1);
    const rows = await sql<{ external_id: string; aspect: string; polarity: string; tier: string }>`
      SELECT p.external_id, a.aspect, a.polarity, a.tier FROM mention_aspects a JOIN posts p ON p.id = a.post_id
      JOIN entities e ON e.id = a.entity_id WHERE e.slug = 'cursor' ORDER BY 1, 2`.execute(database.db);
    expect(rows.rows.filter((r) => r.external_id === 'u1')).toEqual([{ external_id: 'u1', aspect: 'ux', polarity: 'negative', tier: 'llm' }]);
    expect(rows.rows.filter((r) => r.external_id === 'c1').every((r) => r.tier === 'rules')).toBe(true);
    expect(rows.rows.filter((r) => r.external_id === 'c1').length).toBeGreaterThan(0);
  });

  it('keeps the rules answer when the endpoint fails', async () => {
    upstream.setHandler(() => ({ status: 500, body: 'down' }));
    const tier = createLlmAspectTier({ baseUrl: `${upstream.url}/v1`, apiKey: 'test', model: 'fake', dailyBudget: 10, timeoutMs: 2_000, maxRetries: 0 });
    const ingestor = await createIngestor(database.db, { aspectTier: tier });
    const result = await ingestor.ingest({
      posts: [{ source: 'hn', externalId: 'u2', url: null, author: null, title: null, body: `Still true a day later: ${UNSURE}`, createdAt: new Date('2026-03-02T00:00:00Z'), score: null, comments: null, parentId: null, threadId: null }],
    });
    expect(result.stored).toBe(1);
    const rows = await sql<{ tier: string }>`
      SELECT a.tier FROM mention_aspects a JOIN posts p ON p.id = a.post_id WHERE p.external_id = 'u2'`.execute(database.db);
    expect(rows.rows.length).toBeGreaterThan(0);
    expect(rows.rows.every((r) => r.tier === 'rules')).toBe(true);
  });
});
