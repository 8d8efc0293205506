// Import throughput: JSON Lines -> parse -> link -> score -> store -> roll up, on the embedded
// database and on a PostgreSQL server, beside a plain bulk insert of the same rows in the same run;
// then `vibecheck rescore` of every imported post, as after a model upgrade.
//
//   npm run bench -- import                         100k posts on both targets
//   BENCH_POSTS=20000 npm run bench -- import       fewer posts
//   BENCH_MEMORY_MB=100,1000 npm run bench -- import   peak RSS while importing files of these sizes (server),
//                                                      each in a fresh process; BENCH_POSTS=0 skips the 100k runs
import { createWriteStream, mkdtempSync, rmSync, statSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { sql } from 'kysely';
import { createSeededRandom } from '../src/core/seeded-random.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { insertPosts } from '../src/db/queries/ingest.ts';
import { seedEntities } from '../src/pipeline/entities.ts';
import { concurrentCommitsFor, importPosts, parseImportLine } from '../src/pipeline/import-posts.ts';
import { defaultAnalysisThreads } from '../src/config/settings.ts';
import { createIngestor, hashContent } from '../src/pipeline/ingest.ts';
import { rescorePosts } from '../src/pipeline/rescore.ts';
import { startBenchPostgres } from './support/postgres.ts';

const POSTS = Number(process.env.BENCH_POSTS ?? 100_000);
const MEMORY_SIZES_MB = (process.env.BENCH_MEMORY_MB ?? '').split(',').filter(Boolean).map(Number);

const NAMES = [
  'Claude Code',
  'Cursor',
  'GitHub Copilot',
  'Copilot',
  'Gemini 2.5 Pro',
  'GPT-5',
  'Sonnet 4.5',
  'Windsurf',
  'Aider',
  'Codex CLI',
  'Ollama',
  'DeepSeek',
  'Zed',
  'Cline',
  'ChatGPT',
];
const OPENERS = ['Honestly', 'After a week with it,', 'Hot take:', 'Not gonna lie,', 'Update:', 'For what it is worth,', ''];
const VERDICTS = [
  'is great for refactoring large codebases',
  'keeps crashing when the context gets big',
  'got noticeably slower since the last release',
  'is way too expensive for what it does',
  'handled the migration without a single mistake',
  'hallucinates APIs that do not exist',
  'has the best tab completion I have used',
  'rate limits me after an hour of work',
  'writes tests that actually pass',
  'is fine, nothing special',
];
const FILLER = [
  'We run a monorepo with about 400k lines of TypeScript.',
  'The docs could be better but the team answers quickly on Discord.',
  'I tried it on a Rust side project over the weekend.',
  'My coworkers are split on this.',
  'The pricing page changed twice this month.',
  'It works well with the terminal workflow I already had.',
];

/** Writes `count` synthetic posts (or until `bytes` are written) as JSON Lines. */
async function writeJsonl(path: string, limit: { count?: number; bytes?: number }): Promise<number> {
  const random = createSeededRandom(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const out = createWriteStream(path);
  const start = Date.parse('2025-01-01T00:00:00Z');
  let written = 0;
  let bytes = 0;
  for (let i = 0; ; i++) {
    if (limit.count !== undefined && i >= limit.count) break;
    if (limit.bytes !== undefined && bytes >= limit.bytes) break;
    const a = pick(NAMES);
    const b = pick(NAMES);
    const body = `${pick(OPENERS)} ${a} ${pick(VERDICTS)}. ${pick(FILLER)} ${random() < 0.5 ? `${b} ${pick(VERDICTS)}, though.` : ''} (#${i})`;
    const line = `${JSON.stringify({
      source: pick(['hn', 'reddit', 'github', 'devto', 'lobsters']),
      externalId: String(i),
      url: `https://example.com/p/${i}`,
      author: `user${i % 5000}`,
      body,
      createdAt: new Date(start + Math.floor(random() * 365 * 86_400_000)).toISOString(),
      score: Math.floor(random() * 200),
    })}\n`;
    bytes += Buffer.byteLength(line);
    written++;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return written;
}

async function prepare(database: Database): Promise<void> {
  await migrate(database.db);
  await seedEntities(database.db);
}

async function truncate(database: Database): Promise<void> {
  await sql`TRUNCATE posts, mentions, mention_aspects, sentiment_rollups RESTART IDENTITY CASCADE`.execute(database.db);
}

/** The same rows as the import stores in `posts`, in statements of as many rows as an import batch, with no analysis. */
async function bulkInsert(database: Database, file: string): Promise<number> {
  const { createInterface } = await import('node:readline');
  const started = performance.now();
  let batch: Parameters<typeof insertPosts>[1] = [];
  const flush = async (): Promise<void> => {
    await database.db.transaction().execute((trx) => insertPosts(trx, batch));
    batch = [];
  };
  for await (const text of createInterface({ input: createReadStream(file) })) {
    const parsed = parseImportLine(text);
    if (!('post' in parsed)) continue;
    const p = parsed.post;
    batch.push({ ...p, contentHash: hashContent(p.body), label: 'neutral', sentimentScore: 0, confidence: 0.5, modelVersion: 'bulk' });
    if (batch.length >= 2000) await flush();
  }
  if (batch.length) await flush();
  return (performance.now() - started) / 1000;
}

async function runImport(database: Database, file: string): Promise<{ seconds: number; stored: number; mentions: number }> {
  const ingestor = await createIngestor(database.db, { analysisThreads: defaultAnalysisThreads() });
  const started = performance.now();
  const summary = await importPosts(createReadStream(file), ingestor, { concurrentCommits: concurrentCommitsFor(database.kind) });
  await ingestor.close();
  const seconds = (performance.now() - started) / 1000;
  const mentions = await sql<{ n: number }>`SELECT count(*)::int AS n FROM mentions`.execute(database.db);
  return { seconds, stored: summary.stored, mentions: mentions.rows[0]?.n ?? 0 };
}

/**
 * Every stored post re-read, as `vibecheck rescore` does after an upgrade changes the analysis
 * version: on the main thread, and reading ahead in the analysis threads as the command does.
 */
async function runRescore(database: Database, analysisThreads: number): Promise<string> {
  await sql`UPDATE posts SET model_version = 'older'`.execute(database.db);
  const started = performance.now();
  const { posts } = await rescorePosts(database.db, null, { analysisThreads });
  return `${(posts / ((performance.now() - started) / 1000)).toFixed(0)} posts/s`;
}

async function measureTarget(name: string, database: Database, file: string, count: number): Promise<string[]> {
  await prepare(database);
  await truncate(database);
  const bulkSeconds = await bulkInsert(database, file);
  await truncate(database);
  const imported = await runImport(database, file);
  const rescoredInline = await runRescore(database, 0);
  const rescored = await runRescore(database, defaultAnalysisThreads());
  const rate = count / imported.seconds;
  const bulkRate = count / bulkSeconds;
  return [
    name,
    count.toLocaleString('en'),
    `${rate.toFixed(0)} posts/s`,
    `${bulkRate.toFixed(0)} rows/s`,
    (rate / bulkRate).toFixed(2),
    `${imported.mentions.toLocaleString('en')}`,
    rescoredInline,
    rescored,
  ];
}

/**
 * Peak RSS while importing a file of `megabytes` into the server, sampled every 100 ms, in a child
 * process of its own so no earlier run's heap is counted.
 */
async function measureMemory(url: string, dir: string, megabytes: number): Promise<string[]> {
  const file = join(dir, `mem-${megabytes}.jsonl`);
  const count = await writeJsonl(file, { bytes: megabytes * 1_000_000 });
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_MEMORY_CHILD: JSON.stringify({ url, dir, file }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  rmSync(file);
  if (code !== 0) throw new Error(`memory run for ${megabytes} MB exited with ${code}`);
  const result = JSON.parse(output) as { seconds: number; stored: number; startRss: number; peakRss: number };
  const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)} MB`;
  return [
    `${megabytes} MB`,
    count.toLocaleString('en'),
    `${(count / result.seconds).toFixed(0)} posts/s`,
    mb(result.startRss),
    mb(result.peakRss),
  ];
}

/** The child of measureMemory: imports one file and prints its figures as JSON. */
async function memoryChild({ url, dir, file }: { url: string; dir: string; file: string }): Promise<void> {
  const database = await openDatabase({ databaseUrl: url, dataDir: dir });
  await prepare(database);
  await truncate(database);
  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const result = await runImport(database, file);
  clearInterval(timer);
  await database.close();
  process.stdout.write(JSON.stringify({ ...result, startRss, peakRss }));
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n\n`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vibecheck-bench-import-'));
  const server = await startBenchPostgres();
  try {
    if (POSTS > 0) {
      const file = join(dir, 'posts.jsonl');
      const count = await writeJsonl(file, { count: POSTS });
      process.stdout.write(
        `import benchmark: ${count.toLocaleString('en')} posts, ${(statSync(file).size / 1e6).toFixed(1)} MB of JSON Lines, node ${process.version}\n\n`,
      );
      const rows: string[][] = [];
      const serverDb = await openDatabase({ databaseUrl: server.url, dataDir: dir });
      rows.push(await measureTarget('PostgreSQL 16 server', serverDb, file, count));
      await serverDb.close();
      const embedded = await openDatabase({ databaseUrl: undefined, dataDir: join(dir, 'embedded') });
      rows.push(await measureTarget('embedded PGlite', embedded, file, count));
      await embedded.close();
      printTable(
        [
          'target',
          'posts',
          'import (link+score+store)',
          'plain bulk insert',
          'ratio',
          'mentions',
          'rescore, main thread',
          `rescore, ${defaultAnalysisThreads()} analysis thread(s)`,
        ],
        rows,
      );
    }
    if (MEMORY_SIZES_MB.length) {
      // A row as soon as its size is done: the 1 GB run takes minutes.
      for (const size of MEMORY_SIZES_MB) {
        printTable(['input', 'posts', 'import rate (server)', 'RSS at start', 'peak RSS'], [await measureMemory(server.url, dir, size)]);
      }
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const child = process.env.BENCH_MEMORY_CHILD;
await (child ? memoryChild(JSON.parse(child) as Parameters<typeof memoryChild>[0]) : main());
