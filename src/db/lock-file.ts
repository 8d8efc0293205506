import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { DiskFullError, StartupError, messageOf } from '../core/errors.ts';
import { asDiskFullError } from './disk-space.ts';

/** Who holds the lock; `token` tells this holder from any other, whatever its pid and host name. */
const LockOwner = z.object({ pid: z.number().int(), hostname: z.string(), startedAt: z.string(), command: z.string(), token: z.string() });
export type LockOwner = z.infer<typeof LockOwner>;

/** A live holder touches the lock every `updateMs`; one untouched for `staleMs` has no holder. */
export interface LockTiming {
  staleMs: number;
  updateMs: number;
}

export interface DataDirLock {
  path: string;
  owner: LockOwner;
  release(): Promise<void>;
}

export interface AcquireLockOptions {
  command?: string;
  /** Called once if the lock is deleted or replaced while held: stop writing to the directory. */
  onLost?: (error: StartupError) => void;
  timing?: LockTiming;
}

/** What the lock's thread (lock-worker.mjs) reports. */
type LockEvent =
  | { type: 'acquired' }
  | { type: 'held' }
  | { type: 'failed'; message: string; code: string | undefined }
  | { type: 'lost'; reason: string }
  | { type: 'released' };

/** The lock itself: a directory whose modification time the holder keeps fresh (proper-lockfile). */
export const LOCK_FILE_NAME = 'vibecheck.lock';
/** Who holds it, for the message another process shows. */
export const OWNER_FILE_NAME = 'vibecheck.lock.json';
export const LOCK_TIMING: LockTiming = { staleMs: 10_000, updateMs: 2_000 };

export function readLockOwner(dataDir: string): LockOwner | null {
  try {
    return LockOwner.parse(JSON.parse(readFileSync(join(dataDir, OWNER_FILE_NAME), 'utf8')));
  } catch {
    return null;
  }
}

/** Written whole or not at all, so a reader never sees half an owner. */
function writeLockOwner(dataDir: string, owner: LockOwner): void {
  const temporary = join(dataDir, `${OWNER_FILE_NAME}.${owner.token}`);
  try {
    writeFileSync(temporary, JSON.stringify(owner));
    renameSync(temporary, join(dataDir, OWNER_FILE_NAME));
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** Removes the owner file when `owner` is still the one it names; true if it did. */
function removeOwnerIfOwned(dataDir: string, owner: LockOwner): boolean {
  if (readLockOwner(dataDir)?.token !== owner.token) return false;
  rmSync(join(dataDir, OWNER_FILE_NAME), { force: true });
  return true;
}

export function describeOwner(owner: LockOwner | null): string {
  if (!owner) return 'another process (its owner file is missing or unreadable)';
  return `process ${owner.pid} on ${owner.hostname} (vibecheck ${owner.command}, since ${owner.startedAt})`;
}

/** Whether the lock looks held right now, without waiting to see it move (doctor). */
export function inspectDataDirLock(dataDir: string, timing = LOCK_TIMING): { state: 'free' | 'held' | 'stale'; owner: LockOwner | null } {
  const owner = readLockOwner(dataDir);
  try {
    const age = Date.now() - statSync(join(dataDir, LOCK_FILE_NAME)).mtimeMs;
    return { state: age < timing.staleMs ? 'held' : 'stale', owner };
  } catch {
    return { state: 'free', owner };
  }
}

function nextEvent(worker: Worker): Promise<LockEvent> {
  return new Promise((resolve) => {
    const settle = (event: LockEvent): void => {
      worker.off('message', settle).off('error', onError).off('exit', onExit);
      resolve(event);
    };
    const onError = (error: Error): void => settle({ type: 'failed', message: error.message, code: undefined });
    const onExit = (code: number): void => settle({ type: 'failed', message: `its thread exited with code ${code}`, code: undefined });
    worker.on('message', settle).on('error', onError).on('exit', onExit);
  });
}

/**
 * The embedded database has one session and nothing stops a second process from opening the same
 * files, so the data directory is ours only while we hold this lock: a live holder's is never
 * taken (its time moves), a dead one's is taken once stale, whatever its pid or host name.
 */
export async function acquireDataDirLock(dataDir: string, options: AcquireLockOptions = {}): Promise<DataDirLock> {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw failure(dataDir, error);
  }
  const path = join(dataDir, LOCK_FILE_NAME);
  const timing = options.timing ?? LOCK_TIMING;
  const worker = new Worker(new URL('./lock-worker.mjs', import.meta.url), { workerData: { dataDir, path, timing } });
  const first = await nextEvent(worker);
  if (first.type !== 'acquired') {
    await worker.terminate();
    if (first.type === 'held') {
      throw new StartupError(
        `the data directory ${dataDir} is in use by ${describeOwner(readLockOwner(dataDir))}; stop it first or set DATA_DIR to another directory`,
      );
    }
    const message = first.type === 'failed' ? first.message : `unexpected ${first.type}`;
    throw failure(dataDir, Object.assign(new Error(message), { code: first.type === 'failed' ? first.code : undefined }));
  }
  const releaseThread = async (): Promise<void> => {
    // Referenced again, or a process with nothing else to do would exit before the answer.
    worker.ref();
    const released = nextEvent(worker);
    worker.postMessage('release');
    await released;
    await worker.terminate();
  };
  const owner: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    command: options.command ?? process.argv.slice(2).join(' '),
    token: randomUUID(),
  };
  const previous = readLockOwner(dataDir);
  try {
    writeLockOwner(dataDir, owner);
  } catch (error) {
    await releaseThread();
    throw failure(dataDir, error);
  }

  let state: 'held' | 'lost' | 'released' = 'held';
  // A process that ends without closing (process.exit) still frees the lock on its way out.
  const releaseAtExit = (): void => {
    if (removeOwnerIfOwned(dataDir, owner)) rmSync(path, { recursive: true, force: true });
  };
  const lose = (reason: string): void => {
    if (state !== 'held') return;
    state = 'lost';
    clearInterval(ownerCheck);
    process.off('exit', releaseAtExit);
    options.onLost?.(
      new StartupError(`lost the lock on the data directory ${dataDir}: ${reason}; stopped so that two processes never share its files`),
    );
  };
  const ownerCheck = setInterval(() => {
    if (readLockOwner(dataDir)?.token !== owner.token) lose(`${join(dataDir, OWNER_FILE_NAME)} was deleted or changed`);
  }, timing.updateMs).unref();
  worker.on('message', (event: LockEvent) => event.type === 'lost' && lose(event.reason));
  worker.on('exit', () => lose('its thread stopped'));
  worker.unref();
  process.on('exit', releaseAtExit);
  // A holder that did not release (its lock was deleted under it, or it died) may still be running
  // until its next check: give it that long to see the lock is ours and stop.
  if (previous) await sleep(timing.updateMs * 1.5);
  return {
    path,
    owner,
    release: async () => {
      process.off('exit', releaseAtExit);
      clearInterval(ownerCheck);
      if (state !== 'held') return void (await worker.terminate());
      state = 'released';
      // The owner goes first: a process finding the lock without one waits for it to go.
      removeOwnerIfOwned(dataDir, owner);
      await releaseThread();
    },
  };
}

function failure(dataDir: string, cause: unknown): unknown {
  const diskFull = asDiskFullError(cause, dataDir);
  return diskFull instanceof DiskFullError
    ? diskFull
    : new StartupError(`cannot take the lock in ${dataDir}: ${messageOf(cause)}`, { cause });
}
