import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTestEntity, insertTestMention } from '../../test/support/mentions.ts';
import { createDataDir } from '../../test/support/databases.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { rebuildRollups } from '../db/queries/ingest.ts';
import { migrate } from '../db/migrate.ts';
import { createApp, type App } from './app.ts';
import { SILENT_LOG } from '../../test/support/admin-app.ts';

// GET /api/v1/entities (and /entities/{slug}) over a chosen window: the overview's figures follow the period.
const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const day = (offset: number) => new Date(today + offset * DAY).toISOString().slice(0, 10);
const at = (offset: number, hour = 12) => new Date(today + offset * DAY + hour * 3_600_000).toISOString();

let database: Database;
let app: App;
let dataDir: ReturnType<typeof createDataDir>;

interface Summary {
  window: string;
  from: string;
  to: string;
  source: string | null;
  n: number;
  positive: number;
  neutral: number;
  negative: number;
  previousN: number;
  score: number | null;
  scoreLow: number | null;
  scoreHigh: number | null;
  previousScore: number | null;
  change: number | null;
  significant: boolean;
  shareOfVoice: number | null;
  sparkline: Array<{ bucketStart: string; n: number }>;
}
type Listed = { items: Array<{ slug: string; summary: Summary }> };

const getJson = async <T>(path: string, status = 200): Promise<T> => {
  const res = await app.request(path);
  expect(res.status, `${path}: ${res.status}`).toBe(status);
  return (await res.json()) as T;
};
const summaryOf = (list: Listed, slug: string): Summary => list.items.find((e) => e.slug === slug)!.summary;

beforeAll(async () => {
  dataDir = createDataDir({ cluster: true });
  database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
  await migrate(database.db);
  const { db } = database;
  const alpha = await insertTestEntity(db, 'alpha');
  const beta = await insertTestEntity(db, 'beta');
  // Alpha: 3 mentions 20-25 days ago (negative), 2 in the last 7 days (positive), 1 from reddit 40 days ago.
  for (const offset of [-25, -22, -20]) await insertTestMention(db, alpha, { at: at(offset), score: -0.8, label: 'negative' });
  await insertTestMention(db, alpha, { at: at(-21), score: 0, label: 'neutral', source: 'reddit' });
  await insertTestMention(db, alpha, { at: at(-2), score: 0.9, label: 'positive' });
  await insertTestMention(db, alpha, { at: at(-1), score: 0.7, label: 'positive', source: 'reddit' });
  await insertTestMention(db, alpha, { at: at(-40), score: 0.5, label: 'positive', source: 'reddit' });
  await insertTestMention(db, beta, { at: at(-21), score: 0.2, label: 'positive' });
  await insertTestMention(db, beta, { at: at(-3), score: -0.2, label: 'negative' });
  await rebuildRollups(db, new Date(today - 90 * DAY), new Date(today + DAY));
  app = createApp({
    db,
    settings: { adminToken: 'entity-window-admin', corsOrigins: [] },
    log: SILENT_LOG,
    sources: [],
    checkReady: async () => ({ ready: true }),
  });
});

afterAll(async () => {
  await database.close();
  dataDir.remove();
});

describe('GET /api/v1/entities?from&to', () => {
  it('without a window keeps the last 7 days against the 7 before, with 30 sparkline days', async () => {
    const alpha = summaryOf(await getJson<Listed>('/api/v1/entities'), 'alpha');
    expect(alpha).toMatchObject({ window: '7d', n: 2, positive: 2, neutral: 0, negative: 0, previousN: 0, source: null });
    expect(alpha.from).toBe(new Date(today - 6 * DAY).toISOString());
    expect(alpha.sparkline).toHaveLength(30);
  });

  it('sums exactly [from, to) with counts per label, and the change against the window of the same length before', async () => {
    const list = await getJson<Listed>(`/api/v1/entities?from=${day(-29)}&to=${day(1)}`);
    const alpha = summaryOf(list, 'alpha');
    // 30 days: 3 negative, 1 neutral, 2 positive; the 30 before: the one from 40 days ago.
    expect(alpha).toMatchObject({ window: '30d', n: 6, positive: 2, neutral: 1, negative: 3, previousN: 1, previousScore: 0.5 });
    expect(alpha.from).toBe(`${day(-29)}T00:00:00.000Z`);
    expect(alpha.to).toBe(`${day(1)}T00:00:00.000Z`);
    expect(alpha.score).toBeCloseTo((-0.8 * 3 + 0 + 0.9 + 0.7) / 6, 6);
    expect(alpha.change).toBeCloseTo(alpha.score! - 0.5, 6);
    expect(alpha.scoreLow!).toBeLessThan(alpha.score!);
    expect(alpha.scoreHigh!).toBeGreaterThan(alpha.score!);
    // Daily sparkline over the window itself, adding up to it.
    expect(alpha.sparkline).toHaveLength(30);
    expect(alpha.sparkline[0]!.bucketStart).toBe(alpha.from);
    expect(alpha.sparkline.reduce((n, p) => n + p.n, 0)).toBe(6);
    // Share of voice among the kind over the same window: alpha 6, beta 2.
    expect(alpha.shareOfVoice).toBeCloseTo(6 / 8, 10);
    expect(summaryOf(list, 'beta')).toMatchObject({ n: 2, positive: 1, negative: 1, shareOfVoice: 0.25 });
  });

  it('a window of older days shows those days, not the last 7', async () => {
    const alpha = summaryOf(await getJson<Listed>(`/api/v1/entities?from=${day(-25)}&to=${day(-19)}`), 'alpha');
    expect(alpha).toMatchObject({
      window: '6d',
      n: 4,
      negative: 3,
      neutral: 1,
      positive: 0,
      previousN: 0,
      change: null,
      significant: false,
    });
  });

  it('counts a window with boundaries inside an hour exactly, from the mentions', async () => {
    // Alpha's mention of 2 days ago is at 12:00; a window from 11:30 to 12:30 holds it, one from 12:00:01 does not.
    const inside = summaryOf(await getJson<Listed>(`/api/v1/entities?from=${at(-2, 11.5)}&to=${at(-2, 12.5)}`), 'alpha');
    expect(inside).toMatchObject({ n: 1, positive: 1, window: '1h' });
    const after = summaryOf(
      await getJson<Listed>(
        `/api/v1/entities?from=${encodeURIComponent(new Date(Date.parse(at(-2)) + 1000).toISOString())}&to=${at(-2, 13)}`,
      ),
      'alpha',
    );
    expect(after.n).toBe(0);
  });

  it('narrows to one source', async () => {
    const list = await getJson<Listed>(`/api/v1/entities?from=${day(-29)}&to=${day(1)}&source=reddit`);
    expect(summaryOf(list, 'alpha')).toMatchObject({ source: 'reddit', n: 2, positive: 1, neutral: 1, previousN: 1 });
    expect(summaryOf(list, 'beta').n).toBe(0);
  });

  it('gives one entity the same window figures as the list', async () => {
    const query = `from=${day(-29)}&to=${day(1)}`;
    const one = await getJson<{ summary: Summary }>(`/api/v1/entities/beta?${query}`);
    expect(one.summary).toEqual(summaryOf(await getJson<Listed>(`/api/v1/entities?${query}`), 'beta'));
  });

  it('with sparkline=false gives the same figures with empty sparklines, with or without a window', async () => {
    for (const query of [`from=${day(-29)}&to=${day(1)}`, '']) {
      const full = summaryOf(await getJson<Listed>(`/api/v1/entities?${query}`), 'alpha');
      const figures = summaryOf(await getJson<Listed>(`/api/v1/entities?${query}&sparkline=false`), 'alpha');
      expect(full.sparkline.length).toBeGreaterThan(0);
      expect(figures).toEqual({ ...full, sparkline: [] });
      expect(summaryOf(await getJson<Listed>(`/api/v1/entities?${query}&sparkline=true`), 'alpha')).toEqual(full);
    }
    const one = await getJson<{ summary: Summary }>(`/api/v1/entities/alpha?from=${day(-29)}&to=${day(1)}&sparkline=false`);
    expect(one.summary.sparkline).toEqual([]);
    expect(one.summary.n).toBe(6);
  });

  it('refuses a reversed window, an impossible date or a malformed source with 400 naming the parameter', async () => {
    const reversed = await getJson<{ error: { message: string } }>(`/api/v1/entities?from=${day(-1)}&to=${day(-5)}`, 400);
    expect(reversed.error.message).toMatch(/^from: /);
    const source = await getJson<{ error: { message: string } }>('/api/v1/entities?source=Not%20A%20Source', 400);
    expect(source.error.message).toMatch(/^source: /);
    const date = await getJson<{ error: { message: string } }>('/api/v1/entities?from=2026-02-30', 400);
    expect(date.error.message).toMatch(/^from: /);
    const sparkline = await getJson<{ error: { message: string } }>('/api/v1/entities?sparkline=no', 400);
    expect(sparkline.error.message).toMatch(/^sparkline: /);
  });
});
