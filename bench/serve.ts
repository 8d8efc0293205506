// Serving latency: a 90-day daily series, a 1-year weekly series and the entities overview through the
// HTTP API (rollups), beside the same answers computed by GROUP BY over the raw mentions in the same run.
//
//   npm run bench -- serve                                   10M mentions on a PostgreSQL server
//   BENCH_TARGET=embedded BENCH_MENTIONS=1000000 npm run bench -- serve
//   BENCH_REQUESTS=100 BENCH_RAW_REQUESTS=10 ...             samples per measurement
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createApp } from '../src/api/app.ts';
import { startHttpServer } from '../src/api/server.ts';
import { planSeriesWindow } from '../src/core/series-window.ts';
import { computeMentionSums, summarize } from '../src/core/stats.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { addToRollups, rebuildRollups, type RollupDelta } from '../src/db/queries/ingest.ts';
import { getBucketSums, getBucketSumsFromMentions } from '../src/db/queries/series.ts';
import { startBenchPostgres } from './support/postgres.ts';

const TARGET = (process.env.BENCH_TARGET ?? 'server') as 'server' | 'embedded';
const MENTIONS = Number(process.env.BENCH_MENTIONS ?? (TARGET === 'server' ? 10_000_000 : 1_000_000));
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const RAW_REQUESTS = Number(process.env.BENCH_RAW_REQUESTS ?? 20);
const ENTITIES = 50;
const DAY = 86_400_000;
const NOW = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
const SPAN_DAYS = 730;

const log = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timed<T>(label: string, body: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await body();
  log(`  ${label.padEnd(44)} ${seconds(performance.now() - start)}`);
  return result;
}

/** Two mentions a post, of two different entities; popularity skewed so entities differ in volume. */
async function generate(database: Database): Promise<void> {
  const { db } = database;
  const posts = Math.ceil(MENTIONS / 2);
  await timed(`${ENTITIES} entities`, () =>
    sql`INSERT INTO entities (slug, name, kind)
        SELECT 'bench-' || g, 'Bench ' || g, (ARRAY['model', 'tool', 'vendor'])[1 + g % 3] FROM generate_series(1, ${ENTITIES}) g`.execute(
      db,
    ),
  );
  await timed(`${posts.toLocaleString()} posts`, () =>
    sql`INSERT INTO posts (id, source, external_id, body, created_at, content_hash)
        SELECT g, (ARRAY['hn', 'reddit', 'github', 'devto'])[1 + g % 4], g::text, 'post ' || g,
               ${NOW.toISOString()}::timestamptz - ((hashint4(g)::bigint & 2147483647) % (${SPAN_DAYS} * 86400)) * interval '1 second',
               g::text
        FROM generate_series(1, ${posts}) g`.execute(db),
  );
  await timed(`${MENTIONS.toLocaleString()} mentions`, () =>
    sql`INSERT INTO mentions (post_id, entity_id, created_at, source, matched_text, start_offset, end_offset, label, score,
                              confidence, model_version, engagement)
        SELECT p.id, e.id, p.created_at, p.source, 'x', 0, 1,
               CASE WHEN s > 0.2 THEN 'positive' WHEN s < -0.2 THEN 'negative' ELSE 'neutral' END, s, 0.8, 'bench',
               (abs(hashint4(p.id::int * 3 + k)) % 1000) * (abs(hashint4(p.id::int * 3 + k)) % 1000) / 2000
        FROM posts p
        CROSS JOIN generate_series(0, 1) k
        CROSS JOIN LATERAL (SELECT round(((abs(hashint4(p.id::int * 7 + k)) % 2001) / 1000.0 - 1)::numeric, 3)::real AS s) sc
        JOIN entities e ON e.slug = 'bench-' || (1 + (
          CASE WHEN k = 0 THEN (abs(hashint4(p.id::int)) % 1000) * (abs(hashint4(p.id::int)) % 1000) / 20000
               ELSE ((abs(hashint4(p.id::int)) % 1000) * (abs(hashint4(p.id::int)) % 1000) / 20000 + 1 + abs(hashint4(p.id::int + 1)) % 49) % 50 END))
        WHERE p.id * 2 - 1 + k <= ${MENTIONS}`.execute(db),
  );
  await timed('hourly rollups (one GROUP BY over all mentions)', () =>
    rebuildRollups(db, new Date(NOW.getTime() - (SPAN_DAYS + 1) * DAY), new Date(NOW.getTime() + DAY)),
  );
  await timed('ANALYZE', () => sql`ANALYZE`.execute(db));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function sample(count: number, body: (i: number) => Promise<void>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < Math.min(5, count); i++) await body(i);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await body(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

/** Rollup upkeep as ingest does it: batches of 1,000 mentions folded into hourly deltas and upserted. */
async function measureUpkeep(database: Database, ids: number[]): Promise<number> {
  const batches = 20;
  const start = performance.now();
  for (let b = 0; b < batches; b++) {
    const deltas = new Map<string, RollupDelta>();
    for (let i = 0; i < 1_000; i++) {
      const entityId = ids[(b * 1_000 + i) % ids.length]!;
      const bucket = new Date(NOW.getTime() - ((b * 37 + i) % 48) * 3_600_000);
      const key = `${entityId}|${bucket.getTime()}|hn`;
      const score = ((i % 21) - 10) / 10;
      const sums = computeMentionSums({ score, label: score > 0.2 ? 'positive' : score < -0.2 ? 'negative' : 'neutral', weight: 1 });
      const delta = deltas.get(key) ?? {
        entityId,
        bucket,
        source: 'hn',
        n: 0,
        positive: 0,
        neutral: 0,
        negative: 0,
        scoreSum: 0,
        scoreSqSum: 0,
        weightSum: 0,
        weightSqSum: 0,
        weightedScoreSum: 0,
        weightedScoreSqSum: 0,
        engagementSum: 0,
      };
      for (const field of Object.keys(sums) as Array<keyof typeof sums>) delta[field] += sums[field];
      deltas.set(key, delta);
    }
    await database.db.transaction().execute((trx) => addToRollups(trx, [...deltas.values()]));
  }
  return (batches * 1_000) / ((performance.now() - start) / 1000);
}

async function main(): Promise<void> {
  log(`serve benchmark: ${MENTIONS.toLocaleString()} mentions, ${ENTITIES} entities, ${SPAN_DAYS} days, target ${TARGET}`);
  let stopServer: (() => Promise<void>) | undefined;
  let dataDir: string | undefined;
  let database: Database;
  if (TARGET === 'server') {
    const pg = await startBenchPostgres();
    stopServer = pg.stop;
    database = await openDatabase({ databaseUrl: pg.url, dataDir: 'unused', poolSize: 4 });
  } else {
    dataDir = mkdtempSync(join(tmpdir(), 'vibecheck-bench-serve-'));
    database = await openDatabase({ databaseUrl: undefined, dataDir });
  }
  try {
    await migrate(database.db);
    log('generation:');
    await generate(database);
    const entities = (await sql<{ id: number; slug: string }>`SELECT id, slug FROM entities ORDER BY id`.execute(database.db)).rows;
    const rollupRows = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM sentiment_rollups`.execute(database.db)).rows[0]?.n;
    log(`  rollup rows: ${rollupRows?.toLocaleString()}`);

    const app = createApp({
      db: database.db,
      settings: { adminToken: undefined, corsOrigins: [] },
      log: { error: (o: object) => console.error(o), info: () => undefined, warn: () => undefined },
      sources: [],
      checkReady: async () => ({ ready: true }),
      rateLimit: { limit: 1e9, windowMs: 60_000 },
    });
    const server = await startHttpServer(app, '127.0.0.1', 0);
    const fetchJson = async (path: string) => {
      const res = await fetch(`${server.url}${path}`);
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<{ series?: Array<{ n: number }> }>;
    };

    const cases = [
      { name: '90-day daily series', days: 90, bucket: 'day' as const },
      { name: '1-year weekly series', days: 365, bucket: 'week' as const },
    ];
    const table: string[][] = [];
    for (const c of cases) {
      const from = new Date(NOW.getTime() - c.days * DAY);
      const window = planSeriesWindow({ from, to: NOW, bucket: c.bucket }, NOW);
      // The rollup answer and the raw answer must agree before their speed is compared.
      const check = entities[0]!;
      const viaHttp = await fetchJson(
        `/api/v1/entities/${check.slug}/sentiment?from=${from.toISOString()}&to=${NOW.toISOString()}&bucket=${c.bucket}`,
      );
      const raw = (await getBucketSumsFromMentions(database.db, { entityIds: [check.id], starts: window.starts, end: window.end })).get(
        check.id,
      )!;
      const httpN = (viaHttp.series ?? []).map((p) => p.n);
      if (JSON.stringify(httpN) !== JSON.stringify(raw.map((s) => summarize(s).n)))
        throw new Error(`${c.name}: rollups disagree with raw mentions`);
      const api = await sample(REQUESTS, async (i) => {
        await fetchJson(
          `/api/v1/entities/${entities[i % ENTITIES]!.slug}/sentiment?from=${from.toISOString()}&to=${NOW.toISOString()}&bucket=${c.bucket}`,
        );
      });
      const direct = await sample(REQUESTS, async (i) => {
        const e = entities[i % ENTITIES]!;
        await getBucketSums(database.db, { entityIds: [e.id], starts: window.starts, end: window.end });
      });
      const rawTimes = await sample(RAW_REQUESTS, async (i) => {
        const e = entities[i % ENTITIES]!;
        await getBucketSumsFromMentions(database.db, { entityIds: [e.id], starts: window.starts, end: window.end });
      });
      table.push([
        c.name,
        ...[api, direct, rawTimes].flatMap((t) => [t.p50.toFixed(1), t.p95.toFixed(1)]),
        `${(rawTimes.p50 / api.p50).toFixed(0)}x`,
      ]);
    }

    const overview = await sample(REQUESTS, async () => {
      await fetchJson('/api/v1/entities');
    });
    const overviewRaw = await sample(RAW_REQUESTS, async () => {
      await sql`
        SELECT entity_id, created_at >= ${new Date(NOW.getTime() - 7 * DAY).toISOString()}::timestamptz AS cur, count(*), sum(score), sum(score * score)
        FROM mentions WHERE created_at >= ${new Date(NOW.getTime() - 14 * DAY).toISOString()}::timestamptz GROUP BY 1, 2`.execute(
        database.db,
      );
      await sql`
        SELECT entity_id, date_trunc('day', created_at), count(*), sum(score)
        FROM mentions WHERE created_at >= ${new Date(NOW.getTime() - 30 * DAY).toISOString()}::timestamptz GROUP BY 1, 2`.execute(
        database.db,
      );
    });
    table.push([
      'entities overview (50)',
      overview.p50.toFixed(1),
      overview.p95.toFixed(1),
      '-',
      '-',
      overviewRaw.p50.toFixed(1),
      overviewRaw.p95.toFixed(1),
      `${(overviewRaw.p50 / overview.p50).toFixed(0)}x`,
    ]);
    await server.close();

    const upkeep = await measureUpkeep(
      database,
      entities.map((e) => e.id),
    );

    log(`\nlatency in ms, ${REQUESTS} requests each (raw: ${RAW_REQUESTS}), sequential, one client:`);
    const header = ['measurement', 'HTTP p50', 'HTTP p95', 'query p50', 'query p95', 'raw p50', 'raw p95', 'raw/HTTP p50'];
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => (r[i] ?? '').length)));
    for (const row of [header, ...table])
      log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
    log(`\nrollup upkeep: ${Math.round(upkeep).toLocaleString()} mentions/s (batches of 1,000 folded into hourly upserts)`);
  } finally {
    await database.close();
    await stopServer?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
