// Responsiveness under the heaviest reads one client may send inside the rate limit: bursts of 30
// concurrent `compare` requests for six entities by hour (600 a minute, the default limit), against a
// `vibecheck serve --no-work` process on a PostgreSQL server with six months of hourly data. Meanwhile
// /health is asked one request at a time; prints its latency and the server's resident memory.
//
//   npm run bench -- hostile-reads                       20 s per load
//   BENCH_SECONDS=60 npm run bench -- hostile-reads
//   BENCH_BIN=/path/to/other/checkout/bin/vibecheck ...  the same load against another build (before/after)
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/client.ts';
import { rebuildRollups } from '../src/db/queries/ingest.ts';
import { migrate } from '../src/db/migrate.ts';
import { BIN, REPO_ROOT } from '../test/support/cli.ts';
import { startBenchPostgres } from './support/postgres.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const SERVE_BIN = process.env.BENCH_BIN ?? BIN;
const BURST = 30;
/** 30 requests every 3.1 s: at most 20 bursts, 600 requests, in any minute. */
const BURST_EVERY_MS = 3_100;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SLUGS = ['bench-a', 'bench-b', 'bench-c', 'bench-d', 'bench-e', 'bench-f'];
const MENTIONS_PER_HOUR = 3;
const NOW = new Date(Math.floor(Date.now() / HOUR) * HOUR);
const log = (line: string) => process.stdout.write(`${line}\n`);

async function seed(url: string): Promise<void> {
  const database = await openDatabase({ databaseUrl: url, dataDir: 'unused', poolSize: 2 });
  try {
    const { db } = database;
    await migrate(db);
    const hours = 183 * 24;
    const start = new Date(NOW.getTime() - hours * HOUR).toISOString();
    await sql`INSERT INTO entities (slug, name, kind) SELECT unnest(${SLUGS}::text[]), unnest(${SLUGS}::text[]), 'tool'`.execute(db);
    await sql`
      INSERT INTO posts (id, source, external_id, body, created_at, content_hash)
      SELECT g, 'hn', 'b' || g, 'post ' || g, ${start}::timestamptz + (g % ${hours}) * interval '1 hour' + (g % 3600) * interval '1 second', 'b' || g
      FROM generate_series(1, ${hours * MENTIONS_PER_HOUR * SLUGS.length}) g`.execute(db);
    await sql`
      INSERT INTO mentions (post_id, entity_id, created_at, source, matched_text, start_offset, end_offset, label, score, confidence, model_version, engagement)
      SELECT p.id, e.id, p.created_at, 'hn', 'x', 0, 1,
             CASE WHEN p.id % 3 = 0 THEN 'positive' WHEN p.id % 3 = 1 THEN 'negative' ELSE 'neutral' END,
             CASE WHEN p.id % 3 = 0 THEN 0.8 WHEN p.id % 3 = 1 THEN -0.6 ELSE 0 END, 0.8, 'bench', p.id % 50
      FROM posts p JOIN entities e ON e.slug = (${SLUGS}::text[])[1 + p.id % ${SLUGS.length}]`.execute(db);
    await rebuildRollups(db, new Date(start), new Date(NOW.getTime() + HOUR));
    await sql`ANALYZE`.execute(db);
  } finally {
    await database.close();
  }
}

function startServer(url: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVE_BIN, 'serve', '--no-work'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', DATABASE_URL: url, PORT: '0' },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /running at (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) resolve({ child, url: match[1] });
    });
    child.stderr.pipe(process.stderr);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
}

const readRssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

interface LoadResult {
  name: string;
  requests: number;
  statuses: string;
  mbPerAnswer: number;
  requestP50: number;
  requestP99: number;
  healthP50: number;
  healthP99: number;
  healthMax: number;
  rssMax: number;
}

/** Bursts of `path(i)` for SECONDS while /health is polled back to back and RSS sampled. */
async function measure(
  server: { child: ChildProcess; url: string },
  name: string,
  path: ((i: number) => string) | undefined,
): Promise<LoadResult> {
  const pid = server.child.pid!;
  const health: number[] = [];
  const durations: number[] = [];
  const statuses = new Map<number, number>();
  let bytes = 0;
  let rssMax = readRssMb(pid);
  const until = performance.now() + SECONDS * 1000;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, readRssMb(pid))), 50);
  const probe = async () => {
    while (performance.now() < until) {
      const started = performance.now();
      await (await fetch(`${server.url}/health`)).arrayBuffer();
      health.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const load = async () => {
    if (!path) return;
    const inflight: Array<Promise<void>> = [];
    for (let burst = 0; performance.now() < until; burst++) {
      const next = performance.now() + BURST_EVERY_MS;
      for (let j = 0; j < BURST; j++) {
        const url = `${server.url}${path(burst * BURST + j)}`;
        inflight.push(
          (async () => {
            const started = performance.now();
            const res = await fetch(url);
            bytes += (await res.arrayBuffer()).byteLength;
            durations.push(performance.now() - started);
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          })(),
        );
      }
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
    await Promise.all(inflight);
  };
  await Promise.all([probe(), load()]);
  clearInterval(sampler);
  const requests = durations.length;
  return {
    name,
    requests,
    statuses: [...statuses].map(([status, n]) => `${n}x${status}`).join(' ') || '-',
    mbPerAnswer: requests ? bytes / requests / 1e6 : 0,
    requestP50: percentile(durations, 50),
    requestP99: percentile(durations, 99),
    healthP50: percentile(health, 50),
    healthP99: percentile(health, 99),
    healthMax: Math.max(...health),
    rssMax,
  };
}

const compare = (days: number) => (i: number) => {
  // Each request ends an hour earlier than the one before, so no two are the same URL (no cache help).
  const to = new Date(NOW.getTime() - i * HOUR);
  return `/api/v1/compare?entities=${SLUGS.join(',')}&bucket=hour&from=${new Date(to.getTime() - days * DAY).toISOString()}&to=${to.toISOString()}`;
};

const pg = await startBenchPostgres();
let server: { child: ChildProcess; url: string } | undefined;
try {
  const started = performance.now();
  await seed(pg.url);
  log(
    `hostile reads: ${SLUGS.length} entities x ${MENTIONS_PER_HOUR} mentions an hour for 183 days (seeded in ${((performance.now() - started) / 1000).toFixed(0)} s)`,
  );
  log(
    `load: bursts of ${BURST} concurrent compare requests every ${BURST_EVERY_MS / 1000} s (<= 600/min), ${SECONDS} s each; serve: ${SERVE_BIN}\n`,
  );
  server = await startServer(pg.url);
  const results = [
    await measure(server, 'idle (no load)', undefined),
    await measure(server, '6 entities, hourly, 182 days (the report)', compare(182)),
    await measure(server, '6 entities, hourly, 34 days (largest allowed)', compare(34)),
    await measure(server, '2 entities, hourly, 104 days (largest allowed)', (i) =>
      compare(104)(i).replace(SLUGS.join(','), SLUGS.slice(0, 2).join(',')),
    ),
  ];
  const header = [
    'load',
    'requests',
    'statuses',
    'MB/answer',
    'req p50 ms',
    'req p99 ms',
    '/health p50 ms',
    '/health p99 ms',
    '/health max ms',
    'RSS max MB',
  ];
  const rows = results.map((r) => [
    r.name,
    String(r.requests),
    r.statuses,
    r.mbPerAnswer.toFixed(2),
    r.requestP50.toFixed(0),
    r.requestP99.toFixed(0),
    r.healthP50.toFixed(1),
    r.healthP99.toFixed(1),
    r.healthMax.toFixed(1),
    r.rssMax.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  for (const row of [header, ...rows])
    log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
} finally {
  server?.child.kill('SIGTERM');
  await pg.stop();
}
