import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/errors.ts';
import { runCli } from './support/cli.ts';
import { copyEmptyCluster, createDataDir } from './support/databases.ts';

// `vibecheck export` as a user runs it: posts imported from an older period, the default window
// (the last 30 days) empty, then the window that holds them.
describe('vibecheck export', () => {
  const dataDir = createDataDir();
  const env = { DATA_DIR: copyEmptyCluster(join(dataDir.dir, 'db')) };
  const posts = [
    { externalId: 'a', body: 'Cursor is great for refactoring.', createdAt: '2025-03-01T12:00:00Z' },
    { externalId: 'b', body: '=HYPERLINK("http://evil.example") Cursor keeps crashing.', createdAt: '2025-03-04T08:30:00Z' },
    { externalId: 'c', body: 'Claude Code fixed my tests.', createdAt: '2025-03-05T09:00:00Z' },
  ];
  beforeAll(async () => {
    const file = join(dataDir.dir, 'posts.jsonl');
    writeFileSync(file, `${posts.map((p) => JSON.stringify({ source: 'hn', ...p })).join('\n')}\n`);
    const imported = await runCli(['import', file], env);
    expect(imported.code, imported.stderr).toBe(EXIT.ok);
  });
  afterAll(() => dataDir.remove());

  it('says when the window holds no mentions, and when the newest stored one was made', async () => {
    const empty = await runCli(['export', '--entity', 'cursor', '--format', 'csv'], env);
    expect(empty.code).toBe(EXIT.ok);
    expect(empty.stderr).toMatch(
      /^no mentions of cursor from \S+ to \S+; the newest is from 2025-03-04T08:30:00\.000Z \(set --from and --to\)\n$/,
    );
    const rows = parse(empty.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(rows.every((row) => row.record === 'series' && row.n === '0')).toBe(true);

    const otherSource = await runCli(['export', '--entity', 'cursor', '--source', 'reddit'], env);
    expect(otherSource.stderr).toMatch(/^no mentions of cursor from reddit from \S+ to \S+; none is stored\n$/);
  });

  it("exports the window's series and posts, with post text that a spreadsheet would run escaped", async () => {
    const result = await runCli(['export', '--entity', 'cursor', '--format', 'csv', '--from', '2025-03-01', '--to', '2025-03-08'], env);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stderr).toBe('');
    const rows = parse(result.stdout, { columns: true }) as Array<Record<string, string>>;
    const series = rows.filter((row) => row.record === 'series');
    expect(series).toHaveLength(7);
    expect(series.reduce((sum, row) => sum + Number(row.n), 0)).toBe(2);
    const exported = rows.filter((row) => row.record === 'post');
    expect(exported.map((row) => row.externalId)).toEqual(['b', 'a']);
    expect(exported[0]!.body).toMatch(/^'=HYPERLINK/);
  });
});
