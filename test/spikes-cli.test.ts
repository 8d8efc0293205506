import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/errors.ts';
import { openDatabase } from '../src/db/client.ts';
import { runCli } from './support/cli.ts';
import { copyEmptyCluster, createDataDir } from './support/databases.ts';

const DAY_MS = 86_400_000;
// Sixty days of history ending a year ago: Cursor twice a day, and thirty posts on one day (a volume spike).
const START = Date.UTC(2025, 0, 1);
const SPIKE_DAY = '2025-02-15';

function history(): string[] {
  const lines: string[] = [];
  for (let day = 0; day < 60; day++) {
    const date = new Date(START + day * DAY_MS).toISOString().slice(0, 10);
    const count = date === SPIKE_DAY ? 30 : 2;
    for (let i = 0; i < count; i++) {
      lines.push(
        JSON.stringify({
          source: 'hn',
          externalId: `${date}-${i}`,
          body: `Cursor finished the refactor (${i}).`,
          createdAt: `${date}T${String(8 + (i % 12)).padStart(2, '0')}:00:00Z`,
        }),
      );
    }
  }
  return lines;
}

describe('history imported past the days the schedule judges, then vibecheck spikes', () => {
  const dataDir = createDataDir();
  const env = { DATA_DIR: copyEmptyCluster(join(dataDir.dir, 'db')) };
  let imported: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    const file = join(dataDir.dir, 'history.jsonl');
    writeFileSync(file, `${history().join('\n')}\n`);
    imported = await runCli(['import', file], env);
  });
  afterAll(() => dataDir.remove());

  const spikeEvents = async (): Promise<Array<{ external_id: string }>> => {
    const database = await openDatabase({ databaseUrl: undefined, dataDir: env.DATA_DIR });
    try {
      return (
        await sql<{ external_id: string }>`SELECT external_id FROM events WHERE kind = 'spike' ORDER BY external_id`.execute(database.db)
      ).rows;
    } finally {
      await database.close();
    }
  };

  it('import says the history reaches past the scheduled detection, and which command reads it', () => {
    expect(imported.code, imported.stderr).toBe(EXIT.ok);
    expect(imported.stderr).toContain(
      'posts from 2025-01-01 on: the schedule looks for spikes in the last 14 days only; `vibecheck spikes --since 2025-01-01` finds them in this history',
    );
  });

  it('finds the spike in the days asked for, stores it once however often it runs, and refuses a window it cannot judge', async () => {
    const run = () => runCli(['spikes', '--since', '2025-01-01', '--until', '2025-03-02', '--json'], env);
    const first = await run();
    expect(first.code, first.stderr).toBe(EXIT.ok);
    const result = JSON.parse(first.stdout) as { days: number; spikes: number; regressions: number };
    expect(result.days).toBe(60);
    expect(result.spikes).toBeGreaterThanOrEqual(1);
    const events = await spikeEvents();
    expect(events.map((e) => e.external_id)).toContain(`spike:cursor:volume:${SPIKE_DAY}`);
    // A rerun refreshes the same events.
    expect((await run()).code).toBe(EXIT.ok);
    expect(await spikeEvents()).toEqual(events);

    const backwards = await runCli(['spikes', '--since', '2025-03-02', '--until', '2025-01-01'], env);
    expect(backwards.code).toBe(EXIT.badInput);
    expect(backwards.stderr).toMatch(/^vibecheck: error: --since must name a day before --until/);
    const tooLong = await runCli(['spikes', '--since', '2000-01-01', '--until', '2026-01-01'], env);
    expect(tooLong.code).toBe(EXIT.badInput);
    expect(tooLong.stderr).toMatch(/at most 3660 days at once \(asked for 9497\)/);
  });
});
