import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/errors.ts';
import { openDatabase } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { rebuildRollups } from '../src/db/queries/ingest.ts';
import { runCli } from './support/cli.ts';
import { copyEmptyCluster, createDataDir } from './support/databases.ts';
import { insertTestEntity, insertTestMention } from './support/mentions.ts';
import { noiseHistory, plantedComplaints } from './support/shift-history.ts';

const DAY = 86_400_000;

/** `vibecheck digest` in its own process over an embedded database holding a planted drop. */
describe('vibecheck digest', () => {
  const dataDir = createDataDir();
  const env = { DATA_DIR: copyEmptyCluster(join(dataDir.dir, 'db')) };

  beforeAll(async () => {
    const database = await openDatabase({ databaseUrl: undefined, dataDir: env.DATA_DIR });
    try {
      const { db } = database;
      await migrate(db);
      const today = new Date(Math.floor(Date.now() / DAY) * DAY);
      const shifted = await insertTestEntity(db, 'shifted-tool');
      const steady = await insertTestEntity(db, 'steady-tool');
      // 30 days of history: `--since 2w` compares with the two weeks before, whatever the time of day
      // the command runs (with 14 days, a run just after midnight found an empty previous window).
      for (const seed of noiseHistory(7, 30, today)) await insertTestMention(db, shifted, seed);
      for (const seed of noiseHistory(11, 30, today)) await insertTestMention(db, steady, seed);
      for (const seed of plantedComplaints(new Date(today.getTime() - 3 * DAY))) await insertTestMention(db, shifted, seed);
      await rebuildRollups(db, new Date(today.getTime() - 31 * DAY), new Date(today.getTime() + DAY));
    } finally {
      await database.close();
    }
  });
  afterAll(() => dataDir.remove());

  it('prints the last 7 days as Markdown by default, the planted drop first', async () => {
    const result = await runCli(['digest', '--entity', 'shifted-tool', '--entity', 'steady-tool'], env);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/^# VibeCheck digest: \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d\n/);
    const movers = result.stdout.split('## Movers')[1]!.split('## Spikes')[0]!;
    expect(movers).toMatch(
      /^\n\n- \*\*shifted-tool\*\*: .*, significant\), \d+ mentions \(\d+ before\)\n {2}shifted-tool: sentiment fell .* driven by hn; rate limits complaints up\n- \*\*steady-tool\*\*: .*within noise/,
    );
    expect(result.stdout).toContain('## Most discussed');
  });

  it('prints JSON and HTML, and takes --since', async () => {
    const json = await runCli(['digest', '--format', 'json', '--since', '2w'], env);
    expect(json.code, json.stderr).toBe(EXIT.ok);
    const digest = JSON.parse(json.stdout) as {
      from: string;
      to: string;
      movers: Array<{ entity: { slug: string }; significant: boolean }>;
    };
    expect(Date.parse(digest.to) - Date.parse(digest.from)).toBe(14 * DAY);
    expect(digest.movers.find((m) => m.entity.slug === 'shifted-tool')).toBeDefined();
    const html = await runCli(['digest', '--format', 'html', '--entity', 'steady-tool'], env);
    expect(html.code, html.stderr).toBe(EXIT.ok);
    expect(html.stdout).toMatch(/^<!doctype html>\n[\s\S]*<strong>steady-tool<\/strong>[\s\S]*<\/html>\n$/);
  });

  it('refuses bad input with exit 2 and one line naming it', async () => {
    for (const [args, message] of [
      [['--since', 'yesterday'], /^vibecheck: error: --since: /],
      [['--since', '0d'], /^vibecheck: error: --since: /],
      [['--format', 'pdf'], /^vibecheck: error: option '--format <format>' argument 'pdf' is invalid\. expected md, html or json/],
      [['--entity', 'nobody'], /^vibecheck: error: no entity with slug "nobody"/],
    ] as const) {
      const result = await runCli(['digest', ...args], env);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(EXIT.badInput);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
