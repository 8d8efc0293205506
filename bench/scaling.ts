// Ingest throughput through the queue with 1, 2 and 4 `vibecheck worker` processes on one
// PostgreSQL server: the same batch jobs each time, timed from the first worker start to the last job.
//
//   npm run bench -- scaling                                  200 jobs of 100 posts, 1/2/4 workers
//   BENCH_JOBS=400 BENCH_POSTS_PER_JOB=50 BENCH_WORKERS=1,2 npm run bench -- scaling
import { spawn, type ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { seedEntities } from '../src/pipeline/entities.ts';
import { openJobQueue } from '../src/pipeline/queue.ts';
import { BIN, REPO_ROOT } from '../test/support/cli.ts';
import { generatePosts } from '../test/support/workers.ts';
import { startBenchPostgres } from './support/postgres.ts';

const JOBS = Number(process.env.BENCH_JOBS ?? 200);
const PER_JOB = Number(process.env.BENCH_POSTS_PER_JOB ?? 100);
const WORKERS = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number);
const BATCH = process.env.BENCH_BATCH ?? '4';
const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

function startWorker(url: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'worker', '--queues', 'posts.ingest', '--batch-size', BATCH, '--poll-seconds', '1'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', DATABASE_URL: url },
    });
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('worker is running') && resolve(child));
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

const server = await startBenchPostgres();
const rows: string[][] = [];
try {
  process.stdout.write(`queue scaling: ${JOBS} posts.ingest jobs of ${PER_JOB} posts, worker batch ${BATCH}, node ${process.version}\n\n`);
  for (const count of WORKERS) {
    const database = await openDatabase({ databaseUrl: server.url, dataDir: 'unused' });
    await migrate(database.db);
    await seedEntities(database.db);
    await sql`TRUNCATE posts, mentions, mention_aspects, sentiment_rollups RESTART IDENTITY CASCADE`.execute(database.db);
    await sql`DELETE FROM pgboss.job WHERE name = 'posts.ingest'`.execute(database.db).catch(() => undefined);
    const queue = await openJobQueue({ databaseUrl: server.url, log: quiet, supervise: false });
    await queue.enqueueMany(
      'posts.ingest',
      Array.from({ length: JOBS }, (_, i) => ({ posts: generatePosts(i, PER_JOB) as never })),
    );
    // Workers start first and are timed from the moment all are up, so process start-up is not counted.
    await sql`UPDATE pgboss.job SET start_after = now() + interval '1 hour' WHERE name = 'posts.ingest'`.execute(database.db);
    const workers = await Promise.all(Array.from({ length: count }, () => startWorker(server.url)));
    const started = performance.now();
    await sql`UPDATE pgboss.job SET start_after = now() WHERE name = 'posts.ingest'`.execute(database.db);
    for (;;) {
      const done = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'posts.ingest' AND state = 'completed'`.execute(database.db);
      if (done.rows[0]!.n >= JOBS) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const stored = await sql<{ n: number }>`SELECT count(*)::int AS n FROM posts`.execute(database.db);
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
    await queue.stop();
    await database.close();
    const rate = stored.rows[0]!.n / seconds;
    rows.push([
      String(count),
      stored.rows[0]!.n.toLocaleString('en'),
      seconds.toFixed(1),
      `${rate.toFixed(0)} posts/s`,
      `${(JOBS / seconds).toFixed(1)} jobs/s`,
    ]);
  }
  const base = Number(rows[0]?.[3]?.split(' ')[0] ?? 1);
  const header = ['workers', 'posts', 'seconds', 'ingest', 'jobs', 'vs 1 worker'];
  const table = rows.map((r) => [...r, (Number(r[3]!.split(' ')[0]) / base).toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${table.map(line).join('\n')}\n`);
} finally {
  await server.stop();
}
