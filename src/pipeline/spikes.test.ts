import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { insertTestEntity, insertTestMention } from '../../test/support/mentions.ts';
import { describeOnBothTargets } from '../../test/support/targets.ts';
import { rebuildRollups } from '../db/queries/ingest.ts';
import { migrate } from '../db/migrate.ts';
import { detectAndStoreSpikes, SPIKE_EVENT_SOURCE } from './spikes.ts';

const NOW = new Date('2026-04-01T08:00:00Z');
const DAY = 86_400_000;
const dayAt = (daysBefore: number, hour: number) => new Date(Date.UTC(2026, 3, 1) - daysBefore * DAY + hour * 3_600_000).toISOString();

describeOnBothTargets('detectAndStoreSpikes', (get) => {
  const surgePosts: number[] = [];

  beforeAll(async () => {
    const { db } = get();
    await migrate(db);
    const alpha = await insertTestEntity(db, 'alpha');
    // Six weeks of two mentions a day, then 30 on 2026-03-30 (day 2 before NOW), and none on the partial day of NOW.
    for (let d = 44; d >= 3; d--) {
      await insertTestMention(db, alpha, { at: dayAt(d, 9), score: 0.5, label: 'positive' });
      await insertTestMention(db, alpha, { at: dayAt(d, 15), score: 0, label: 'neutral' });
    }
    for (let i = 0; i < 30; i++) {
      surgePosts.push(await insertTestMention(db, alpha, { at: dayAt(2, 10), score: 0.5, label: 'positive', engagement: i }));
    }
    await rebuildRollups(db, new Date('2026-01-01'), NOW);
  });

  it('stores a volume rise as a spike event with its baseline and the most engaged posts, once', async () => {
    const { db } = get();
    expect((await detectAndStoreSpikes(db, { now: NOW, days: 14 })).spikes).toBeGreaterThanOrEqual(1);
    await detectAndStoreSpikes(db, { now: NOW, days: 14 });
    const rows = await sql<{ external_id: string; source: string; title: string; occurred_at: Date; details: Record<string, unknown> }>`
      SELECT external_id, source, title, occurred_at, details FROM events WHERE kind = 'spike' ORDER BY external_id`.execute(db);
    const volume = rows.rows.filter((r) => r.external_id === 'spike:alpha:volume:2026-03-30');
    expect(volume).toHaveLength(1);
    expect(volume[0]!.source).toBe(SPIKE_EVENT_SOURCE);
    // The baseline is a median, and the title says so (an explanation compares means a day).
    expect(volume[0]!.title).toBe('alpha: mentions rose to 30 (median 2 a day over the 28 days before)');
    expect(new Date(volume[0]!.occurred_at).toISOString()).toBe('2026-03-30T00:00:00.000Z');
    expect(volume[0]!.details).toMatchObject({ spikeKind: 'volume', direction: 'up', value: 30, baseline: 2 });
    expect(volume[0]!.details.zScore).toBeGreaterThan(3.5);
    expect(volume[0]!.details.topPostIds).toEqual(surgePosts.slice(-5).reverse());
    // The day of NOW is still filling up and is never judged.
    expect(rows.rows.map((r) => r.external_id)).not.toContain('spike:alpha:volume:2026-04-01');
  });
});
