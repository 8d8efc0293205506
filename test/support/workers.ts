import { spawn, type ChildProcess } from 'node:child_process';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import { BIN, REPO_ROOT } from './cli.ts';

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  /** Sends the signal and resolves with the exit code (-1 when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `vibecheck worker ...args` and resolves once it says it is running. */
export function startWorker(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<WorkerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'worker', ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env },
    });
    let output = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code, signal) => done(signal ? -1 : code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker did not start in ${timeoutMs} ms: ${output}`));
    }, timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker is running')) {
        clearTimeout(timer);
        resolve({
          child,
          output: () => output,
          stop: (signal = 'SIGTERM') => {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before starting: ${output}`));
    });
  });
}

/** Posts in the import format, each naming one tracked tool, with ids unique across the run. */
export function generatePosts(batch: number, perBatch: number): Array<Record<string, unknown>> {
  const tools = ['Claude Code', 'Cursor', 'GitHub Copilot', 'Aider', 'Windsurf'];
  const verdicts = ['is great for refactoring', 'keeps crashing on big repos', 'got slower this week', 'writes tests that pass'];
  return Array.from({ length: perBatch }, (_, i) => {
    const n = batch * perBatch + i;
    return {
      source: 'hn',
      externalId: `scale-${n}`,
      body: `${tools[n % tools.length]} ${verdicts[n % verdicts.length]} (#${n})`,
      createdAt: new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString(),
      score: n % 50,
    };
  });
}

/** What an exactly-once ingest leaves: every post once, every mention counted once in the rollups. */
export async function readIngestTotals(
  db: Kysely<DB>,
): Promise<{ posts: number; distinct: number; postsWithoutMention: number; mentions: number; rolledUp: number }> {
  const row = await sql<{ posts: number; distinct: number; postsWithoutMention: number; mentions: number; rolledUp: number }>`
    SELECT (SELECT count(*)::int FROM posts) AS posts,
           (SELECT count(DISTINCT (source, external_id))::int FROM posts) AS "distinct",
           (SELECT count(*)::int FROM posts p WHERE NOT EXISTS (SELECT 1 FROM mentions m WHERE m.post_id = p.id)) AS "postsWithoutMention",
           (SELECT count(*)::int FROM mentions) AS mentions,
           (SELECT coalesce(sum(n), 0)::int FROM sentiment_rollups) AS "rolledUp"`.execute(db);
  return row.rows[0]!;
}

/** pg-boss job counts by state for one job type. */
export async function readJobStates(db: Kysely<DB>, name: string): Promise<Record<string, number>> {
  const rows = await sql<{ state: string; count: number }>`
    SELECT state::text AS state, count(*)::int AS count FROM pgboss.job WHERE name = ${name} GROUP BY state`.execute(db);
  return Object.fromEntries(rows.rows.map((r) => [r.state, r.count]));
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The value of one sample line of a Prometheus text exposition. */
export function readSample(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (want.every((w) => line.includes(w))) return Number(line.split(' ').at(-1));
  }
  return 0;
}
