import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDataDir } from '../../../test/support/databases.ts';
import { SILENT_LOG } from '../../../test/support/admin-app.ts';
import { insertTestEntity, insertTestMention } from '../../../test/support/mentions.ts';
import { openDatabase, type Database } from '../../db/client.ts';
import { migrate } from '../../db/migrate.ts';
import { rebuildRollups } from '../../db/queries/ingest.ts';
import { createApp } from '../app.ts';
import { warmDashboardReads } from './warm-up.ts';

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const day = (offset: number) => new Date(today + offset * DAY).toISOString().slice(0, 10);

let database: Database;
let dataDir: ReturnType<typeof createDataDir>;
let statements: string[] = [];

beforeAll(async () => {
  dataDir = createDataDir({ cluster: true });
  database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir, onQuery: (sql) => statements.push(sql) });
  await migrate(database.db);
  const alpha = await insertTestEntity(database.db, 'alpha');
  await insertTestMention(database.db, alpha, { at: new Date(today - 3 * DAY).toISOString(), score: 0.5, label: 'positive' });
  await rebuildRollups(database.db, new Date(today - 90 * DAY), new Date(today + DAY));
});

afterAll(async () => {
  await database.close();
  dataDir.remove();
});

it("runs the statements of the dashboard's first view: the overview over the last 30 days and the sources", async () => {
  const app = createApp({
    db: database.db,
    settings: { adminToken: 'warm-up-admin', corsOrigins: [] },
    log: SILENT_LOG,
    sources: [],
    checkReady: async () => ({ ready: true }),
  });
  // What the overview asks for on its first view (web/src/lib/window.ts: 30 days, dates in UTC).
  statements = [];
  for (const path of [`/api/v1/entities?from=${day(-29)}&to=${day(1)}`, '/api/v1/sources'])
    expect((await app.request(path)).status).toBe(200);
  const firstView = new Set(statements);
  statements = [];
  await warmDashboardReads(database.db);
  expect(new Set(statements)).toEqual(firstView);
});
