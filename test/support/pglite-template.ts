import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

export interface PgliteTemplate {
  /** A data directory holding only `pgdata`: a PGlite cluster fresh from initdb, closed cleanly. */
  dir: string;
  remove(): void;
}

/**
 * Runs PGlite's initdb once for the whole suite. Creating a cluster costs 5-30 s of CPU on a busy
 * 2-core machine (reopening one costs about 1 s), and every fresh embedded database in the tests
 * paid it; a copy of this one is the same empty cluster, with no migration applied and no entity
 * seeded, so the app's own first start (migrate, seed) still runs on it.
 */
export async function createPgliteTemplate(): Promise<PgliteTemplate> {
  const dir = mkdtempSync(join(tmpdir(), 'vibecheck-pglite-template-'));
  const pglite = await PGlite.create(join(dir, 'pgdata'));
  await pglite.close();
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
