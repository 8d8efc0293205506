import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataDir } from '../../test/support/databases.ts';
import { startFakeUpstream, type FakeUpstream } from '../../test/support/fake-upstream.ts';
import { getFreePort } from '../../test/support/free-port.ts';
import { parseSettings } from '../config/settings.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { analysisVersion } from '../pipeline/analysis-version.ts';
import type { ConfiguredSource } from '../pipeline/sources.ts';
import { createDiscourseSource } from '../sources/discourse/source.ts';
import { createHnSource } from '../sources/hn/source.ts';
import { createMastodonSource } from '../sources/mastodon/source.ts';
import { createRssSource } from '../sources/rss/source.ts';
import { checkAnalysis, checkLlm, checkSources, type Check } from './doctor.ts';

describe('doctor: posts read by an older model', () => {
  const dataDir = createDataDir({ cluster: true });
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
    await migrate(database.db);
    for (const [id, version] of [
      ['a', analysisVersion()],
      ['b', 'devsent-6'],
      ['c', null],
    ] as const)
      await sql`
        INSERT INTO posts (source, external_id, body, created_at, content_hash, model_version, sentiment_label, sentiment_score, sentiment_confidence)
        VALUES ('hn', ${id}, 'Cursor is fine.', '2026-03-02T12:00:00Z', ${id}, ${version}, 'neutral', 0, 0.5)`.execute(database.db);
  });
  afterAll(async () => {
    await database.close();
    dataDir.remove();
  });

  it('warns with how many posts an older model (or none) read, and is ok once all are current', async () => {
    const checks: Check[] = [];
    await checkAnalysis(database.db, checks);
    expect(checks).toEqual([
      {
        name: 'analysis',
        state: 'warn',
        detail: `2 of 3 posts read by an older model than ${analysisVersion()}; \`vibecheck rescore\` re-reads them`,
      },
    ]);
    await sql`UPDATE posts SET model_version = ${analysisVersion()}`.execute(database.db);
    const after: Check[] = [];
    await checkAnalysis(database.db, after);
    expect(after).toEqual([{ name: 'analysis', state: 'ok', detail: `3 posts read by ${analysisVersion()}` }]);
  });
});

describe('doctor: sources of several hosts', () => {
  let upstream: FakeUpstream;
  beforeAll(async () => {
    upstream = await startFakeUpstream((request) => (request.path === '/feed.xml' ? { body: '<rss/>' } : { status: 404, body: 'no' }));
  });
  afterAll(async () => {
    await upstream?.close();
  });

  it('asks every feed, forum and instance, and names the ones that do not answer', async () => {
    const dead = `http://127.0.0.1:${await getFreePort()}`;
    const settings = parseSettings({ DATA_DIR: '/nonexistent' });
    const configured = (source: ConfiguredSource['source']): ConfiguredSource => ({ source, intervalMs: 900_000, enabled: true });
    const checks: Check[] = [];
    await checkSources(settings, checks, [
      // Any HTTP answer is an answer, a 404 included: the host is up.
      configured(createRssSource({ feeds: [`${upstream.url}/feed.xml`, `${upstream.url}/gone.xml`] })),
      configured(createDiscourseSource({ forums: [upstream.url, `${dead}/forum`] })),
      configured(createMastodonSource({ instances: [dead, `${dead}/b`, `${dead}/c`, `${dead}/d`, upstream.url] })),
      configured(createRssSource({ feeds: [] })),
      // A source of one host names its own probe too.
      configured(createHnSource({ baseUrl: upstream.url, firebaseUrl: null })),
    ]);
    expect(checks[0]).toEqual({ name: 'source rss', state: 'ok', detail: 'all 2 reachable, every 15 min' });
    expect(checks[1]).toMatchObject({ name: 'source discourse', state: 'warn' });
    expect(checks[1]!.detail).toMatch(new RegExp(`^1 of 2 unreachable: ${dead}/forum \\(.*ECONNREFUSED.*\\)$`));
    // At most three are named; the rest are counted.
    expect(checks[2]!.detail).toMatch(/^4 of 5 unreachable: .*; 1 more$/);
    expect(checks[2]!.detail).not.toContain(upstream.url);
    expect(checks[3]).toEqual({ name: 'source rss', state: 'warn', detail: 'skipped: no RSS/Atom feeds configured' });
    expect(checks[4]).toEqual({ name: 'source hn', state: 'ok', detail: 'reachable, every 15 min' });
    expect(upstream.requests.map((r) => r.path)).toContain('/search_by_date');
  });
});

describe('doctor: the LLM endpoint', () => {
  let upstream: FakeUpstream;
  const KEY = 'sk-doctor-never-shown-13579';
  beforeAll(async () => {
    upstream = await startFakeUpstream((request) => {
      if (request.path === '/v1/models' && request.headers.authorization !== `Bearer ${KEY}`) return { status: 401, body: { error: 'no' } };
      if (request.path === '/v1/models') return { body: { object: 'list', data: [{ id: 'qwen3:8b' }, { id: 'llama3' }] } };
      return { status: 404, body: 'no' };
    });
  });
  afterAll(async () => {
    await upstream?.close();
  });

  const check = async (env: Record<string, string>): Promise<Check> => {
    const checks: Check[] = [];
    await checkLlm(parseSettings(env), checks);
    expect(checks).toHaveLength(1);
    expect(checks[0]!.detail).not.toContain(KEY);
    return checks[0]!;
  };
  const at = (model: string, more: Record<string, string> = {}) => ({
    LLM_BASE_URL: `${upstream.url}/v1`,
    LLM_MODEL: model,
    LLM_API_KEY: KEY,
    ...more,
  });

  it('says the tiers are off without LLM_BASE_URL', async () => {
    expect(await check({})).toEqual({ name: 'llm', state: 'ok', detail: 'off (LLM_BASE_URL unset): the local models read every mention' });
  });

  it('is ok when the endpoint lists the model, and says what the tiers ask it about', async () => {
    expect(await check(at('qwen3:8b', { LLM_SENTIMENT: 'every', LLM_DAILY_BUDGET: '900' }))).toEqual({
      name: 'llm',
      state: 'ok',
      detail: `qwen3:8b at ${upstream.url}/v1: model listed; sentiment asks every mention, aspects unsure mentions, flows cued posts; 900 calls a day`,
    });
  });

  it('warns when the model is not listed, the key is refused, or nothing answers', async () => {
    expect(await check(at('gpt-9'))).toMatchObject({
      state: 'warn',
      detail: expect.stringMatching(/does not list gpt-9 \(it lists qwen3:8b, llama3\)/),
    });
    expect(await check(at('qwen3:8b', { LLM_API_KEY: 'sk-wrong-key-0000' }))).toMatchObject({
      state: 'warn',
      detail: expect.stringMatching(/refused the key \(401\): check LLM_API_KEY$/),
    });
    const dead = `http://127.0.0.1:${await getFreePort()}/v1`;
    expect(await check({ LLM_BASE_URL: dead, LLM_MODEL: 'm' })).toMatchObject({
      state: 'warn',
      detail: expect.stringMatching(/^m at .* unreachable: .*ECONNREFUSED.*; the local models answer alone$/),
    });
  });

  it('is ok when the endpoint keeps no model list', async () => {
    expect(await check({ LLM_BASE_URL: `${upstream.url}/other/v1`, LLM_MODEL: 'm' })).toMatchObject({
      state: 'ok',
      detail: expect.stringMatching(/: reachable, no model list \(404\);/),
    });
  });
});
