import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createDataDir } from '../../test/support/databases.ts';
import type { StartupError } from '../core/errors.ts';
import { openDatabase } from './client.ts';
import { LOCK_FILE_NAME, LOCK_TIMING } from './lock-file.ts';

describe('the embedded database and its lock', () => {
  it('refuses every query once its lock is deleted, and says so to the owner', async () => {
    const dataDir = createDataDir({ cluster: true });
    let lost: (error: StartupError) => void;
    const lockLost = new Promise<StartupError>((resolve) => (lost = resolve));
    const database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir, onLockLost: (error) => lost(error) });
    try {
      await sql`SELECT 1`.execute(database.db);
      rmSync(join(dataDir.dir, LOCK_FILE_NAME), { recursive: true });
      const error = await Promise.race([
        lockLost,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('never lost')), LOCK_TIMING.updateMs * 4)),
      ]);
      expect(error.message).toMatch(/^lost the lock on the data directory .*vibecheck\.lock was deleted or replaced/);
      await expect(sql`SELECT 1`.execute(database.db)).rejects.toThrow(error.message);
    } finally {
      await database.close();
      dataDir.remove();
    }
  });
});
