import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/api/app.ts';
import type { NormalizedPost } from '../src/core/post.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { seedEntities } from '../src/pipeline/entities.ts';
import { createIngestor } from '../src/pipeline/ingest.ts';
import { createDataDir } from './support/databases.ts';
import { SILENT_LOG } from './support/admin-app.ts';

/**
 * Scenario (issue 16): a planted wave of developers leaving Cursor for Claude Code over its price,
 * among ordinary chatter, questions and a trickle of moves the other way, goes through the real
 * ingest pipeline; the flows API finds Cursor -> Claude Code with cost on top, a net movement whose
 * interval excludes an even split, and the posts behind it.
 */

const DAY = 86_400_000;
// Weeks start on Mondays: the quiet weeks from 2026-04-06, the wave in the weeks of 04-20 and 04-27.
const QUIET = Date.parse('2026-04-06T09:00:00Z');
const WAVE = Date.parse('2026-04-20T09:00:00Z');

const MOVES = [
  'I switched from Cursor to Claude Code last week because the pricing got ridiculous.',
  'Cancelled Cursor and moved to Claude Code, the new plan is way too expensive.',
  'Moved from Cursor to Claude Code. Paying $200 a month for Cursor was not worth it.',
  'Finally ditched Cursor for Claude Code since it is cheaper for what I do.',
  'We migrated our whole team off Cursor onto Claude Code over the price hike.',
  'Switched from Cursor to Claude Code, the cost of the Ultra plan made no sense for us.',
  'Replaced Cursor with Claude Code this month. Cursor is simply overpriced now.',
  "I've switched from Cursor to CC, their pricing change was the last straw.",
];
const CHATTER = [
  'Cursor tab completion is still the best thing about it.',
  'Claude Code wrote a decent migration script for me today.',
  'Should I switch from Cursor to Claude Code? The pricing confuses me.',
  'Thinking of moving to Claude Code, Cursor got expensive.',
  'Everyone is leaving Cursor for Claude Code, apparently.',
  'If Cursor raises prices again I am switching to Claude Code.',
];
const BACK = [
  'I switched from Claude Code to Cursor, the rate limits were killing me.',
  'Moved from Claude Code to Cursor because it kept crashing on big repos.',
];

function post(id: string, body: string, at: number, source = 'reddit'): NormalizedPost {
  return {
    source,
    externalId: id,
    url: `https://example.com/${id}`,
    author: `dev-${id}`,
    title: null,
    body,
    createdAt: new Date(at),
    score: 2,
    comments: 1,
    parentId: null,
    threadId: null,
  };
}

const history: NormalizedPost[] = [];
// Two quiet weeks: chatter, and the two moves the other way.
for (let day = 0; day < 14; day++) history.push(post(`quiet-${day}`, CHATTER[day % CHATTER.length]!, QUIET + day * DAY));
BACK.forEach((body, i) => history.push(post(`back-${i}`, body, QUIET + (3 + 7 * i) * DAY, 'hn')));
// The wave: 24 moves over two weeks (every phrasing three times, by different people), with chatter.
for (let i = 0; i < 24; i++)
  history.push(post(`wave-${i}`, MOVES[i % MOVES.length]!, WAVE + Math.floor(i / 2) * DAY + (i % 2) * 3_600_000));
for (let day = 0; day < 14; day++)
  history.push(post(`wave-chatter-${day}`, CHATTER[(day + 3) % CHATTER.length]!, WAVE + day * DAY + 7_200_000));

let database: Database;
let app: App;
let dataDir: ReturnType<typeof createDataDir>;

beforeAll(async () => {
  dataDir = createDataDir({ cluster: true });
  database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
  await migrate(database.db);
  await seedEntities(database.db);
  const ingestor = await createIngestor(database.db);
  const result = await ingestor.ingest({ posts: history });
  expect(result.stored).toBe(history.length);
  app = createApp({
    db: database.db,
    settings: { adminToken: 'scenario-admin', corsOrigins: [] },
    log: SILENT_LOG,
    sources: [],
    checkReady: async () => ({ ready: true }),
  });
});

afterAll(async () => {
  await database?.close();
  dataDir?.remove();
});

const getJson = async <T>(path: string): Promise<T> => {
  const res = await app.request(path);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
};

describe('a planted switching wave from Cursor to Claude Code over cost', () => {
  it('comes out on top of the flows, with cost as the leading reason', async () => {
    const body = await getJson<{
      items: Array<{ from: string | null; to: string | null; kind: string; n: number; reasons: Array<{ aspect: string; n: number }> }>;
    }>('/api/v1/flows?from=2026-04-06&to=2026-05-04');
    const top = body.items[0]!;
    expect(top).toMatchObject({ from: 'cursor', to: 'claude-code', kind: 'switch', n: 24 });
    expect(top.reasons[0]!.aspect).toBe('cost');
    expect(top.reasons[0]!.n).toBeGreaterThanOrEqual(18);
    // Questions, intentions, trends and threats in the chatter are no flows.
    expect(body.items.reduce((sum, i) => sum + i.n, 0)).toBe(24 + BACK.length);
    expect(body.items.find((i) => i.from === 'claude-code' && i.to === 'cursor')?.n).toBe(2);
  });

  it('nets to a movement towards Claude Code in the wave weeks whose interval excludes an even split', async () => {
    const body = await getJson<{
      net: Array<{
        a: string;
        b: string;
        net: number;
        shareHigh: number;
        significant: boolean;
        series: Array<{ bucketStart: string; net: number; significant: boolean }>;
      }>;
    }>('/api/v1/flows?from=2026-04-06&to=2026-05-04&bucket=week');
    // a = claude-code, b = cursor: moves towards Claude Code count as b -> a, a negative net.
    const pair = body.net.find((p) => p.a === 'claude-code' && p.b === 'cursor')!;
    expect(pair.net).toBe(2 - 24);
    expect(pair.significant).toBe(true);
    expect(pair.shareHigh).toBeLessThan(0.5);
    expect(pair.series.map((s) => [s.bucketStart.slice(0, 10), s.net])).toEqual([
      ['2026-04-06', 1],
      ['2026-04-13', 1],
      ['2026-04-20', -14],
      ['2026-04-27', -10],
    ]);
    expect(pair.series.slice(2).every((s) => s.significant)).toBe(true);
  });

  it('lists the posts behind the figure one call away, each with its statement', async () => {
    const page = await getJson<{
      items: Array<{ externalId: string; body: string; start: number; end: number; flow: { reason: string | null } }>;
      nextCursor: string | null;
    }>('/api/v1/flows/posts?from=2026-04-06&to=2026-05-04&from_entity=cursor&to_entity=claude-code&kind=switch&limit=100');
    expect(page.items).toHaveLength(24);
    expect(page.items.every((p) => p.externalId.startsWith('wave-'))).toBe(true);
    expect(page.items.filter((p) => p.flow.reason === 'cost').length).toBeGreaterThanOrEqual(18);
    for (const item of page.items) expect(item.body.slice(item.start, item.end).length).toBeGreaterThan(5);
    const cost = await getJson<{ items: unknown[] }>(
      '/api/v1/flows/posts?from=2026-04-06&to=2026-05-04&from_entity=cursor&to_entity=claude-code&reason=cost&limit=100',
    );
    expect(cost.items.length).toBeGreaterThanOrEqual(18);
  });
});
