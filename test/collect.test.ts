import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { seedEntities } from '../src/pipeline/entities.ts';
import { BIN, REPO_ROOT, runCli } from './support/cli.ts';
import { createDataDir } from './support/databases.ts';
import { startFakeUpstream, type FakeRequest, type FakeUpstream } from './support/fake-upstream.ts';

const WINDOW_START = Date.parse('2026-02-01T00:00:00Z') / 1000;
const WINDOW_END = Date.parse('2026-03-01T00:00:00Z') / 1000;
const TOTAL = 2_400;

interface Hit {
  objectID: string;
  created_at_i: number;
  created_at: string;
  _tags: string[];
  author: string;
  comment_text: string;
  story_id: number;
  parent_id: number;
}

/** Comments spread over February, every one about Claude Code. */
const HITS: Hit[] = Array.from({ length: TOTAL }, (_, i) => {
  const t = WINDOW_END - 1 - Math.floor((i * (WINDOW_END - WINDOW_START)) / TOTAL);
  return {
    objectID: String(9_000_000 + i),
    created_at_i: t,
    created_at: new Date(t * 1000).toISOString(),
    _tags: ['comment', `author_u${i % 50}`, 'story_8000000'],
    author: `u${i % 50}`,
    comment_text: `Claude Code ${i % 3 === 0 ? 'is great' : i % 3 === 1 ? 'keeps failing' : 'has a new release'} &amp; comment number ${i}`,
    story_id: 8_000_000,
    parent_id: 8_000_000,
  };
});

/** search_by_date as Algolia answers it: phrase match, created_at_i filters, newest first, pages. */
function algolia(request: FakeRequest) {
  if (request.path !== '/search_by_date') return { status: 404, body: { message: 'not found' } };
  const phrase = (request.query.get('query') ?? '').replace(/"/g, '').toLowerCase();
  const filters = (request.query.get('numericFilters') ?? '').split(',').filter(Boolean);
  const perPage = Number(request.query.get('hitsPerPage') ?? 20);
  const page = Number(request.query.get('page') ?? 0);
  const matching = HITS.filter((h) => h.comment_text.toLowerCase().includes(phrase)).filter((h) =>
    filters.every((f) => {
      const [, op, raw] = /^created_at_i(>=|<=|>|<|=)(\d+)$/.exec(f) ?? [];
      const v = Number(raw);
      const t = h.created_at_i;
      return op === '>=' ? t >= v : op === '<=' ? t <= v : op === '>' ? t > v : op === '<' ? t < v : t === v;
    }),
  );
  const hits = matching.slice(page * perPage, Math.min((page + 1) * perPage, 1000));
  return {
    delayMs: 150,
    body: {
      hits,
      nbHits: matching.length,
      page,
      nbPages: Math.ceil(Math.min(matching.length, 1000) / perPage),
      hitsPerPage: perPage,
      exhaustiveNbHits: true,
      query: phrase,
      params: '',
      processingTimeMS: 1,
    },
  };
}

describe('collecting from a real HTTP upstream', () => {
  let upstream: FakeUpstream;
  const dataDir = createDataDir({ cluster: true });
  let env: Record<string, string>;

  beforeAll(async () => {
    upstream = await startFakeUpstream(algolia);
    env = { DATA_DIR: dataDir.dir, VIBECHECK_HN_URL: upstream.url, VIBECHECK_HN_FIREBASE_URL: upstream.url };
    // Track two entities only, so a pass over the upstream takes seconds; removals survive restarts.
    const database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
    await migrate(database.db);
    await seedEntities(database.db);
    await sql`UPDATE entities SET removed_at = now(), user_modified = true WHERE slug NOT IN ('claude-code', 'anthropic')`.execute(
      database.db,
    );
    await database.close();
  });
  afterAll(async () => {
    await upstream.close();
    dataDir.remove();
  });

  const countStored = async (): Promise<{ posts: number; distinct: number; mentions: number }> => {
    const database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
    try {
      const row = await sql<{ posts: number; distinct: number; mentions: number }>`
        SELECT count(*)::int AS posts, count(DISTINCT external_id)::int AS "distinct",
               (SELECT count(*)::int FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE e.slug = 'claude-code') AS mentions
        FROM posts WHERE source = 'hn'`.execute(database.db);
      return row.rows[0]!;
    } finally {
      await database.close();
    }
  };

  // Three CLI runs and three opens of the database: past the default 60 s on a busy 2-core machine.
  it('a backfill killed with SIGKILL mid-run resumes its window and stores every post exactly once', { timeout: 180_000 }, async () => {
    const child = spawn(process.execPath, [BIN, 'backfill', '--source', 'hn', '--since', '2026-02-01', '--until', '2026-03-01'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ? -1 : code)));
    // Let it commit a few pages, then kill it in the middle of the walk.
    const deadline = Date.now() + 60_000;
    while (upstream.requests.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    expect(await exited).toBe(-1);

    const partial = await countStored();
    expect(partial.posts).toBeGreaterThan(0);
    expect(partial.posts).toBeLessThan(TOTAL);

    // Without --until the killed run's window is resumed, not a new one ending now.
    const resumed = await runCli(['backfill', '--source', 'hn', '--since', '2026-02-01', '--json'], env);
    expect(resumed.stderr).not.toMatch(/error/i);
    expect(resumed.stderr).toMatch(/^resuming the unfinished backfill of hn from 2026-02-01T00:00:00\.000Z to 2026-03-01T00:00:00\.000Z$/m);
    expect(resumed.code).toBe(0);
    const final = await countStored();
    expect(final).toEqual({ posts: TOTAL, distinct: TOTAL, mentions: TOTAL });

    // Running it again finds the window finished: nothing new, nothing twice.
    const again = await runCli(['backfill', '--source', 'hn', '--since', '2026-02-01', '--until', '2026-03-01', '--json'], env);
    expect(JSON.parse(again.stdout).sources.hn.stored).toBe(0);
    expect(await countStored()).toEqual(final);
  });

  it('collect --once --json prints the per-source summary and records a failing source without stopping the others', async () => {
    upstream.setHandler(() => ({ status: 500, body: 'upstream is down' }));
    const result = await runCli(['collect', '--source', 'hn', '--source', 'bluesky', '--once', '--json'], env);
    upstream.setHandler(algolia);
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as { sources: Record<string, Record<string, unknown>> };
    expect(Object.keys(summary.sources).sort()).toEqual(['bluesky', 'hn']);
    expect(summary.sources.bluesky).toMatchObject({ skipped: expect.stringMatching(/BLUESKY_HANDLE/), error: null, stored: 0 });
    expect(summary.sources.hn).toMatchObject({ skipped: null, error: expect.stringMatching(/HTTP (500|404)/), stored: 0 });
    for (const key of ['fetched', 'stored', 'duplicates', 'rejected', 'skipped', 'error']) expect(summary.sources.hn).toHaveProperty(key);

    const doctor = await runCli(['doctor'], env);
    expect(doctor.stdout).toMatch(/^warn runs hn .*\(failed\).*error: HTTP/m);
    expect(doctor.stdout).toMatch(/^ok +runs bluesky .*\(skipped\)/m);
  });
});
