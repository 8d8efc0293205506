import { describe, expect, it } from 'vitest';
import { createDataDir } from '../../test/support/databases.ts';
import { DiskFullError } from '../core/errors.ts';
import { asDiskFullError, assertFreeSpace, freeBytes, isDiskFull } from './disk-space.ts';

const nodeError = (code: string) => Object.assign(new Error(`${code}: something, write`), { code });
// The shapes a full disk takes: Node's fs, PostgreSQL (server or PGlite), PGlite's own file system.
const postgresDiskFull = Object.assign(new Error('could not extend file "base/5/16432": No space left on device'), { code: '53100' });
const pgliteErrno = { name: 'ErrnoError', errno: 51 };

describe('recognising a full disk', () => {
  it('knows ENOSPC, EDQUOT, PostgreSQL 53100 and PGlite errno 51, and nothing else', () => {
    for (const error of [nodeError('ENOSPC'), nodeError('EDQUOT'), postgresDiskFull, pgliteErrno]) expect(isDiskFull(error)).toBe(true);
    for (const error of [
      nodeError('EACCES'),
      Object.assign(new Error('duplicate'), { code: '23505' }),
      { name: 'ErrnoError', errno: 44 },
      'ENOSPC',
      null,
    ]) {
      expect(isDiskFull(error)).toBe(false);
    }
  });

  it('names where the disk is full and keeps the original message; other errors pass through unchanged', () => {
    const fromPostgres = asDiskFullError(postgresDiskFull, '/srv/vibecheck/data');
    expect(fromPostgres).toBeInstanceOf(DiskFullError);
    expect((fromPostgres as Error).message).toBe(
      'the disk holding /srv/vibecheck/data is full (could not extend file "base/5/16432": No space left on device); free some space and run it again',
    );
    expect((asDiskFullError(pgliteErrno, '/data') as Error).message).toBe(
      'the disk holding /data is full (no space left on device); free some space and run it again',
    );
    const other = nodeError('EACCES');
    expect(asDiskFullError(other, '/data')).toBe(other);
    expect(asDiskFullError(fromPostgres, '/elsewhere')).toBe(fromPostgres);
  });

  it('refuses below a minimum of free space, saying how much is free', () => {
    const dataDir = createDataDir();
    try {
      expect(freeBytes(dataDir.dir)).toBeGreaterThan(0);
      expect(() => assertFreeSpace(dataDir.dir, 0)).not.toThrow();
      expect(() => assertFreeSpace(dataDir.dir, Number.MAX_SAFE_INTEGER)).toThrow(
        new RegExp(`^the disk holding ${dataDir.dir} is full: \\d+ MB free, and the embedded database stops below \\d+ MB`),
      );
    } finally {
      dataDir.remove();
    }
  });
});
