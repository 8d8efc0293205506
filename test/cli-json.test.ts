import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/errors.ts';
import { openDatabase } from '../src/db/client.ts';
import { BIN, REPO_ROOT, runCli } from './support/cli.ts';
import { copyEmptyCluster, createDataDir } from './support/databases.ts';

/** `--json` on the commands that report, and what an interrupted rescore says with its exit code. */
describe('commands that report, as JSON', () => {
  const dataDir = createDataDir();
  const env = { DATA_DIR: copyEmptyCluster(join(dataDir.dir, 'db')) };
  afterAll(() => dataDir.remove());
  const json = (stdout: string): unknown => JSON.parse(stdout);

  it('db migrate, entities add and remove each print one object', async () => {
    const first = await runCli(['db', 'migrate', '--json'], env);
    expect(first.code, first.stderr).toBe(EXIT.ok);
    const applied = (json(first.stdout) as { applied: string[] }).applied;
    expect(applied[0]).toBe('001_init');
    expect(json((await runCli(['db', 'migrate', '--json'], env)).stdout)).toEqual({ applied: [] });

    const added = await runCli(['entities', 'add', 'zed-ai', '--name', 'Zed AI', '--kind', 'tool', '--alias', 'zed agent', '--json'], env);
    expect(added.code, added.stderr).toBe(EXIT.ok);
    expect(json(added.stdout)).toEqual({
      added: { slug: 'zed-ai', name: 'Zed AI', kind: 'tool', parent: null, aliases: ['zed agent'], homepage: null, origin: 'user' },
    });
    const edited = await runCli(
      ['entities', 'edit', 'zed-ai', '--name', 'Zed Agent', '--alias', 'zed agent', '--alias', 'zed ai', '--json'],
      env,
    );
    expect(edited.code, edited.stderr).toBe(EXIT.ok);
    expect(json(edited.stdout)).toEqual({
      edited: {
        slug: 'zed-ai',
        name: 'Zed Agent',
        kind: 'tool',
        parent: null,
        aliases: ['zed agent', 'zed ai'],
        homepage: null,
        origin: 'user',
      },
    });
    const refused = await runCli(['entities', 'edit', 'zed-ai'], env);
    expect(refused.code).toBe(EXIT.badInput);
    expect(refused.stderr).toMatch(/name at least one field to change/);
    const removed = await runCli(['entities', 'remove', 'zed-ai', '--json'], env);
    expect(removed.code, removed.stderr).toBe(EXIT.ok);
    expect(json(removed.stdout)).toEqual({ removed: 'zed-ai' });
  }, 180_000);

  it('rescore reports its counts, and stopped half-way exits 130 saying interrupted', async () => {
    const posts = Array.from({ length: 1_500 }, (_, i) =>
      JSON.stringify({
        source: 'hn',
        externalId: `r${i}`,
        body: `Claude Code fixed test ${i} for me.`,
        createdAt: new Date(Date.UTC(2026, 2, 1) + i * 60_000).toISOString(),
      }),
    );
    const file = join(dataDir.dir, 'posts.jsonl');
    writeFileSync(file, `${posts.join('\n')}\n`);
    expect((await runCli(['import', file], env)).code).toBe(EXIT.ok);
    const age = async (): Promise<void> => {
      const database = await openDatabase({ databaseUrl: undefined, dataDir: env.DATA_DIR });
      await sql`UPDATE posts SET model_version = 'devsent-0'`.execute(database.db);
      await database.close();
    };

    await age();
    const done = await runCli(['rescore', '--json'], env);
    expect(done.code, done.stderr).toBe(EXIT.ok);
    expect(json(done.stdout)).toEqual({ posts: 1_500, mentions: expect.any(Number), interrupted: false });
    expect((json(done.stdout) as { mentions: number }).mentions).toBeGreaterThanOrEqual(1_500);

    // Ctrl-C after the first batch of 500: the batches done are kept, the exit code says it stopped.
    await age();
    const child = spawn(process.execPath, [BIN, 'rescore', '--json'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    let signalled = false;
    child.stderr.on('data', (chunk: Buffer) => {
      // One Ctrl-C: a second one would end the process at once, by design.
      if (!signalled && chunk.toString().includes('rescored')) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stdout).toBe(EXIT.interrupted);
    const result = json(stdout) as { posts: number; interrupted: boolean };
    expect(result.interrupted).toBe(true);
    expect(result.posts).toBeGreaterThanOrEqual(500);
    expect(result.posts).toBeLessThan(1_500);
  }, 240_000);
});
