import { Readable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTarget, describeOnBothTargets } from '../../test/support/targets.ts';
import type { Database } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import type { DB } from '../db/schema.ts';
import { seedEntities } from './entities.ts';
import { importPosts } from './import-posts.ts';
import { createIngestor } from './ingest.ts';

const TOOLS = ['Claude Code', 'Cursor', 'GitHub Copilot', 'Gemini CLI', 'Aider', 'Windsurf'];
const VERDICTS = ['is great at refactoring', 'keeps crashing on big repos', 'got too expensive', 'is fine, nothing special'];

/** 1,700 lines: four batches and a part, with a re-sent post, a repost of earlier text and bad lines. */
function lines(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 1_700; i++) {
    const body = `${TOOLS[i % TOOLS.length]} ${VERDICTS[i % VERDICTS.length]}, and ${TOOLS[(i + 2) % TOOLS.length]} ${VERDICTS[(i + 1) % VERDICTS.length]} (post ${i}).`;
    const createdAt = new Date(Date.UTC(2026, 2, 1) + i * 1_800_000).toISOString();
    out.push(JSON.stringify({ source: i % 3 ? 'hn' : 'reddit', externalId: String(i), body, createdAt, score: i % 50 }));
  }
  // A post of the first batch sent again in the fourth, and the first post's words reposted in the fourth.
  out[1_600] = out[10]!;
  out[1_601] = JSON.stringify({ ...JSON.parse(out[0]!), source: 'lobsters', externalId: 'repost' });
  out[1_602] = '{"source": "hn", "externalId":';
  return out;
}

/** Everything the import stored, in a stable order, ids left out (they depend on insert order). */
async function snapshot(db: Kysely<DB>) {
  const posts = await sql`
    SELECT p.source, p.external_id, p.sentiment_label, p.sentiment_score, o.external_id AS duplicate_of
    FROM posts p LEFT JOIN posts o ON o.id = p.duplicate_of ORDER BY 1, 2`.execute(db);
  const mentions = await sql`
    SELECT p.source, p.external_id, m.entity_id, m.label, m.score, m.start_offset, m.direct
    FROM mentions m JOIN posts p ON p.id = m.post_id ORDER BY 1, 2, 3`.execute(db);
  const aspects = await sql`
    SELECT p.source, p.external_id, a.entity_id, a.aspect, a.polarity, a.evidence
    FROM mention_aspects a JOIN posts p ON p.id = a.post_id ORDER BY 1, 2, 3, 4`.execute(db);
  const hourly = await sql`
    SELECT entity_id, bucket, source, n, positive, negative, round(weighted_score_sum::numeric, 6) AS w
    FROM sentiment_rollups ORDER BY 1, 2, 3`.execute(db);
  const daily = await sql`
    SELECT entity_id, day, source, n, round(score_sum::numeric, 6) AS s FROM sentiment_rollups_daily ORDER BY 1, 2, 3`.execute(db);
  return { posts: posts.rows, mentions: mentions.rows, aspects: aspects.rows, hourly: hourly.rows, daily: daily.rows };
}

async function importInto(db: Kysely<DB>, analysisThreads: number, concurrentCommits = 1) {
  await migrate(db);
  await seedEntities(db);
  const ingestor = await createIngestor(db, { analysisThreads });
  try {
    return await importPosts(Readable.from(lines().map((l) => `${l}\n`)), ingestor, { batchSize: 500, concurrentCommits });
  } finally {
    await ingestor.close();
  }
}

describeOnBothTargets('importing with analysis in worker threads and concurrent commits', (get, target) => {
  let inline: Awaited<ReturnType<typeof createTarget>>;
  let inlineDb: Database;
  beforeAll(async () => {
    inline = await createTarget(target().name);
    inlineDb = await inline.open();
  });
  afterAll(async () => {
    await inlineDb?.close();
    await inline?.cleanup();
  });

  it('stores exactly what one thread committing one batch at a time stores, reposts pointing back in input order', async () => {
    const threaded = await importInto(get().db, 2, 2);
    const mainThread = await importInto(inlineDb.db, 0);
    expect(threaded).toEqual(mainThread);
    // The re-sent post and the repost count as duplicates.
    expect(threaded).toMatchObject({ read: 1_700, stored: 1_697, duplicates: 2, rejected: 1 });
    expect(threaded.errors).toEqual([{ line: 1_603, message: expect.stringMatching(/^invalid JSON/) }]);
    const a = await snapshot(get().db);
    expect(a).toEqual(await snapshot(inlineDb.db));
    expect(a.mentions.length).toBeGreaterThan(3_000);
    expect(a.aspects.length).toBeGreaterThan(1_000);
    // The repost in the fourth batch points at the first post, stored three batches before it.
    expect(a.posts.find((p) => (p as { external_id: string }).external_id === 'repost')).toMatchObject({ duplicate_of: '0' });
  });

  it('imports the same file again without storing or counting anything twice', async () => {
    const before = await snapshot(get().db);
    const again = await importInto(get().db, 2, 2);
    expect(again).toMatchObject({ read: 1_700, stored: 0, duplicates: 1_699, rejected: 1 });
    expect(await snapshot(get().db)).toEqual(before);
  });
});
