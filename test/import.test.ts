import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.ts';
import { runCli } from './support/cli.ts';
import { createDataDir } from './support/databases.ts';

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

  it('stores the good lines and reports each bad one by line number', async () => {
    const result = await runCli(['import', file, '--json'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      read: 8,
      stored: 3,
      duplicates: 1,
      rejected: 4,
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

  it('names a missing file in a one-line error', async () => {
    const missing = await runCli(['import', join(dataDir.dir, 'nope.jsonl')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toMatch(/^vibecheck: error: ENOENT: no such file or directory, open '.*nope\.jsonl'$/);
  });
});
