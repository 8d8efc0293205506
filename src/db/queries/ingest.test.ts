import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTarget, describeOnBothTargets } from '../../../test/support/targets.ts';
import type { Database } from '../client.ts';
import { migrate } from '../migrate.ts';
import { insertPosts, type PostRow } from './ingest.ts';

const TEXT = 'Claude Code rewrote our flaky integration tests and they have passed for a week.';

const row = (source: string, externalId: string, body = TEXT): PostRow => ({
  source,
  externalId,
  url: null,
  author: null,
  title: null,
  body,
  createdAt: new Date('2026-03-01T12:00:00Z'),
  score: null,
  comments: null,
  parentId: null,
  threadId: null,
  contentHash: `hash:${body.toLowerCase()}`,
  label: 'neutral',
  sentimentScore: 0,
  confidence: 0.5,
  modelVersion: 'test',
});

describeOnBothTargets('inserting posts', (get) => {
  beforeAll(async () => migrate(get().db));

  it('flags a repost of a stored text and a repeat within the batch, not short texts', async () => {
    const db = get().db;
    const [first] = await insertPosts(db, [row('hn', '1')]);
    const second = await insertPosts(db, [row('reddit', 'b'), row('reddit', 'a'), row('hn', '2', 'thanks!'), row('hn', '3', 'thanks!')]);
    expect(first?.duplicateOf).toBeNull();
    expect(second.map((p) => [p.source, p.externalId, p.duplicateOf])).toEqual([
      ['hn', '2', null],
      ['hn', '3', null],
      ['reddit', 'a', first!.id],
      ['reddit', 'b', first!.id],
    ]);
    const within = await insertPosts(db, [row('devto', 'x', `${TEXT} Again.`), row('devto', 'y', `${TEXT} Again.`)]);
    expect(within[1]?.duplicateOf).toBe(within[0]?.id);
    expect(await insertPosts(db, [row('hn', '1')])).toEqual([]);
  });
});

describe('inserting posts from two writers at once [server]', () => {
  let target: Awaited<ReturnType<typeof createTarget>>;
  let a: Database;
  let b: Database;
  beforeAll(async () => {
    target = await createTarget('server');
    a = await target.open();
    b = await target.open();
    await migrate(a.db);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await target?.cleanup();
  });

  it('counts the same text once when both commit it at the same moment', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let firstInserted!: () => void;
    const inserted = new Promise<void>((resolve) => (firstInserted = resolve));
    const writerA = a.db.transaction().execute(async (trx) => {
      const posts = await insertPosts(trx, [row('hn', '10')]);
      firstInserted();
      await held;
      return posts;
    });
    await inserted;
    // B writes the same text while A's transaction is still open, then A commits.
    const writerB = b.db.transaction().execute((trx) => insertPosts(trx, [row('lobsters', '10')]));
    const settledEarly = await Promise.race([writerB.then(() => true), new Promise((r) => setTimeout(() => r(false), 300))]);
    release();
    const [[fromA], [fromB]] = await Promise.all([writerA, writerB]);
    expect(settledEarly).toBe(false);
    expect(fromA?.duplicateOf).toBeNull();
    expect(fromB?.duplicateOf).toBe(fromA?.id);
    const counted = await sql<{ n: number }>`SELECT count(*)::int AS n FROM posts WHERE duplicate_of IS NULL`.execute(a.db);
    expect(counted.rows[0]?.n).toBe(1);
  });
});
