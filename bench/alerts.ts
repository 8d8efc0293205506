/**
 * Alert evaluation cost: seeds mentions straight into the tables (no analysis) with their rollups,
 * gives every entity a shift (mean), shift (net), aspect (share), spike and mention rule, then times
 * evaluateAlertRules per kind (the first judgement arms each rule), over all of them twice (the second
 * run is the steady state: nothing new), and the steady state per kind.
 *
 *   npx tsx bench/alerts.ts [--target embedded|server] [--entities 100] [--days 60] [--per-day 40]
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { evaluateAlertRules } from '../src/alerts/evaluate.ts';
import { addAlertRule } from '../src/alerts/manage.ts';
import { openDatabase } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { rebuildRollups } from '../src/db/queries/ingest.ts';
import { createDataDir } from '../test/support/databases.ts';
import { startBenchPostgres } from './support/postgres.ts';

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'embedded' },
    entities: { type: 'string', default: '100' },
    days: { type: 'string', default: '60' },
    'per-day': { type: 'string', default: '40' },
  },
});
const entities = Number(values.entities);
const days = Number(values.days);
const perDay = Number(values['per-day']);
const DAY = 86_400_000;

async function main(): Promise<void> {
  const server = values.target === 'server' ? await startBenchPostgres() : undefined;
  const dataDir = server ? undefined : createDataDir();
  const database = await openDatabase({ databaseUrl: server?.url, dataDir: dataDir?.dir ?? 'unused' });
  const { db } = database;
  try {
    await migrate(db);
    const end = new Date();
    const total = entities * days * perDay;
    let started = performance.now();
    await sql`INSERT INTO entities (slug, name, kind) SELECT 'bench-' || i, 'Bench ' || i, 'tool' FROM generate_series(1, ${entities}::int) i`.execute(
      db,
    );
    await sql`
      INSERT INTO posts (source, external_id, url, title, body, created_at, content_hash)
      SELECT CASE WHEN g % 3 = 0 THEN 'reddit' ELSE 'hn' END, 'bench-' || g, 'https://example.test/' || g, 'post ' || g,
        'body of post ' || g, ${end.toISOString()}::timestamptz - ((${total}::int - g)::float8 / ${total}::int * ${days}::int) * interval '1 day', md5(g::text)
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
    await rebuildRollups(db, new Date(end.getTime() - (days + 1) * DAY), new Date(end.getTime() + DAY));
    await sql`ANALYZE`.execute(db);
    console.log(
      `${values.target}: seeded ${total} mentions (${entities} entities x ${days} days x ${perDay}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    const slugs = (await sql<{ slug: string }>`SELECT slug FROM entities ORDER BY id`.execute(db)).rows.map((r) => r.slug);
    const channel = 'http://127.0.0.1:9/unused';
    for (const entity of slugs) {
      await addAlertRule(db, { kind: 'shift', entity, channel });
      await addAlertRule(db, { kind: 'shift', entity, channel, metric: 'net' });
      await addAlertRule(db, { kind: 'aspect', entity, channel });
      await addAlertRule(db, { kind: 'spike', entity, channel });
      await addAlertRule(db, { kind: 'mention', entity, channel, include: ['outage'] });
    }
    const rules = await sql<{ id: number; kind: string }>`SELECT id, kind FROM alert_rules ORDER BY id`.execute(db);
    for (const kind of ['shift', 'aspect', 'spike', 'mention']) {
      const ruleIds = rules.rows.filter((r) => r.kind === kind).map((r) => r.id);
      started = performance.now();
      await evaluateAlertRules(db, { publicUrl: 'http://127.0.0.1:8080', ruleIds });
      console.log(`  ${kind}: ${ruleIds.length} rules in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    }
    for (const run of ['first', 'second']) {
      started = performance.now();
      const fired = await evaluateAlertRules(db, { publicUrl: 'http://127.0.0.1:8080' });
      console.log(
        `evaluateAlertRules, ${run} run: ${slugs.length * 5} rules of ${slugs.length} entities in ${((performance.now() - started) / 1000).toFixed(2)} s (${fired.length} alerts)`,
      );
    }
    // The steady state per kind: every rule already judged once, nothing new.
    for (const kind of ['shift', 'aspect', 'spike', 'mention']) {
      const ruleIds = rules.rows.filter((r) => r.kind === kind).map((r) => r.id);
      started = performance.now();
      await evaluateAlertRules(db, { publicUrl: 'http://127.0.0.1:8080', ruleIds });
      console.log(`  steady ${kind}: ${ruleIds.length} rules in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    }
  } finally {
    await database.close();
    dataDir?.remove();
    await server?.stop();
  }
}

await main();
