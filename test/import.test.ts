import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.ts';
import { runCli } from './support/cli.ts';
import { copyEmptyCluster, createDataDir } from './support/databases.ts';

const line = (id: string, body: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ source: 'hn', externalId: id, body, createdAt: '2026-03-01T12:00:00Z', ...extra });

const FILE_LINES = [
  line('1', 'Claude Code fixed my flaky test suite in ten minutes, impressive.'),
  '{"source":"hn","externalId":"2","body":"truncated',
  line('3', 'Cursor <b>keeps</b> crashing &amp; eating my RAM <script>alert(1)</script>', { title: 'Cursor &quot;2.0&quot;' }),
  JSON.stringify({ source: 'hn', externalId: '4', createdAt: '2026-03-01T12:00:00Z' }),
  line('5', 'Copilot is fine', { createdAt: 'yesterday' }),
  '',
  line('6', 'Gemini CLI is surprisingly good at refactoring.', { source: 'my-forum', score: 4, parentId: 77 }),
  line('1', 'Claude Code fixed my flaky test suite in ten minutes, impressive.'),
  line('7', 'Windsurf pricing changed again', { source: 'Bad Source' }),
];

describe('vibecheck import', () => {
  const dataDir = createDataDir();
  const file = join(dataDir.dir, 'posts.jsonl');
  writeFileSync(file, `${FILE_LINES.join('\n')}\n`);
  const env = { DATA_DIR: join(dataDir.dir, 'db') };
  afterAll(() => dataDir.remove());

  it('stores the good lines and reports each bad one by line number, exiting 2 for the bad ones', async () => {
    const result = await runCli(['import', file, '--json'], env);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      read: 8,
      stored: 3,
      duplicates: 1,
      rejected: 4,
      invalidUtf8: 0,
      warnings: [],
      // The span of the accepted lines' dates (the duplicate included; the rejected ones not).
      oldest: '2026-03-01T12:00:00.000Z',
      newest: '2026-03-01T12:00:00.000Z',
      errors: [
        { line: 2, message: expect.stringMatching(/^invalid JSON: /) },
        { line: 4, message: expect.stringMatching(/^body: /) },
        { line: 5, message: 'createdAt: expected an ISO 8601 date-time such as 2026-03-01T12:00:00Z' },
        { line: 9, message: expect.stringMatching(/^source: lowercase letters, digits and dashes/) },
      ],
    });
  });

  it('turns HTML into text, keeps other sources, and links the mentions', async () => {
    const database = await openDatabase({ databaseUrl: undefined, dataDir: env.DATA_DIR });
    try {
      const posts = await sql<{ external_id: string; source: string; title: string | null; body: string; parent_id: string | null }>`
        SELECT external_id, source, title, body, parent_id FROM posts ORDER BY external_id`.execute(database.db);
      expect(posts.rows.map((p) => p.external_id)).toEqual(['1', '3', '6']);
      const html = posts.rows.find((p) => p.external_id === '3')!;
      expect(html.body).toBe('Cursor keeps crashing & eating my RAM');
      expect(html.title).toBe('Cursor "2.0"');
      expect(posts.rows.find((p) => p.external_id === '6')).toMatchObject({ source: 'my-forum', parent_id: '77' });
      const linked = await sql<{ slug: string }>`
        SELECT DISTINCT e.slug FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE m.direct ORDER BY 1`.execute(database.db);
      expect(linked.rows.map((r) => r.slug)).toEqual(['claude-code', 'cursor', 'gemini-cli']);
    } finally {
      await database.close();
    }
  });

  it('re-importing the same file stores nothing twice; stdin works with -', async () => {
    const again = await runCli(['import', '-', '--json'], env, `${FILE_LINES.join('\n')}\n`);
    expect(JSON.parse(again.stdout)).toMatchObject({ read: 8, stored: 0, duplicates: 4, rejected: 4 });
    const plain = await runCli(['import', file], env);
    expect(plain.stdout.trim()).toBe('read 8, stored 0, duplicates 4, rejected 4');
    expect(plain.stderr).toMatch(/^line 2: invalid JSON/m);
    // Not a terminal: a plain progress line instead of a bar (none for stdin, whose size is unknown).
    expect(plain.stderr).toMatch(/^import posts\.jsonl: 100\.0% done, 0 stored, [\d.]+ posts\/s$/m);
    expect(again.stderr).not.toMatch(/% done/);
  });

  it('names a missing file in a one-line error, as bad input', async () => {
    const missing = await runCli(['import', join(dataDir.dir, 'nope.jsonl')], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(
      /^vibecheck: error: cannot read .*nope\.jsonl: ENOENT: no such file or directory, open '.*nope\.jsonl'$/,
    );
  });
});

describe('vibecheck import of a large file with bad values near the end', () => {
  const dataDir = createDataDir();
  const file = join(dataDir.dir, 'big.jsonl');
  // From the suite's empty cluster (the first describe imports into a directory that does not exist yet).
  const env = { DATA_DIR: copyEmptyCluster(join(dataDir.dir, 'db')) };
  afterAll(() => dataDir.remove());
  // Six batches of the importer's 2,000 lines: the bad values sit in the last two.
  const LINES = 12_000;
  // 1-based line numbers: a year-0000 date, then NUL in the text (cleaned, stored), then integers past 2^31.
  const BAD: Record<number, Record<string, unknown>> = {
    9_001: { createdAt: '0000-01-01T00:00:00Z' },
    9_002: { body: 'Claude Code \u0000 crashed, NUL and all (9002).', title: 'T\u202Eitle' },
    11_990: { score: 2 ** 31 },
    11_999: { comments: 2 ** 31 },
  };

  it('stores every other line and reports each bad one by number, exit 2', { timeout: 300_000 }, async () => {
    const out = createWriteStream(file);
    for (let i = 1; i <= LINES; i++) {
      const line = JSON.stringify({
        source: 'hn',
        externalId: String(i),
        author: `user${i % 997}`,
        body: `Claude Code ${i % 2 ? 'handled' : 'fumbled'} refactoring job number ${i} in our monorepo.`,
        createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
        ...BAD[i],
      });
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const result = await runCli(['import', file, '--json'], env);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(2);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ read: LINES, stored: LINES - 3, duplicates: 0, rejected: 3 });
    expect(summary.errors).toEqual([
      { line: 9_001, message: 'createdAt: 0000-01-01T00:00:00.000Z is before 2000-01-01' },
      { line: 11_990, message: 'score: at most 2147483647' },
      { line: 11_999, message: 'comments: at most 2147483647' },
    ]);
    const database = await openDatabase({ databaseUrl: undefined, dataDir: env.DATA_DIR });
    try {
      const stored = await sql<{
        n: number;
        last: string;
      }>`SELECT count(*)::int AS n, max(external_id::int)::text AS last FROM posts`.execute(database.db);
      expect(stored.rows[0]).toEqual({ n: LINES - 3, last: String(LINES) });
      const cleaned = await sql<{ body: string; title: string }>`SELECT body, title FROM posts WHERE external_id = '9002'`.execute(
        database.db,
      );
      expect(cleaned.rows[0]).toEqual({ body: 'Claude Code  crashed, NUL and all (9002).', title: 'Title' });
    } finally {
      await database.close();
    }
  });
});

describe('vibecheck import of hostile bytes', () => {
  const dataDir = createDataDir();
  const env = { DATA_DIR: copyEmptyCluster(join(dataDir.dir, 'db')) };
  afterAll(() => dataDir.remove());
  const good = (id: string, extra = '') =>
    `{"source":"hn","externalId":"${id}","body":"Cursor is fine${extra}","createdAt":"2026-03-01T12:00:00Z"}`;

  it('rejects a line with no end (/dev/zero) by number without holding it, and goes on', async () => {
    const zeros = '\u0000'.repeat(9 * 1024 * 1024);
    const result = await runCli(['import', '-', '--json'], env, `${good('z1')}\n${zeros}\n${good('z2')}\n`);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({
      read: 3,
      stored: 2,
      rejected: 1,
      errors: [{ line: 2, message: 'longer than 8 MiB (8388608 bytes); skipped' }],
    });
  });

  it('counts and reports a line that is not UTF-8, stored with U+FFFD, exit 0', async () => {
    // "café" written in Latin-1: the é is the single byte 0xE9.
    const [before, after] = good('u2', ' caf\u0001').split('\u0001') as [string, string];
    const input = Buffer.concat([Buffer.from(`${good('u1')}\n${before}`), Buffer.from([0xe9]), Buffer.from(`${after}\n`)]);
    const result = await runCli(['import', '-'], env, input);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('read 2, stored 2, duplicates 0, rejected 0, not valid UTF-8 1');
    expect(result.stderr).toMatch(/^line 2: warning: not valid UTF-8: stored with U\+FFFD/m);
    const database = await openDatabase({ databaseUrl: undefined, dataDir: env.DATA_DIR });
    try {
      const stored = await sql<{ body: string }>`SELECT body FROM posts WHERE external_id = 'u2'`.execute(database.db);
      expect(stored.rows[0]?.body).toBe('Cursor is fine caf\uFFFD');
    } finally {
      await database.close();
    }
  });

  it('never echoes a control character of the input to the terminal', async () => {
    const result = await runCli(['import', '-'], env, '\u001b[2J\u001b]0;owned\u0007\n{"source":"Bad\u001b[31m"}\n');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^line 1: invalid JSON: .*\\u001b\[2J/m);
    // eslint-disable-next-line no-control-regex -- the point is that none reaches the terminal
    expect(result.stderr + result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});
