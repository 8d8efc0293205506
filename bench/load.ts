// Read API under load while queue workers ingest, on loopback: autocannon (its own process) against
// the overview and a sentiment series, each for a bounded time, with `vibecheck worker` processes
// storing batches of posts meanwhile. Prints sustained req/s, p99 latency, errors, and the ingest rate.
//
//   npm run bench -- load                                     10 s per endpoint, 2 workers, 20 connections
//   BENCH_SECONDS=20 BENCH_WORKERS=1 BENCH_CONNECTIONS=50 npm run bench -- load
//   BENCH_WORKERS=0 npm run bench -- load                     the same reads with no ingest running
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { createApp } from '../src/api/app.ts';
import { SERVE_RESPONSE_CACHE_MS } from '../src/api/response-cache.ts';
import { startHttpServer } from '../src/api/server.ts';
import { openDatabase } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { seedEntities } from '../src/pipeline/entities.ts';
import { createMetrics } from '../src/pipeline/metrics.ts';
import { openJobQueue } from '../src/pipeline/queue.ts';
import { BIN, REPO_ROOT } from '../test/support/cli.ts';
import { generatePosts } from '../test/support/workers.ts';
import { startBenchPostgres } from './support/postgres.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const PER_JOB = 100;
const quiet = { error: (o: unknown) => console.error(o), warn: () => undefined, info: () => undefined, debug: () => undefined };
const run = promisify(execFile);

function startWorker(url: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'worker', '--queues', 'posts.ingest', '--batch-size', '4', '--poll-seconds', '1'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', DATABASE_URL: url },
    });
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('worker is running') && resolve(child));
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

const pg = await startBenchPostgres();
const workers: ChildProcess[] = [];
try {
  const database = await openDatabase({ databaseUrl: pg.url, dataDir: 'unused', poolSize: 10 });
  await migrate(database.db);
  await seedEntities(database.db);
  const queue = await openJobQueue({ databaseUrl: pg.url, log: quiet, supervise: false });
  const countPosts = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM posts`.execute(database.db)).rows[0]!.n;

  // A first load of data so the series have something to read, then a backlog the workers chew on during the load.
  await queue.enqueueMany(
    'posts.ingest',
    Array.from({ length: 50 }, (_, i) => ({ posts: generatePosts(i, PER_JOB) as never })),
  );
  for (let i = 0; i < Math.max(1, WORKERS); i++) workers.push(await startWorker(pg.url));
  while ((await countPosts()) < 50 * PER_JOB) await new Promise((r) => setTimeout(r, 200));
  // BENCH_WORKERS=0: the same reads with nothing ingesting, for comparison.
  if (WORKERS === 0) for (const w of workers.splice(0)) w.kill('SIGTERM');
  await queue.enqueueMany(
    'posts.ingest',
    Array.from({ length: 2_000 }, (_, i) => ({ posts: generatePosts(50 + i, PER_JOB) as never })),
  );

  const app = createApp({
    db: database.db,
    settings: { adminToken: undefined, corsOrigins: [] },
    log: quiet,
    metrics: createMetrics(),
    sources: [],
    checkReady: async () => ({ ready: true }),
    rateLimit: { limit: 1e9, windowMs: 60_000 },
    responseCacheMs: SERVE_RESPONSE_CACHE_MS,
  });
  const server = await startHttpServer(app, '127.0.0.1', 0);
  const endpoints = [
    { name: 'overview /api/v1/entities', path: '/api/v1/entities' },
    { name: 'series claude-code 90d daily', path: '/api/v1/entities/claude-code/sentiment?bucket=day' },
  ];
  process.stdout.write(
    `load: ${SECONDS}s per endpoint, ${CONNECTIONS} connections, ${WORKERS} worker(s) ingesting, node ${process.version}\n\n`,
  );
  const rows: string[][] = [];
  for (const endpoint of endpoints) {
    const check = await fetch(`${server.url}${endpoint.path}`);
    if (check.status !== 200) throw new Error(`${endpoint.path}: ${check.status} ${await check.text()}`);
    const before = await countPosts();
    const started = performance.now();
    const { stdout } = await run(
      join('node_modules', '.bin', 'autocannon'),
      ['-j', '-c', String(CONNECTIONS), '-d', String(SECONDS), `${server.url}${endpoint.path}`],
      {
        cwd: REPO_ROOT,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const ingested = (await countPosts()) - before;
    const r = JSON.parse(stdout) as CannonResult;
    rows.push([
      endpoint.name,
      r.requests.average.toFixed(0),
      r.latency.p50.toFixed(1),
      r.latency.p99.toFixed(1),
      String(r.errors + r.timeouts + r.non2xx),
      `${(ingested / ((performance.now() - started) / 1000)).toFixed(0)} posts/s`,
    ]);
  }
  await server.close();
  const header = ['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'ingest meanwhile'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n`);
  await queue.stop();
  await database.close();
} finally {
  for (const w of workers) w.kill('SIGKILL');
  await pg.stop();
}
