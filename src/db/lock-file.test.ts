import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDataDir } from '../../test/support/databases.ts';
import { acquireDataDirLock, LOCK_FILE_NAME, readLockOwner } from './lock-file.ts';

let dataDir: ReturnType<typeof createDataDir>;
afterEach(() => dataDir.remove());

describe('data directory lock', () => {
  it('records who holds it and removes the file on release', () => {
    dataDir = createDataDir();
    const lock = acquireDataDirLock(dataDir.dir, 'serve');
    expect(readLockOwner(dataDir.dir)).toMatchObject({ pid: process.pid, command: 'serve' });
    lock.release();
    expect(existsSync(join(dataDir.dir, LOCK_FILE_NAME))).toBe(false);
  });

  it('refuses a second holder with a message naming the first', () => {
    dataDir = createDataDir();
    const lock = acquireDataDirLock(dataDir.dir, 'serve');
    expect(() => acquireDataDirLock(dataDir.dir, 'import x')).toThrow(
      new RegExp(`in use by process ${process.pid} .*vibecheck serve`),
    );
    lock.release();
  });

  it('takes over a lock whose process has died', () => {
    dataDir = createDataDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(dead.stdout.toString());
    writeFileSync(
      join(dataDir.dir, LOCK_FILE_NAME),
      JSON.stringify({ pid: deadPid, hostname: hostname(), startedAt: '2026-01-01T00:00:00Z', command: 'serve' }),
    );
    const lock = acquireDataDirLock(dataDir.dir, 'serve');
    expect(readLockOwner(dataDir.dir)?.pid).toBe(process.pid);
    lock.release();
  });
});
