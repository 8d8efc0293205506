/**
 * Explanation cost: seeds mentions straight into the tables (no analysis), then times
 * explainEntityWindow over the last 7 days for every entity, and one digest of every entity.
 *
 *   npx tsx bench/explain.ts [--target embedded|server] [--entities 50] [--days 120] [--per-day 40]
 *
 * --per-day is mentions a day per entity; 30% of mentions carry an aspect.
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { buildDigest } from '../src/alerts/digest.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { explainEntityWindow } from '../src/db/queries/explain.ts';
import { createDataDir } from '../test/support/databases.ts';
import { startBenchPostgres } from './support/postgres.ts';

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'embedded' },
    entities: { type: 'string', default: '50' },
    days: { type: 'string', default: '120' },
    'per-day': { type: 'string', default: '40' },
  },
});
const entities = Number(values.entities);
const days = Number(values.days);
const perDay = Number(values['per-day']);
const DAY = 86_400_000;

async function seed(database: Database, end: Date): Promise<number> {
  const { db } = database;
  const total = entities * days * perDay;
  await sql`INSERT INTO entities (slug, name, kind) SELECT 'bench-' || i, 'Bench ' || i, 'tool' FROM generate_series(1, ${entities}::int) i`.execute(
    db,
  );
  // Spread evenly over [end - days, end); every entity gets every entities-th post.
  await sql`
    INSERT INTO posts (source, external_id, url, title, body, created_at, content_hash, comments)
    SELECT CASE WHEN g % 3 = 0 THEN 'reddit' ELSE 'hn' END, 'bench-' || g, 'https://example.test/' || g, 'post ' || g,
      'body of post ' || g || ' about the tool, long enough to cut an excerpt from',
      ${end.toISOString()}::timestamptz - ((${total}::int - g)::float8 / ${total}::int * ${days}::int) * interval '1 day', md5(g::text), g % 50
    FROM generate_series(1, ${total}::int) g`.execute(db);
  await sql`
    INSERT INTO mentions (post_id, entity_id, created_at, source, matched_text, start_offset, end_offset, label, score, confidence, model_version, engagement)
    SELECT p.id, e.id, p.created_at, p.source, 'x', 0, 1,
      CASE WHEN s > 0.2 THEN 'positive' WHEN s < -0.2 THEN 'negative' ELSE 'neutral' END, s, 0.9, 'bench', p.id % 100
    FROM posts p
    CROSS JOIN LATERAL (SELECT ((p.id * 7919) % 200) / 100.0 - 1 AS s) score
    JOIN entities e ON e.slug = 'bench-' || (p.id % ${entities}::int + 1)`.execute(db);
  await sql`
    INSERT INTO mention_aspects (post_id, entity_id, created_at, source, aspect, polarity, score, confidence, evidence, start_offset, end_offset)
    SELECT post_id, entity_id, created_at, source, (ARRAY['speed', 'pricing', 'rate_limits'])[post_id % 3 + 1], label, score, 0.8, 'x', 0, 1
    FROM mentions WHERE post_id % 10 < 3`.execute(db);
  await sql`ANALYZE`.execute(db);
  return total;
}

async function main(): Promise<void> {
  const server = values.target === 'server' ? await startBenchPostgres() : undefined;
  const dataDir = server ? undefined : createDataDir();
  const database = await openDatabase({ databaseUrl: server?.url, dataDir: dataDir?.dir ?? 'unused' });
  try {
    await migrate(database.db);
    const end = new Date();
    let started = performance.now();
    const total = await seed(database, end);
    console.log(
      `${values.target}: seeded ${total} mentions (${entities} entities x ${days} days x ${perDay}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const ids = (await sql<{ id: number }>`SELECT id FROM entities ORDER BY id`.execute(database.db)).rows.map((r) => r.id);
    const from = new Date(end.getTime() - 7 * DAY);
    const times: number[] = [];
    started = performance.now();
    for (const entityId of ids) {
      const one = performance.now();
      await explainEntityWindow(database.db, { entityId, from, to: end });
      times.push(performance.now() - one);
    }
    const all = performance.now() - started;
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!.toFixed(0);
    console.log(
      `explainEntityWindow, last 7 days (${7 * perDay} mentions each): ${ids.length} entities in ${(all / 1000).toFixed(2)} s; per entity p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`,
    );
    started = performance.now();
    const digest = await buildDigest(database.db, { from, to: end });
    console.log(
      `buildDigest, last 7 days, every entity: ${((performance.now() - started) / 1000).toFixed(2)} s (${digest.movers.length} movers, ${digest.posts.length} posts)`,
    );
  } finally {
    await database.close();
    dataDir?.remove();
    await server?.stop();
  }
}

await main();
