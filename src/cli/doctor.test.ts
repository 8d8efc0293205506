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
import { checkAnalysis, checkSources, type Check } from './doctor.ts';

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
