import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createDataDir } from '../../test/support/databases.ts';
import { FAST_LOCK } from '../../test/support/lock-timing.ts';
import type { StartupError } from '../core/errors.ts';
import { acquireDataDirLock, inspectDataDirLock, LOCK_FILE_NAME, OWNER_FILE_NAME, readLockOwner, type DataDirLock } from './lock-file.ts';

const HOLD_LOCK = fileURLToPath(new URL('../../test/support/hold-lock.ts', import.meta.url));

let dataDir: ReturnType<typeof createDataDir>;
let holders: ChildProcess[] = [];
let locks: DataDirLock[] = [];
afterEach(async () => {
  for (const child of holders) child.kill('SIGKILL');
  for (const lock of locks) await lock.release();
  holders = [];
  locks = [];
  dataDir.remove();
});

const acquire = async (options: { command?: string; onLost?: (error: StartupError) => void } = {}): Promise<DataDirLock> => {
  const lock = await acquireDataDirLock(dataDir.dir, { command: 'test', timing: FAST_LOCK, ...options });
  locks.push(lock);
  return lock;
};

/** Another process holding the lock; resolves once it has it. */
function holdInChild(mode: 'hold' | 'exit' = 'hold'): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLD_LOCK, dataDir.dir, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  holders.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve(child));
    child.on('exit', (code) => mode === 'hold' && reject(new Error(`the holder exited with ${code}`)));
  });
}

/** A lock left behind by a process that is gone, last touched `ageMs` ago, owned by `owner`. */
function leaveLock(ageMs: number, owner: Record<string, unknown>): void {
  const path = join(dataDir.dir, LOCK_FILE_NAME);
  mkdirSync(path, { recursive: true });
  writeFileSync(
    join(dataDir.dir, OWNER_FILE_NAME),
    JSON.stringify({ startedAt: '2026-01-01T00:00:00Z', command: 'serve', token: 'old', ...owner }),
  );
  const then = new Date(Date.now() - ageMs);
  utimesSync(path, then, then);
}

/** Keeps a lock's time moving the way a live holder does, without any process of that pid. */
function beatLock(): () => void {
  const timer = setInterval(() => {
    const now = new Date();
    utimesSync(join(dataDir.dir, LOCK_FILE_NAME), now, now);
  }, 300);
  return () => clearInterval(timer);
}

const lostWithin = (ms: number) => {
  let resolveLost: (error: StartupError) => void;
  const lost = new Promise<StartupError>((resolve) => (resolveLost = resolve));
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not lost within ${ms} ms`)), ms));
  return { onLost: (error: StartupError) => resolveLost(error), lost: Promise.race([lost, timeout]) };
};

describe('data directory lock', () => {
  it('records who holds it and removes the lock and its owner on release', async () => {
    dataDir = createDataDir();
    const lock = await acquire({ command: 'serve' });
    expect(readLockOwner(dataDir.dir)).toMatchObject({ pid: process.pid, hostname: hostname(), command: 'serve', token: lock.owner.token });
    expect(inspectDataDirLock(dataDir.dir, FAST_LOCK).state).toBe('held');
    await lock.release();
    expect(existsSync(join(dataDir.dir, LOCK_FILE_NAME))).toBe(false);
    expect(existsSync(join(dataDir.dir, OWNER_FILE_NAME))).toBe(false);
    expect(inspectDataDirLock(dataDir.dir, FAST_LOCK).state).toBe('free');
  });

  it('refuses a second holder while the first lives, naming its pid, command and start', async () => {
    dataDir = createDataDir();
    const first = await acquire({ command: 'serve' });
    await expect(acquire({ command: 'import x' })).rejects.toThrow(
      new RegExp(`in use by process ${process.pid} on ${hostname()} \\(vibecheck serve, since ${first.owner.startedAt}\\)`),
    );
  });

  it('refuses while a holder in another process lives, and takes over within the staleness limit once it is SIGKILLed', async () => {
    dataDir = createDataDir();
    const child = await holdInChild();
    await expect(acquire()).rejects.toThrow(new RegExp(`in use by process ${child.pid} .*vibecheck hold-lock`));
    child.kill('SIGKILL');
    const killedAt = Date.now();
    await new Promise((resolve) => child.once('exit', resolve));
    const lock = await acquire();
    expect(Date.now() - killedAt).toBeLessThan(FAST_LOCK.staleMs + FAST_LOCK.updateMs * 3);
    expect(readLockOwner(dataDir.dir)?.token).toBe(lock.owner.token);
  });

  it('frees the lock when the holder calls process.exit without releasing', async () => {
    dataDir = createDataDir();
    const child = await holdInChild('exit');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
    expect(existsSync(join(dataDir.dir, LOCK_FILE_NAME))).toBe(false);
    await acquire();
  });

  it('takes over a stale lock whose pid is alive again (pid reuse, pid 1 in a restarted container)', async () => {
    dataDir = createDataDir();
    leaveLock(60_000, { pid: process.pid, hostname: hostname() });
    const lock = await acquire();
    expect(readLockOwner(dataDir.dir)?.token).toBe(lock.owner.token);
  });

  it('refuses a live heartbeat whatever its owner says: a dead pid, another host name', async () => {
    dataDir = createDataDir();
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
    leaveLock(0, { pid: dead, hostname: 'another-container' });
    const stop = beatLock();
    try {
      await expect(acquire()).rejects.toThrow(new RegExp(`in use by process ${dead} on another-container`));
    } finally {
      stop();
    }
  });

  it('takes over a stale lock from another host name (a new container on the same volume)', async () => {
    dataDir = createDataDir();
    leaveLock(60_000, { pid: 1, hostname: 'old-container' });
    await acquire();
  });

  it('takes over a garbled lock once it is stale: junk instead of the lock and its owner', async () => {
    dataDir = createDataDir();
    writeFileSync(join(dataDir.dir, LOCK_FILE_NAME), 'junk');
    writeFileSync(join(dataDir.dir, OWNER_FILE_NAME), '{"pid": ');
    const started = Date.now();
    const lock = await acquire();
    // Fresh junk is waited on like a holder that just stopped, then replaced.
    expect(Date.now() - started).toBeGreaterThanOrEqual(FAST_LOCK.staleMs - 500);
    expect(readLockOwner(dataDir.dir)?.token).toBe(lock.owner.token);
  });

  it('tells its holder when the lock is deleted, and never touches the next holder’s lock', async () => {
    dataDir = createDataDir();
    const watch = lostWithin(FAST_LOCK.updateMs * 4);
    const first = await acquire(watch);
    rmSync(join(dataDir.dir, LOCK_FILE_NAME), { recursive: true });
    expect((await watch.lost).message).toMatch(/lost the lock on the data directory .*vibecheck\.lock was deleted or replaced/);
    const second = await acquire();
    await first.release();
    expect(readLockOwner(dataDir.dir)?.token).toBe(second.owner.token);
    expect(inspectDataDirLock(dataDir.dir, FAST_LOCK).state).toBe('held');
  });

  it('returns a lock deleted under a running holder only once that holder has been told to stop', async () => {
    dataDir = createDataDir();
    let stoppedAt = 0;
    await acquire({ onLost: () => (stoppedAt = Date.now()) });
    rmSync(join(dataDir.dir, LOCK_FILE_NAME), { recursive: true });
    await acquire();
    expect(stoppedAt).toBeGreaterThan(0);
  });

  it('tells its holder when the lock is replaced by junk', async () => {
    dataDir = createDataDir();
    const watch = lostWithin(FAST_LOCK.updateMs * 4);
    await acquire(watch);
    rmSync(join(dataDir.dir, LOCK_FILE_NAME), { recursive: true });
    writeFileSync(join(dataDir.dir, LOCK_FILE_NAME), 'junk');
    expect((await watch.lost).message).toMatch(/vibecheck\.lock was deleted or replaced/);
  });

  it('tells its holder when its owner file is deleted or garbled', async () => {
    dataDir = createDataDir();
    const watch = lostWithin(FAST_LOCK.updateMs * 4);
    await acquire(watch);
    writeFileSync(join(dataDir.dir, OWNER_FILE_NAME), 'garbled');
    expect((await watch.lost).message).toMatch(/vibecheck\.lock\.json was deleted or changed/);
  });
});
