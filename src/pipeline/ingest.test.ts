import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { NormalizedPost } from '../core/post.ts';
import { migrate } from '../db/migrate.ts';
import { loadCursors, rebuildRollups } from '../db/queries/ingest.ts';
import { describeOnBothTargets } from '../../test/support/targets.ts';
import { seedEntities } from './entities.ts';
import { createIngestor, type Ingestor } from './ingest.ts';

const post = (id: string, body: string, extra: Partial<NormalizedPost> = {}): NormalizedPost => ({
  source: 'hn',
  externalId: id,
  url: `https://news.ycombinator.com/item?id=${id}`,
  author: 'someone',
  title: null,
  body,
  createdAt: new Date('2026-03-01T12:34:00Z'),
  score: 10,
  comments: 2,
  parentId: '1',
  threadId: '1',
  ...extra,
});

const rollupTotals = async (db: Parameters<typeof rebuildRollups>[0]) =>
  (
    await sql<{ entity_id: number; bucket: Date; source: string; n: number; positive: number; negative: number; s: number; w: number }>`
      SELECT entity_id, bucket, source, n, positive, negative, round(score_sum::numeric, 4)::float8 AS s,
             round(weighted_score_sum::numeric, 4)::float8 AS w
      FROM sentiment_rollups ORDER BY entity_id, bucket, source`.execute(db)
  ).rows;

describeOnBothTargets('ingesting a batch', (get) => {
  let ingestor: Ingestor;

  it('stores posts, links and scores mentions, and rolls them up by hour', async () => {
    const db = get().db;
    await migrate(db);
    await seedEntities(db);
    ingestor = await createIngestor(db);
    const result = await ingestor.ingest({
      posts: [
        post('100', 'Claude Code is great, but Copilot is terrible and keeps crashing.'),
        post('101', 'Switched to Cursor last week and I love the tab completion.', { createdAt: new Date('2026-03-01T13:05:00Z') }),
        post('102', 'Nothing to see here, just a post about my garden.'),
      ],
      cursor: { source: 'hn', queryKey: 'q:test', value: { after: 101 } },
    });
    expect(result).toMatchObject({ stored: 3, duplicates: 0 });
    const mentions = await sql<{ slug: string; label: string; direct: boolean }>`
      SELECT e.slug, m.label, m.direct FROM mentions m JOIN entities e ON e.id = m.entity_id
      JOIN posts p ON p.id = m.post_id WHERE p.external_id = '100' ORDER BY e.slug`.execute(db);
    const bySlug = Object.fromEntries(mentions.rows.map((r) => [r.slug, r]));
    expect(bySlug['claude-code']).toMatchObject({ label: 'positive', direct: true });
    expect(bySlug['github-copilot']).toMatchObject({ label: 'negative', direct: true });
    expect(bySlug['anthropic']).toMatchObject({ direct: false });
    expect((await loadCursors(db, 'hn')).get('q:test')).toEqual({ after: 101 });
    const hours = await sql<{ bucket: Date }>`SELECT DISTINCT bucket FROM sentiment_rollups ORDER BY bucket`.execute(db);
    expect(hours.rows.map((r) => new Date(r.bucket).toISOString())).toEqual(['2026-03-01T12:00:00.000Z', '2026-03-01T13:00:00.000Z']);
  });

  it('stores a re-fetched post once and leaves the rollups unchanged', async () => {
    const db = get().db;
    const before = await rollupTotals(db);
    const result = await ingestor.ingest({
      posts: [post('100', 'Claude Code is great, but Copilot is terrible and keeps crashing.'), post('100', 'same id twice')],
    });
    expect(result).toMatchObject({ stored: 0, duplicates: 2, mentions: 0 });
    expect(await rollupTotals(db)).toEqual(before);
    const count = await sql<{ n: number }>`SELECT count(*)::int AS n FROM posts`.execute(db);
    expect(count.rows[0]?.n).toBe(3);
  });

  it('flags the same text reposted on another source and does not count its mentions twice', async () => {
    const db = get().db;
    const result = await ingestor.ingest({
      posts: [{ ...post('r1', 'Switched to   Cursor last week and I LOVE the tab completion.'), source: 'reddit', createdAt: new Date('2026-03-02T09:00:00Z') }],
    });
    expect(result).toMatchObject({ stored: 0, duplicates: 1 });
    const row = await sql<{ duplicate_of: number | null; mentions: number }>`
      SELECT p.duplicate_of, (SELECT count(*)::int FROM mentions m WHERE m.post_id = p.id) AS mentions
      FROM posts p WHERE p.source = 'reddit' AND p.external_id = 'r1'`.execute(db);
    expect(row.rows[0]?.duplicate_of).not.toBeNull();
    expect(row.rows[0]?.mentions).toBe(0);
  });

  it('commits nothing of a batch that fails, cursor included', async () => {
    const db = get().db;
    const bad = post('200', 'Cursor is fine', { createdAt: new Date('nonsense') });
    await expect(
      ingestor.ingest({ posts: [post('199', 'Gemini CLI rocks'), bad], cursor: { source: 'hn', queryKey: 'q:test', value: { after: 200 } } }),
    ).rejects.toThrow();
    const count = await sql<{ n: number }>`SELECT count(*)::int AS n FROM posts WHERE external_id IN ('199', '200')`.execute(db);
    expect(count.rows[0]?.n).toBe(0);
    expect((await loadCursors(db, 'hn')).get('q:test')).toEqual({ after: 101 });
  });

  it('keeps rollups equal to a rebuild from the raw mentions', async () => {
    const db = get().db;
    const incremental = await rollupTotals(db);
    await rebuildRollups(db, new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'));
    expect(await rollupTotals(db)).toEqual(incremental);
    expect(incremental.length).toBeGreaterThan(2);
  });
});
