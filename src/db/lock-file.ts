import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StartupError } from '../core/errors.ts';

export interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: string;
  command: string;
}

export interface DataDirLock {
  path: string;
  owner: LockOwner;
  release(): void;
}

export const LOCK_FILE_NAME = 'vibecheck.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLockOwner(dataDir: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(join(dataDir, LOCK_FILE_NAME), 'utf8')) as LockOwner;
  } catch {
    return null;
  }
}

/** True when the lock's owner is gone (same host, process no longer running). */
export function isStale(owner: LockOwner): boolean {
  return owner.hostname === hostname() && !isAlive(owner.pid);
}

/**
 * The embedded database has one session and nothing stops a second process from opening the
 * same files, so the data directory is ours only while we hold this file.
 */
export function acquireDataDirLock(dataDir: string, command = process.argv.slice(2).join(' ')): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE_NAME);
  const owner: LockOwner = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), command };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify(owner));
      closeSync(fd);
      const release = (): void => {
        const current = readLockOwner(dataDir);
        if (current?.pid === owner.pid && current.startedAt === owner.startedAt) unlinkSync(path);
        process.off('exit', release);
      };
      process.on('exit', release);
      return { path, owner, release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readLockOwner(dataDir);
      if (holder && !isStale(holder)) {
        throw new StartupError(
          `the data directory ${dataDir} is in use by process ${holder.pid} on ${holder.hostname} ` +
            `(vibecheck ${holder.command || ''}, since ${holder.startedAt}); stop it first or set DATA_DIR to another directory`,
        );
      }
      try {
        unlinkSync(path);
      } catch {
        // Another process removed the stale lock first; the next attempt sorts out who wins.
      }
    }
  }
  throw new StartupError(`could not take the lock ${path}`);
}
