import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/errors.ts';
import { VIBECHECK_VERSION } from '../src/core/version.ts';
import { runCli } from './support/cli.ts';
import { copyEmptyCluster, createDataDir } from './support/databases.ts';

const post = (id: string) =>
  JSON.stringify({ source: 'hn', externalId: id, body: 'Claude Code fixed my tests.', createdAt: '2026-03-01T12:00:00Z' });

/** The exit codes README.md documents, one process per case. */
describe('exit codes, the same for every command', () => {
  const dataDir = createDataDir();
  const env = { DATA_DIR: copyEmptyCluster(join(dataDir.dir, 'db')) };
  const file = (name: string, lines: string[]): string => {
    const path = join(dataDir.dir, name);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  };
  afterAll(() => dataDir.remove());

  it('0 when everything asked was done', async () => {
    const version = await runCli(['--version'], env);
    expect(version.code).toBe(EXIT.ok);
    expect(version.stdout.trim()).toBe(VIBECHECK_VERSION);
    // Commands load lazily; help still lists every one of them.
    const help = await runCli(['--help'], env);
    expect(help.code).toBe(EXIT.ok);
    for (const command of [
      'serve',
      'worker',
      'collect',
      'backfill',
      'import',
      'sentiment',
      'rescore',
      'spikes',
      'db',
      'entities',
      'doctor',
      'export',
      'preview',
      'alerts',
      'digest',
      'digests',
    ]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    const clean = await runCli(['import', file('clean.jsonl', [post('1'), post('2')])], env);
    expect(clean.code, clean.stderr).toBe(EXIT.ok);
    expect(clean.stdout.trim()).toBe('read 2, stored 2, duplicates 0, rejected 0');
  });

  it('2 for bad input: flags, arguments, an unreadable input file, rejected lines', async () => {
    const flag = await runCli(['import', '--no-such-flag'], env);
    expect(flag.code).toBe(EXIT.badInput);
    expect(flag.stderr).toMatch(/^vibecheck: error: unknown option '--no-such-flag'/);
    expect((await runCli(['no-such-command'], env)).code).toBe(EXIT.badInput);

    const missing = await runCli(['import', join(dataDir.dir, 'missing.jsonl')], env);
    expect(missing.code).toBe(EXIT.badInput);
    expect(missing.stderr).toMatch(/^vibecheck: error: cannot read .*missing\.jsonl: ENOENT/);
    const directory = await runCli(['sentiment', 'classify', dataDir.dir], env);
    expect(directory.code).toBe(EXIT.badInput);
    expect(directory.stderr).toMatch(/^vibecheck: error: cannot read .*: it is a directory$/m);

    const allRejected = await runCli(['import', file('junk.jsonl', ['not json', '{"source":"hn"}'])], env);
    expect(allRejected.code).toBe(EXIT.badInput);
    expect(allRejected.stdout.trim()).toBe('read 2, stored 0, duplicates 0, rejected 2');
    expect(allRejected.stderr).toMatch(/^line 1: invalid JSON/m);
    const someRejected = await runCli(['import', file('mixed.jsonl', [post('3'), 'not json'])], env);
    expect(someRejected.code).toBe(EXIT.badInput);
    expect(someRejected.stdout.trim()).toBe('read 2, stored 1, duplicates 0, rejected 1');
  });

  it('1 when a run fails, such as the database being unreachable (a locked directory and a full disk: lock and disk-full tests)', async () => {
    const unreachable = await runCli(['db', 'status'], { DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none' });
    expect(unreachable.code).toBe(EXIT.failed);
    expect(unreachable.stderr).toMatch(/^vibecheck: error: cannot reach the database at DATABASE_URL/);
  });

  it('78 for bad configuration', async () => {
    const config = await runCli(['db', 'status'], { ...env, LOG_LEVEL: 'loud' });
    expect(config.code).toBe(EXIT.config);
    expect(config.stderr).toMatch(/^vibecheck: error: invalid configuration: LOG_LEVEL/);
  });
});
