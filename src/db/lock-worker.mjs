// @ts-check
// The data-directory lock's thread: takes the lock (a directory, proper-lockfile) and keeps its
// time fresh, so a main thread busy in a long query never lets it go stale. Plain JavaScript: a
// TypeScript loader would add half a second to every start. Messages: LockEvent in lock-file.ts.
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import lockfile from 'proper-lockfile';

/** @type {{ dataDir: string, path: string, timing: { staleMs: number, updateMs: number } }} */
const { dataDir, path, timing } = workerData;
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

// proper-lockfile removes a stale lock with rmdir; a garbled one (a file, or a directory with
// something in it) must go the same way.
const lockFs = {
  ...fs,
  rmdir: (/** @type {string} */ target, /** @type {fs.NoParamCallback} */ callback) =>
    fs.rm(target, { recursive: true, force: true }, callback),
  rmdirSync: (/** @type {string} */ target) => fs.rmSync(target, { recursive: true, force: true }),
};

/** @param {string} target */
function modifiedAt(target) {
  try {
    return fs.statSync(target).mtimeMs;
  } catch {
    return null;
  }
}

/**
 * Watches a lock that is not stale yet: 'beating' when its time moves (a live holder refreshes it
 * every updateMs), 'gone' when it disappears, 'still' when neither happens within 1.5 intervals.
 * @returns {Promise<'beating' | 'gone' | 'still'>}
 */
async function watchHeartbeat() {
  const first = modifiedAt(path);
  const deadline = Date.now() + timing.updateMs * 1.5;
  while (first !== null && Date.now() < deadline) {
    await sleep(Math.min(250, timing.updateMs / 4));
    const now = modifiedAt(path);
    if (now === null) return 'gone';
    if (now !== first) return 'beating';
  }
  return first === null ? 'gone' : 'still';
}

/** @param {unknown} error */
const failed = (error) => {
  const { message, code } = /** @type {NodeJS.ErrnoException} */ (error);
  port.postMessage({ type: 'failed', message: String(message), code });
};

let lost = false;

/** Takes the lock, waiting out a holder that stopped; undefined when it is held or failed (reported). */
async function take() {
  const started = Date.now();
  for (;;) {
    try {
      return await lockfile.lock(dataDir, {
        lockfilePath: path,
        realpath: false,
        stale: timing.staleMs,
        update: timing.updateMs,
        fs: lockFs,
        onCompromised: (error) => {
          lost = true;
          port.postMessage({ type: 'lost', reason: `${path} was deleted or replaced (${error.message})` });
        },
      });
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'ELOCKED') return failed(error);
      const heartbeat = await watchHeartbeat();
      if (heartbeat === 'beating') return port.postMessage({ type: 'held' });
      // 'still' is a dead holder, taken over once stale; a lock dated in the future never gets stale.
      const waited = Date.now() - started;
      if (heartbeat === 'still' && waited > timing.staleMs + timing.updateMs * 3) {
        return failed(
          new Error(
            `${path} has not changed in ${Math.round(waited / 1000)} s yet is dated ahead; remove it if no VibeCheck process uses ${dataDir}`,
          ),
        );
      }
    }
  }
}

const release = await take();
if (release) {
  port.on('message', (message) => {
    if (message !== 'release') return;
    const done = () => {
      port.postMessage({ type: 'released' });
      port.close();
    };
    if (lost) done();
    else
      release()
        .catch(() => undefined)
        .finally(done);
  });
  port.postMessage({ type: 'acquired' });
}
