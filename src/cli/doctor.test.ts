import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataDir } from '../../test/support/databases.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { analysisVersion } from '../pipeline/analysis-version.ts';
import { checkAnalysis, type Check } from './doctor.ts';

describe('doctor: posts read by an older model', () => {
  const dataDir = createDataDir({ cluster: true });
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
    await migrate(database.db);
    for (const [id, version] of [
      ['a', analysisVersion()],
      ['b', 'devsent-6'],
      ['c', null],
    ] as const)
      await sql`
        INSERT INTO posts (source, external_id, body, created_at, content_hash, model_version, sentiment_label, sentiment_score, sentiment_confidence)
        VALUES ('hn', ${id}, 'Cursor is fine.', '2026-03-02T12:00:00Z', ${id}, ${version}, 'neutral', 0, 0.5)`.execute(database.db);
  });
  afterAll(async () => {
    await database.close();
    dataDir.remove();
  });

  it('warns with how many posts an older model (or none) read, and is ok once all are current', async () => {
    const checks: Check[] = [];
    await checkAnalysis(database.db, checks);
    expect(checks).toEqual([
      {
        name: 'analysis',
        state: 'warn',
        detail: `2 of 3 posts read by an older model than ${analysisVersion()}; \`vibecheck rescore\` re-reads them`,
      },
    ]);
    await sql`UPDATE posts SET model_version = ${analysisVersion()}`.execute(database.db);
    const after: Check[] = [];
    await checkAnalysis(database.db, after);
    expect(after).toEqual([{ name: 'analysis', state: 'ok', detail: `3 posts read by ${analysisVersion()}` }]);
  });
});
