import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { insertTestEntity, insertTestMention } from '../../../test/support/mentions.ts';
import { noiseHistory, plantedComplaints } from '../../../test/support/shift-history.ts';
import { describeOnBothTargets } from '../../../test/support/targets.ts';
import { detectAndStoreSpikes } from '../../pipeline/spikes.ts';
import { migrate } from '../migrate.ts';
import { upsertEvent } from './events.ts';
import { explainEntityWindow, explainEvent, listExplainPosts } from './explain.ts';
import { rebuildRollups } from './ingest.ts';

const DAY = 86_400_000;
/** The explained week is [END - 7 days, END); the one before it is the comparison. */
const END = new Date('2026-03-15T00:00:00Z');
const WEEK_START = new Date(END.getTime() - 7 * DAY);
const PLANTED_DAY = new Date(END.getTime() - 3 * DAY);

describeOnBothTargets('explanations of change', (get) => {
  let cursor = 0;
  let control = 0;
  const planted: number[] = [];

  beforeAll(async () => {
    const { db } = get();
    await migrate(db);
    const vendor = await insertTestEntity(db, 'anysphere', 'vendor');
    cursor = await insertTestEntity(db, 'cursor');
    control = await insertTestEntity(db, 'control');
    await sql`UPDATE entities SET name = 'Cursor', parent_id = ${vendor} WHERE id = ${cursor}`.execute(db);
    for (const seed of noiseHistory(7, 35, END)) await insertTestMention(db, cursor, seed);
    for (const seed of noiseHistory(11, 35, END)) await insertTestMention(db, control, seed);
    for (const seed of plantedComplaints(PLANTED_DAY)) planted.push(await insertTestMention(db, cursor, seed));
    // Where the linker would have found "Cursor" in title, blank line, body (the helper stores offset 0).
    await sql`UPDATE mentions m SET start_offset = length(p.title) + 2 + strpos(p.body, 'Cursor') - 1
      FROM posts p WHERE p.id = m.post_id AND m.post_id = ANY(${planted}::bigint[])`.execute(db);
    await rebuildRollups(db, new Date(END.getTime() - 60 * DAY), END);
    const event = (entityId: number | null, externalId: string, kind: 'release' | 'incident' | 'note', occurredAt: Date) =>
      upsertEvent(db, { entityId, kind, source: 'manual', externalId, title: externalId, url: null, body: null, occurredAt, details: {} });
    await event(cursor, 'cursor 2.1', 'release', new Date(PLANTED_DAY.getTime() - DAY));
    await event(vendor, 'api outage', 'incident', new Date(END.getTime() + DAY));
    await event(cursor, 'too early', 'note', new Date(WEEK_START.getTime() - 3 * DAY));
    await event(null, 'unrelated', 'note', PLANTED_DAY);
  });

  it('names the planted posts first, the aspect and the source, and calls the drop significant', async () => {
    const explanation = await explainEntityWindow(get().db, { entityId: cursor, from: WEEK_START, to: END });
    expect(explanation.window).toMatchObject({ from: WEEK_START.toISOString(), to: END.toISOString(), n: 42 + 12, days: 7 });
    expect(explanation.previousWindow).toMatchObject({ from: new Date(WEEK_START.getTime() - 7 * DAY).toISOString(), n: 42 });
    expect(explanation.change).toMatchObject({ measure: 'score', direction: 'down', significant: true });
    expect(explanation.change.pValue).toBeLessThan(0.05);
    expect(explanation.change.changeHigh).toBeLessThan(0);
    expect(explanation.change.volumeRatio).toBeCloseTo(54 / 42, 10);

    // The five leading posts are planted ones, the most engaged first (their scores tie).
    expect(explanation.posts.map((p) => p.postId)).toEqual(planted.slice(-5).reverse());
    const first = explanation.posts[0]!;
    expect(first).toMatchObject({
      source: 'hn',
      label: 'negative',
      score: -0.9,
      aspects: ['rate_limits'],
      title: 'Hit the rate limits again (11)',
    });
    // The excerpt is cut around the mention, not the start of a long body.
    expect(first.excerpt).toMatch(/^….*Cursor cut me off after twenty requests/);
    expect(first.excerpt.length).toBeLessThanOrEqual(240);
    // A mention's contribution is (score - previous mean) / n; together they make up the change.
    const previousMean = explanation.change.previousScore!;
    expect(first.contribution).toBeCloseTo((-0.9 - previousMean) / 54, 12);
    expect(explanation.opposingPosts.length).toBeGreaterThan(0);
    expect(explanation.opposingPosts.every((p) => p.contribution > 0)).toBe(true);

    expect(explanation.aspects[0]).toMatchObject({ aspect: 'rate_limits', n: 12, previousN: 0 });
    expect(explanation.aspects[0]!.shareChange).toBeCloseTo(12 / 54, 12);
    expect(explanation.sources[0]!.source).toBe('hn');
    expect(explanation.sources[0]!.shareOfChange).toBeGreaterThan(0.5);
    const total = explanation.sources.reduce((sum, s) => sum + s.contribution, 0);
    expect(total).toBeCloseTo(explanation.change.change!, 12);

    // Events: the release inside the window and the vendor's incident a day after it; not the note
    // three days before, nor an event of no entity.
    expect(explanation.events.map((e) => [e.title, e.entity])).toEqual([
      ['cursor 2.1', 'cursor'],
      ['api outage', 'anysphere'],
    ]);
    expect(explanation.headline).toMatch(
      /^Cursor: sentiment fell from \+0\.\d\d to [+-]?0\.\d\d \(significant\), driven by hn; rate limits complaints up$/,
    );
  });

  it('finds nothing significant for an entity with noise only', async () => {
    const explanation = await explainEntityWindow(get().db, { entityId: control, from: WEEK_START, to: END });
    expect(explanation.window.n).toBe(42);
    expect(explanation.change.significant).toBe(false);
    expect(explanation.change.pValue).toBeGreaterThan(0.05);
    expect(explanation.headline).toMatch(/^control: sentiment (fell|rose|steady).*\((within noise)\)/);
    expect(explanation.posts.some((p) => planted.includes(p.postId))).toBe(false);
  });

  it('reads one source only when asked, and refuses a reversed window and an unknown entity', async () => {
    const db = get().db;
    const reddit = await explainEntityWindow(db, { entityId: cursor, from: WEEK_START, to: END, source: 'reddit' });
    expect(reddit.source).toBe('reddit');
    expect(reddit.sources.map((s) => s.source)).toEqual(['reddit']);
    expect(reddit.posts.every((p) => p.source === 'reddit')).toBe(true);
    expect(reddit.window.n).toBeLessThan(42);
    await expect(explainEntityWindow(db, { entityId: cursor, from: END, to: WEEK_START })).rejects.toThrow(/^from: must be before to/);
    await expect(explainEntityWindow(db, { entityId: 999_999, from: WEEK_START, to: END })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('explains a stored negativity spike by its own day against the detector baseline, planted posts first', async () => {
    const db = get().db;
    await detectAndStoreSpikes(db, { now: END, days: 7 });
    const rows = await sql<{ id: number; external_id: string }>`SELECT id, external_id FROM events WHERE kind = 'spike'`.execute(db);
    const spike = rows.rows.find((r) => r.external_id === `spike:cursor:negativity:${PLANTED_DAY.toISOString().slice(0, 10)}`);
    expect(spike, JSON.stringify(rows.rows)).toBeDefined();
    expect(rows.rows.some((r) => r.external_id.startsWith('spike:control:'))).toBe(false);

    const explanation = await explainEvent(db, Number(spike!.id), { now: END });
    expect(explanation.event).toMatchObject({ id: Number(spike!.id), kind: 'spike', entity: 'cursor' });
    expect(explanation.window).toMatchObject({ from: PLANTED_DAY.toISOString(), days: 1, n: 18 });
    expect(explanation.previousWindow).toMatchObject({ to: PLANTED_DAY.toISOString(), days: 28 });
    expect(explanation.change).toMatchObject({ measure: 'negativeShare', direction: 'up' });
    expect(explanation.posts.map((p) => p.postId)).toEqual(planted.slice(-5).reverse());
    // Contribution to the negative share: (1 - previous share) / n.
    expect(explanation.posts[0]!.contribution).toBeCloseTo((1 - explanation.change.previousNegativeShare!) / 18, 12);
    expect(explanation.aspects[0]!.aspect).toBe('rate_limits');
    expect(explanation.events.map((e) => e.title)).toContain('cursor 2.1');
    expect(explanation.headline).toMatch(
      /^Cursor: negative share rose from \d+% to \d+% \(spike, z = \d+\.\d\), driven by hn; rate limits complaints up$/,
    );
  });

  it('explains a release by the 7 days after it against the 7 days before, and refuses unknown or entity-less events', async () => {
    const db = get().db;
    const release = await sql<{ id: number }>`SELECT id FROM events WHERE external_id = 'cursor 2.1'`.execute(db);
    const explanation = await explainEvent(db, Number(release.rows[0]!.id), { now: END });
    const releasedAt = PLANTED_DAY.getTime() - DAY;
    // Reaching past `now`, the window ends at `now`.
    expect(explanation.window).toMatchObject({ from: new Date(releasedAt).toISOString(), to: END.toISOString(), days: 4 });
    expect(explanation.previousWindow).toMatchObject({ from: new Date(releasedAt - 7 * DAY).toISOString(), days: 7 });
    expect(explanation.change).toMatchObject({ measure: 'score', direction: 'down' });
    expect(explanation.posts[0]!.postId).toBe(planted[11]);
    expect(explanation.events.map((e) => e.title)).not.toContain('cursor 2.1');

    await expect(explainEvent(db, 999_999)).rejects.toMatchObject({ code: 'not_found' });
    const orphan = await sql<{ id: number }>`SELECT id FROM events WHERE external_id = 'unrelated'`.execute(db);
    await expect(explainEvent(db, Number(orphan.rows[0]!.id))).rejects.toThrow(/^id: event \d+ belongs to no entity/);
  });

  it('ranks by each order with bound values: lowest score first, by distance from a base, by engagement', async () => {
    const db = get().db;
    const query = { entityId: cursor, from: WEEK_START, to: END, limit: 3, base: 0 };
    const lowest = await listExplainPosts(db, { ...query, order: 'score-asc' });
    expect(lowest.map((p) => p.score)).toEqual([-0.9, -0.9, -0.9]);
    const highest = await listExplainPosts(db, { ...query, order: 'score-desc' });
    expect(highest[0]!.score).toBeGreaterThan(0.5);
    const far = await listExplainPosts(db, { ...query, order: 'distance', base: 0.9 });
    expect(far[0]!.score).toBe(-0.9);
    const engaged = await listExplainPosts(db, { ...query, order: 'engagement' });
    expect(engaged.map((p) => p.engagement)).toEqual([51, 50, 49]);
    const kept = await listExplainPosts(db, { ...query, order: 'negative-last', source: "hn' OR 1=1 --" });
    expect(kept).toEqual([]);
  });
});
