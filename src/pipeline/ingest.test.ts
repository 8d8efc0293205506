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
      posts: [
        {
          ...post('r1', 'Switched to   Cursor last week and I LOVE the tab completion.'),
          source: 'reddit',
          createdAt: new Date('2026-03-02T09:00:00Z'),
        },
      ],
    });
    expect(result).toMatchObject({ stored: 0, duplicates: 1 });
    const row = await sql<{ duplicate_of: number | null; mentions: number }>`
      SELECT p.duplicate_of, (SELECT count(*)::int FROM mentions m WHERE m.post_id = p.id) AS mentions
      FROM posts p WHERE p.source = 'reddit' AND p.external_id = 'r1'`.execute(db);
    expect(row.rows[0]?.duplicate_of).not.toBeNull();
    expect(row.rows[0]?.mentions).toBe(0);
  });

  it('rejects a post it cannot store by id and stores the rest of the batch and its cursor', async () => {
    const db = get().db;
    const result = await ingestor.ingest({
      posts: [
        post('199', 'Gemini CLI rocks'),
        post('200', 'Cursor is fine', { createdAt: new Date('0000-01-01T00:00:00Z') }),
        post('201', 'Aider\u0000 is underrated', { title: 'Ai\u202Eder', author: 'x\u0007y', score: 2 ** 31, comments: 2 ** 31 }),
        post('202', 'Copilot got worse', { createdAt: new Date('nonsense') }),
      ],
      events: [
        {
          kind: 'release',
          source: 'rss',
          externalId: 'e1',
          title: 'Cursor\u0000 2.1',
          url: null,
          body: 'notes\u0000',
          occurredAt: new Date('2026-03-01T00:00:00Z'),
        },
        {
          kind: 'release',
          source: 'rss',
          externalId: 'e2',
          title: 'Cursor 2.2',
          url: null,
          body: null,
          occurredAt: new Date('2026-02-28T00:00:00Z'),
        },
        {
          kind: 'release',
          source: 'rss',
          externalId: 'e3',
          title: 'Cursor 0.1',
          url: null,
          body: null,
          occurredAt: new Date('1999-01-01T00:00:00Z'),
        },
      ],
      cursor: { source: 'hn', queryKey: 'q:test', value: { after: 202 } },
    });
    expect(result).toMatchObject({ stored: 2, duplicates: 0, events: 2 });
    expect(result.rejected).toEqual([
      { kind: 'post', source: 'hn', externalId: '200', reason: 'createdAt: 0000-01-01T00:00:00.000Z is before 2000-01-01' },
      { kind: 'post', source: 'hn', externalId: '202', reason: 'createdAt: not a valid date' },
      { kind: 'event', source: 'rss', externalId: 'e3', reason: 'occurredAt: 1999-01-01T00:00:00.000Z is before 2000-01-01' },
    ]);
    const stored = await sql<{
      external_id: string;
      body: string;
      title: string | null;
      author: string | null;
      score: number;
      comments: number;
    }>`
      SELECT external_id, body, title, author, score, comments FROM posts WHERE external_id IN ('199', '200', '201', '202') ORDER BY 1`.execute(
      db,
    );
    expect(stored.rows).toEqual([
      expect.objectContaining({ external_id: '199' }),
      { external_id: '201', body: 'Aider is underrated', title: 'Aider', author: 'xy', score: 2 ** 31 - 1, comments: 2 ** 31 - 1 },
    ]);
    const engagement = await sql<{ engagement: number }>`
      SELECT m.engagement FROM mentions m JOIN posts p ON p.id = m.post_id WHERE p.external_id = '201' LIMIT 1`.execute(db);
    expect(engagement.rows[0]?.engagement).toBe(2 ** 31 - 1);
    const events = await sql<{ external_id: string; title: string; body: string | null }>`
      SELECT external_id, title, body FROM events ORDER BY 1`.execute(db);
    expect(events.rows).toEqual([
      { external_id: 'e1', title: 'Cursor 2.1', body: 'notes' },
      { external_id: 'e2', title: 'Cursor 2.2', body: null },
    ]);
    expect((await loadCursors(db, 'hn')).get('q:test')).toEqual({ after: 202 });
  });

  it('finds the rows the database refuses by splitting the batch, reports them by id and stores the others', async () => {
    const db = get().db;
    // Values the edge would have cleaned, handed straight to commit: the database is the last line.
    const posts = Array.from({ length: 9 }, (_, i) =>
      post(`split-${i}`, i === 2 || i === 7 ? `Claude Code is \u0000 great (${i})` : `Claude Code is great at refactoring (${i}).`, {
        createdAt: new Date(Date.UTC(2026, 2, 3, i)),
      }),
    );
    const analyses = new Map(posts.map((p) => [p, ingestor.analyzer.analyze(p)]));
    const before = await rollupTotals(db);
    const result = await ingestor.commit({
      batch: { posts, cursor: { source: 'hn', queryKey: 'q:split', value: { page: 2 } } },
      analyses,
      events: [],
      rejected: [],
    });
    expect(result.stored).toBe(7);
    expect(result.duplicates).toBe(0);
    expect(result.rejected).toEqual([
      {
        kind: 'post',
        source: 'hn',
        externalId: 'split-2',
        reason: 'the database refused it: invalid byte sequence for encoding "UTF8": 0x00',
      },
      {
        kind: 'post',
        source: 'hn',
        externalId: 'split-7',
        reason: 'the database refused it: invalid byte sequence for encoding "UTF8": 0x00',
      },
    ]);
    const stored = await sql<{ external_id: string; mentions: number }>`
      SELECT p.external_id, (SELECT count(*)::int FROM mentions m WHERE m.post_id = p.id) AS mentions
      FROM posts p WHERE p.external_id LIKE 'split-%' ORDER BY 1`.execute(db);
    expect(stored.rows.map((r) => r.external_id)).toEqual(['split-0', 'split-1', 'split-3', 'split-4', 'split-5', 'split-6', 'split-8']);
    expect(stored.rows.every((r) => r.mentions > 0)).toBe(true);
    expect((await loadCursors(db, 'hn')).get('q:split')).toEqual({ page: 2 });
    // The rolled-back attempts left nothing behind in the rollups.
    expect((await rollupTotals(db)).length).toBeGreaterThan(before.length);
  });

  it('commits nothing of a batch that fails for a reason no row explains, cursor included', async () => {
    const db = get().db;
    // jsonb cannot hold \u0000: the cursor, not a post, is what the database refuses.
    await expect(
      ingestor.ingest({
        posts: [post('299', 'Gemini CLI rocks')],
        cursor: { source: 'hn', queryKey: 'q:test', value: { after: 'a\u0000b' } },
      }),
    ).rejects.toThrow();
    const count = await sql<{ n: number }>`SELECT count(*)::int AS n FROM posts WHERE external_id = '299'`.execute(db);
    expect(count.rows[0]?.n).toBe(0);
    expect((await loadCursors(db, 'hn')).get('q:test')).toEqual({ after: 202 });
  });

  it('keeps rollups equal to a rebuild from the raw mentions', async () => {
    const db = get().db;
    const incremental = await rollupTotals(db);
    await rebuildRollups(db, new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'));
    expect(await rollupTotals(db)).toEqual(incremental);
    expect(incremental.length).toBeGreaterThan(2);
  });
});
