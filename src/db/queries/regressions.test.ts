import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { insertTestEntity, insertTestMention } from '../../../test/support/mentions.ts';
import { describeOnBothTargets } from '../../../test/support/targets.ts';
import { migrate } from '../migrate.ts';
import { listEvents, upsertEvent } from './events.ts';
import { rebuildRollups } from './ingest.ts';
import { getAttributionCounts, getDailySourceCells } from './regressions.ts';

const DAY = 86_400_000;
const D1 = Date.UTC(2026, 3, 1);
const at = (day: number, hour: number) => new Date(D1 + day * DAY + hour * 3_600_000).toISOString();

describeOnBothTargets('regression queries', (get) => {
  let alpha = 0;

  beforeAll(async () => {
    const { db } = get();
    await migrate(db);
    alpha = await insertTestEntity(db, 'alpha');
    await insertTestMention(db, alpha, { at: at(0, 9), score: 0.5, label: 'positive', source: 'hn' });
    await insertTestMention(db, alpha, { at: at(0, 20), score: -0.5, label: 'negative', source: 'hn', body: 'it is down again' });
    await insertTestMention(db, alpha, { at: at(0, 11), score: 0.2, label: 'neutral', source: 'reddit' });
    await insertTestMention(db, alpha, {
      at: at(1, 10),
      score: -0.8,
      label: 'negative',
      source: 'reddit',
      title: 'Rate limited',
      body: 'hit the weekly limit by Tuesday',
      aspects: [{ aspect: 'limits', polarity: 'negative', score: -0.8 }],
    });
    const crash = await insertTestMention(db, alpha, {
      at: at(1, 12),
      score: -0.4,
      label: 'negative',
      source: 'reddit',
      body: 'crashes since 2.1.89',
    });
    await sql`UPDATE mentions SET version = '2.1.89' WHERE post_id = ${crash}`.execute(db);
    await rebuildRollups(db, new Date(D1 - DAY), new Date(D1 + 3 * DAY));
  });

  it('reads daily sums per source from the daily rollups', async () => {
    const cells = (await getDailySourceCells(get().db, { entityIds: [alpha], from: new Date(D1), to: new Date(D1 + 2 * DAY) })).get(alpha)!;
    expect(cells.map((c) => [c.day.toISOString().slice(0, 10), c.source, c.n])).toEqual([
      ['2026-04-01', 'hn', 2],
      ['2026-04-01', 'reddit', 1],
      ['2026-04-02', 'reddit', 2],
    ]);
    expect(cells[0]!.scoreSum).toBeCloseTo(0, 6);
    expect(cells[0]!.scoreSqSum).toBeCloseTo(0.5, 6);
    expect(cells[2]!.scoreSum).toBeCloseTo(-1.2, 5);
  });

  it('counts mentions, negative aspects and versions in a window and the one before, with the text around negative mentions', async () => {
    const counts = await getAttributionCounts(get().db, {
      entityId: alpha,
      from: new Date(D1 + DAY),
      to: new Date(D1 + 2 * DAY),
      previousFrom: new Date(D1),
    });
    expect(counts).toMatchObject({
      n: 2,
      previousN: 3,
      negatives: { current: 2, previous: 1 },
      aspects: [{ aspect: 'limits', current: 1, previous: 0 }],
      versions: [{ version: '2.1.89', current: 1, previous: 0 }],
    });
    expect(counts.texts.previous).toEqual(['it is down again']);
    expect(counts.texts.current.sort()).toEqual(['Rate limited\n\nhit the weekly limit by Tuesday', 'crashes since 2.1.89'].sort());
  });

  it('stores events of kind regression, and still refuses an unknown kind', async () => {
    const { db } = get();
    const event = {
      entityId: alpha,
      source: 'vibecheck',
      externalId: 'regression:alpha:drop:2026-04-01',
      title: 't',
      url: null,
      body: null,
      occurredAt: new Date(D1),
      details: { size: -0.2 },
    };
    await upsertEvent(db, { ...event, kind: 'regression' });
    await upsertEvent(db, { ...event, kind: 'regression', details: { size: -0.3 } });
    const stored = await listEvents(db, { from: new Date(D1 - DAY), to: new Date(D1 + DAY), kind: 'regression' });
    expect(stored.map((e) => [e.externalId, e.details.size])).toEqual([['regression:alpha:drop:2026-04-01', -0.3]]);
    await expect(
      sql`INSERT INTO events (kind, source, external_id, title, occurred_at) VALUES ('nonsense', 'x', 'y', 't', now())`.execute(db),
    ).rejects.toThrow(/events_kind_check/);
  });
});
