import { beforeAll, expect, it } from 'vitest';
import { insertTestEntity, insertTestMention, type MentionSeed } from '../../../test/support/mentions.ts';
import { describeOnBothTargets } from '../../../test/support/targets.ts';
import { planSeriesWindow } from '../../core/series-window.ts';
import { sql } from 'kysely';
import { computeMentionSums, summarize } from '../../core/stats.ts';
import { migrate } from '../migrate.ts';
import { getAspectWindowSums } from './aspects.ts';
import { addToRollups, rebuildRollups } from './ingest.ts';
import { listMentionedPosts } from './posts.ts';
import { getBucketSums, getBucketSumsFromMentions, getSourceSums } from './series.ts';

// Week of Monday 2026-03-02: one mention on the 2nd, three on the 3rd, none on the 4th.
const WEEK: MentionSeed[] = [
  { at: '2026-03-02T10:15:00Z', score: 1, label: 'positive', aspects: [{ aspect: 'speed', polarity: 'positive', score: 1 }] },
  { at: '2026-03-03T09:00:00Z', score: -1, label: 'negative', source: 'reddit', engagement: 9, title: '100% broken_build' },
  { at: '2026-03-03T09:30:00Z', score: -1, label: 'negative', aspects: [{ aspect: 'speed', polarity: 'negative', score: -1 }] },
  { at: '2026-03-03T20:00:00Z', score: 0, label: 'neutral', aspects: [{ aspect: 'pricing', polarity: 'neutral', score: 0 }] },
  // Previous week, for the aspect change: speed was +0.5 on average.
  { at: '2026-02-24T12:00:00Z', score: 0.5, label: 'positive', aspects: [{ aspect: 'speed', polarity: 'positive', score: 0.5 }] },
  { at: '2026-02-25T12:00:00Z', score: 0.5, label: 'positive', aspects: [{ aspect: 'speed', polarity: 'positive', score: 0.5 }] },
  // Either side of Berlin's spring-forward day (2026-03-29 is 23 hours long there).
  { at: '2026-03-28T23:30:00Z', score: 0.5, label: 'positive' },
  { at: '2026-03-29T22:30:00Z', score: -0.5, label: 'negative' },
];

describeOnBothTargets('rollup series queries', (get) => {
  let alpha = 0;
  let beta = 0;
  const postIds: number[] = [];

  beforeAll(async () => {
    const { db } = get();
    await migrate(db);
    alpha = await insertTestEntity(db, 'alpha');
    beta = await insertTestEntity(db, 'beta');
    for (const seed of WEEK) postIds.push(await insertTestMention(db, alpha, seed));
    await insertTestMention(db, beta, { at: '2026-03-03T11:00:00Z', score: 1, label: 'positive' });
    await rebuildRollups(db, new Date('2026-01-01T00:00:00Z'), new Date('2026-05-01T00:00:00Z'));
  });

  const sums = async (input: Parameters<typeof planSeriesWindow>[0], source?: string) => {
    const window = planSeriesWindow(input, new Date('2026-04-15T00:00:00Z'));
    const result = await getBucketSums(get().db, { entityIds: [alpha, beta], starts: window.starts, end: window.end, source });
    return { window, alpha: result.get(alpha)!, beta: result.get(beta)! };
  };

  it('recombines unequal days into the week exactly: -0.25 over four mentions, not the mean of daily means', async () => {
    const { alpha: week } = await sums({ from: new Date('2026-03-02'), to: new Date('2026-03-09'), bucket: 'week' });
    expect(week).toHaveLength(1);
    const point = summarize(week[0]!);
    expect(point).toMatchObject({ n: 4, positive: 1, neutral: 1, negative: 2, score: -0.25, netSentiment: -0.25 });
  });

  it('keeps days without mentions as n = 0 buckets with null scores', async () => {
    const { window, alpha: days } = await sums({ from: new Date('2026-03-02'), to: new Date('2026-03-05'), bucket: 'day' });
    expect(window.starts.map((s) => s.toISOString().slice(0, 10))).toEqual(['2026-03-02', '2026-03-03', '2026-03-04']);
    expect(days.map((d) => d.n)).toEqual([1, 3, 0]);
    const [, tuesday, empty] = days.map(summarize);
    expect(tuesday!.score).toBeCloseTo(-2 / 3, 12);
    // mean -2/3, s = 0.57735, t(0.975, 2) = 4.302653: upper end -2/3 + 4.302653 * 0.57735 / √3
    expect(tuesday!.scoreHigh).toBeCloseTo(0.767551, 5);
    expect(tuesday!.scoreLow).toBe(-1);
    expect(empty).toMatchObject({ n: 0, score: null, scoreLow: null, netSentiment: null, weightedScore: null });
  });

  it('weights by engagement beside the raw score: one reddit -1 with 9 engagement counts 1 + ln 10', async () => {
    const { alpha: week } = await sums({ from: new Date('2026-03-02'), to: new Date('2026-03-09'), bucket: 'week' });
    const w = 1 + Math.log(10);
    const point = summarize(week[0]!);
    expect(point.score).toBe(-0.25);
    expect(point.weightedScore).toBeCloseTo((1 - w - 1 + 0) / (1 + w + 1 + 1), 12);
  });

  it('filters by source', async () => {
    const { alpha: reddit } = await sums({ from: new Date('2026-03-02'), to: new Date('2026-03-09'), bucket: 'week' }, 'reddit');
    expect(summarize(reddit[0]!)).toMatchObject({ n: 1, negative: 1, score: -1 });
  });

  it('moves day boundaries with tz=Europe/Berlin across the spring-forward day', async () => {
    const input = { from: new Date('2026-03-28'), to: new Date('2026-03-31'), bucket: 'day' as const };
    const berlin = await sums({ ...input, tz: 'Europe/Berlin' });
    expect(berlin.window.starts.map((s) => s.toISOString())).toEqual([
      '2026-03-27T23:00:00.000Z',
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
      '2026-03-30T22:00:00.000Z',
    ]);
    expect(berlin.alpha.map((d) => d.n)).toEqual([0, 1, 1, 0]);
    expect(berlin.alpha.map((d) => d.scoreSum)).toEqual([0, 0.5, -0.5, 0]);
    const utc = await sums(input);
    expect(utc.alpha.map((d) => d.n)).toEqual([1, 1, 0]);
  });

  it('splits days at Asia/Kolkata midnight (18:30 UTC) exactly, where an hourly rollup row would straddle two days', async () => {
    const { db } = get();
    const gamma = await insertTestEntity(db, 'gamma');
    await insertTestMention(db, gamma, { at: '2026-03-10T18:10:00Z', score: 1, label: 'positive' });
    await insertTestMention(db, gamma, { at: '2026-03-10T18:50:00Z', score: -1, label: 'negative' });
    await rebuildRollups(db, new Date('2026-03-10T00:00:00Z'), new Date('2026-03-12T00:00:00Z'));
    const window = planSeriesWindow(
      { from: new Date('2026-03-10T00:00:00Z'), to: new Date('2026-03-12T00:00:00Z'), tz: 'Asia/Kolkata' },
      new Date('2026-04-15'),
    );
    expect(window.starts.map((s) => s.toISOString())).toEqual([
      '2026-03-09T18:30:00.000Z',
      '2026-03-10T18:30:00.000Z',
      '2026-03-11T18:30:00.000Z',
    ]);
    const days = (await getBucketSums(db, { entityIds: [gamma], starts: window.starts, end: window.end })).get(gamma)!;
    expect(days.map((d) => [d.n, d.scoreSum])).toEqual([
      [1, 1],
      [1, -1],
      [0, 0],
    ]);
  });

  it('answers every entity of the request and matches a GROUP BY over the raw mentions', async () => {
    const window = planSeriesWindow(
      { from: new Date('2026-02-20'), to: new Date('2026-04-01'), bucket: 'day', tz: 'Europe/Berlin' },
      new Date('2026-04-15'),
    );
    const query = { entityIds: [alpha, beta], starts: window.starts, end: window.end };
    const fromRollups = await getBucketSums(get().db, query);
    const fromMentions = await getBucketSumsFromMentions(get().db, query);
    for (const id of [alpha, beta]) {
      const a = fromRollups.get(id)!;
      const b = fromMentions.get(id)!;
      expect(a.map((s) => s.n)).toEqual(b.map((s) => s.n));
      a.forEach((s, i) => expect(s.weightedScoreSum).toBeCloseTo(b[i]!.weightedScoreSum, 9));
    }
    expect(fromRollups.get(beta)!.reduce((n, s) => n + s.n, 0)).toBe(1);
  });

  it('keeps the daily rollups equal to the hourly ones through upserts and full or partial rebuilds (UTC series read them)', async () => {
    const { db } = get();
    const delta = {
      entityId: beta,
      bucket: new Date('2026-03-03T11:00:00Z'),
      source: 'hn',
      engagementSum: 0,
      ...computeMentionSums({ score: -0.5, label: 'negative', weight: 2 }),
    };
    await addToRollups(db, [delta]);
    await addToRollups(db, [{ ...delta, bucket: new Date('2026-03-03T23:00:00Z') }]);
    const compare = async () => {
      const rows = await sql<{ mismatches: number }>`
        SELECT count(*)::int AS mismatches FROM (
          SELECT entity_id, date_trunc('day', bucket, 'UTC') AS day, source, sum(n) AS n, sum(score_sum) AS s, sum(weighted_score_sum) AS ws
          FROM sentiment_rollups GROUP BY 1, 2, 3) h
        FULL JOIN sentiment_rollups_daily d USING (entity_id, day, source)
        WHERE h.n IS DISTINCT FROM d.n OR abs(h.s - d.score_sum) > 1e-9 OR abs(h.ws - d.weighted_score_sum) > 1e-9`.execute(db);
      return rows.rows[0]!.mismatches;
    };
    expect(await compare()).toBe(0);
    const week = await sums({ from: new Date('2026-03-02'), to: new Date('2026-03-09'), bucket: 'week' });
    expect(summarize(week.beta[0]!)).toMatchObject({ n: 3, positive: 1, negative: 2, score: 0 });
    await rebuildRollups(db, new Date('2026-03-01T00:00:00Z'), new Date('2026-03-10T00:00:00Z'));
    expect(await compare()).toBe(0);
    const rebuilt = await sums({ from: new Date('2026-03-02'), to: new Date('2026-03-09'), bucket: 'week' });
    expect(summarize(rebuilt.beta[0]!)).toMatchObject({ n: 1, score: 1 });
    // A rebuild of a few hours keeps the rest of their day: the daily row is the sum of all its hours.
    await addToRollups(db, [{ ...delta, bucket: new Date('2026-03-03T23:00:00Z') }]);
    await rebuildRollups(db, new Date('2026-03-03T10:00:00Z'), new Date('2026-03-03T12:00:00Z'));
    expect(await compare()).toBe(0);
    const partly = await sums({ from: new Date('2026-03-02'), to: new Date('2026-03-09'), bucket: 'week' });
    expect(summarize(partly.beta[0]!)).toMatchObject({ n: 2, positive: 1, negative: 1 });
  });

  it('scores aspects per window and against the window before', async () => {
    const result = await getAspectWindowSums(get().db, {
      entityIds: [alpha],
      from: new Date('2026-03-02'),
      to: new Date('2026-03-09'),
      previousFrom: new Date('2026-02-23'),
    });
    const speed = result.get(alpha)!.find((a) => a.aspect === 'speed')!;
    expect(speed.current).toMatchObject({ n: 2, positive: 1, negative: 1, scoreSum: 0 });
    expect(speed.previous).toMatchObject({ n: 2, positive: 2, scoreSum: 1 });
    expect(result.get(alpha)!.map((a) => a.aspect)).toEqual(['speed', 'pricing']);
  });

  it('pages posts newest first with a keyset cursor that holds while a newer post arrives', async () => {
    const { db } = get();
    const base = { entityId: alpha, from: new Date('2026-03-01'), to: new Date('2026-03-10'), limit: 2 };
    const first = await listMentionedPosts(db, base);
    expect(first.map((p) => p.createdAt.toISOString())).toEqual(['2026-03-03T20:00:00.000Z', '2026-03-03T09:30:00.000Z']);
    await insertTestMention(db, alpha, { at: '2026-03-05T00:00:00Z', score: 0, label: 'neutral' });
    const second = await listMentionedPosts(db, { ...base, after: first[1]!.cursor });
    expect(second.map((p) => p.createdAt.toISOString())).toEqual(['2026-03-03T09:00:00.000Z', '2026-03-02T10:15:00.000Z']);
    expect(second[1]!.aspects).toEqual([
      { aspect: 'speed', polarity: 'positive', score: 1, confidence: expect.closeTo(0.8, 6), evidence: 'evidence', start: 0, end: 8 },
    ]);
  });

  it('filters posts by polarity, aspect and literal text (LIKE wildcards do not match everything)', async () => {
    const { db } = get();
    const base = { entityId: alpha, from: new Date('2026-03-01'), to: new Date('2026-03-04'), limit: 10 };
    expect((await listMentionedPosts(db, { ...base, polarity: 'negative' })).length).toBe(2);
    expect((await listMentionedPosts(db, { ...base, aspect: 'pricing' })).map((p) => p.score)).toEqual([0]);
    expect((await listMentionedPosts(db, { ...base, q: '100% BROKEN_build' })).map((p) => p.postId)).toEqual([postIds[1]]);
    expect(await listMentionedPosts(db, { ...base, q: '%' })).toHaveLength(1);
    expect(await listMentionedPosts(db, { ...base, q: 'broken build' })).toHaveLength(0);
  });

  it('sums each source over exactly [from, to) and the window before, to the minute, equal to the raw mentions with their weights', async () => {
    const db = get().db;
    const from = new Date('2026-03-03T09:15:00Z');
    const to = new Date('2026-03-03T20:00:00Z');
    const bySource = await getSourceSums(db, { entityId: alpha, from, to, previousFrom: new Date('2026-03-02T22:30:00Z') });
    // 09:00 (reddit, before from) and 20:00 (at to, excluded) are outside, though their hours are not;
    // 09:00 is in the window before, 2026-03-02T10:15 is before that one.
    expect(bySource.map((row) => [row.source, row.current.n, row.previous.n])).toEqual([
      ['hn', 1, 0],
      ['reddit', 0, 1],
    ]);
    const week = {
      from: new Date('2026-03-02T00:00:00Z'),
      to: new Date('2026-03-09T00:00:00Z'),
      previousFrom: new Date('2026-02-23T00:00:00Z'),
    };
    const wide = await getSourceSums(db, { entityId: alpha, ...week });
    // hn: the week's three and any a test above added; each source is checked against the raw mentions below.
    expect(wide.map((row) => row.source)).toEqual(['hn', 'reddit']);
    expect(wide[0]!.previous.n).toBe(2);
    for (const row of wide) {
      const raw = await getBucketSumsFromMentions(db, {
        entityIds: [alpha],
        starts: [week.previousFrom, week.from],
        end: week.to,
        source: row.source,
      });
      const [before, during] = raw.get(alpha)!;
      expect([row.previous.n, row.current.n]).toEqual([before!.n, during!.n]);
      expect(row.current.weightSum).toBeCloseTo(during!.weightSum, 9);
      expect(row.current.weightedScoreSum).toBeCloseTo(during!.weightedScoreSum, 9);
      expect(row.previous.scoreSum).toBeCloseTo(before!.scoreSum, 9);
    }
    expect(wide.find((row) => row.source === 'reddit')!.current.weightSum).toBeCloseTo(1 + Math.log(10), 9);
  });
});
