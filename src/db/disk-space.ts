import { statfsSync } from 'node:fs';
import { DiskFullError } from '../core/errors.ts';

const MB = 1024 * 1024;

/**
 * PGlite does not survive running out of space mid-write (a WAL segment it cannot create leaves
 * it spinning, never answering), so the embedded database takes no new work below this.
 */
export const DISK_RESERVE_BYTES = 64 * MB;
/** What recording a failure may still use: room for one more 16 MB WAL segment. */
export const DISK_FLOOR_BYTES = 20 * MB;

/** Emscripten's errno for ENOSPC, as PGlite's file-system errors carry it. */
const WASM_ENOSPC = 51;

/** Bytes an unprivileged process may still write on the file system holding `dir`. */
export function freeBytes(dir: string): number {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
}

/** True for "no space left" from Node (ENOSPC, EDQUOT), PostgreSQL (53100) or PGlite's file system. */
export function isDiskFull(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, errno, name } = error as { code?: unknown; errno?: unknown; name?: unknown };
  return code === 'ENOSPC' || code === 'EDQUOT' || code === '53100' || (name === 'ErrnoError' && errno === WASM_ENOSPC);
}

/** `error` as a DiskFullError naming `where` when it is one, else unchanged. */
export function asDiskFullError(error: unknown, where: string): unknown {
  if (error instanceof DiskFullError || !isDiskFull(error)) return error;
  const detail = error instanceof Error ? error.message : 'no space left on device';
  return new DiskFullError(`the disk holding ${where} is full (${detail}); free some space and run it again`, { cause: error });
}

/** Throws a DiskFullError when less than `minimum` bytes are free for `dir`. */
export function assertFreeSpace(dir: string, minimum: number): void {
  const free = freeBytes(dir);
  if (free >= minimum) return;
  throw new DiskFullError(
    `the disk holding ${dir} is full: ${Math.floor(free / MB)} MB free, and the embedded database stops below ` +
      `${Math.round(minimum / MB)} MB to keep its files intact; free some space and run it again`,
  );
}
