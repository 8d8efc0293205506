import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTarget, describeOnBothTargets } from '../../../test/support/targets.ts';
import type { Database } from '../client.ts';
import { MIGRATIONS_DIR, migrate } from '../migrate.ts';
import type { DB } from '../schema.ts';
import { insertPosts, MIN_COPY_LENGTH, repostKeys, type PostRow } from './ingest.ts';

/** 81 characters: long enough to be a repost by its author, too short to be a copy by anyone. */
const TEXT = 'Claude Code rewrote our flaky integration tests and they have passed for a week.';
/** The complaint two people may well write in the same words (57 characters). */
const COMMON = 'Cursor keeps crashing on large repos, really frustrating.';
/** 240 characters: nobody writes this twice by chance. */
const LONG = `${TEXT} We pointed it at the whole suite, it found the shared fixture that leaked state between tests, fixed the teardown, and the CI has been green since.`;

let nextDay = 1;
const row = (source: string, externalId: string, extra: Partial<PostRow> = {}): PostRow => {
  const body = extra.body ?? TEXT;
  return {
    source,
    externalId,
    url: null,
    author: 'ana',
    title: null,
    body,
    createdAt: new Date(Date.UTC(2026, 2, nextDay++ % 28)),
    score: null,
    comments: null,
    parentId: null,
    threadId: null,
    contentHash: `hash:${body.toLowerCase()}`,
    label: 'neutral',
    sentimentScore: 0,
    confidence: 0.5,
    modelVersion: 'test',
    ...extra,
  };
};

const repostOf = async (db: Kysely<DB>, rows: PostRow[]) =>
  (await insertPosts(db, rows)).map((p) => [`${p.source}/${p.externalId}`, p.duplicateOf] as const);

describe('repostKeys', () => {
  it('keys long texts by text alone, shorter ones by author and by link for top-level posts', () => {
    expect(LONG.length).toBeGreaterThanOrEqual(MIN_COPY_LENGTH);
    expect(repostKeys(row('hn', '1', { body: LONG, url: 'https://a.example/x' }))).toEqual([`t:hash:${LONG.toLowerCase()}`]);
    expect(repostKeys(row('hn', '1', { url: 'https://a.example/x' })).map((k) => k.slice(0, 2))).toEqual(['a:', 'u:']);
    expect(repostKeys(row('hn', '1', { url: 'https://a.example/x', parentId: '7' })).map((k) => k.slice(0, 2))).toEqual(['a:']);
    expect(repostKeys(row('hn', '1', { body: 'thanks!', url: null }))).toEqual([]);
    expect(repostKeys(row('hn', '1', { author: null }))).toEqual([]);
  });
});

describeOnBothTargets('inserting posts', (get) => {
  beforeAll(async () => migrate(get().db));

  it('flags the same author repeating a text, in the batch or after it, but not a short reply', async () => {
    const db = get().db;
    const [first] = await insertPosts(db, [row('hn', '1')]);
    expect(first?.duplicateOf).toBeNull();
    expect(
      await repostOf(db, [
        row('reddit', 'b'),
        row('reddit', 'a'),
        row('hn', '2', { body: 'thanks!' }),
        row('hn', '3', { body: 'thanks!' }),
      ]),
    ).toEqual([
      ['hn/2', null],
      ['hn/3', null],
      ['reddit/a', first!.id],
      ['reddit/b', first!.id],
    ]);
    const within = await insertPosts(db, [row('devto', 'x', { body: `${TEXT} Again.` }), row('devto', 'y', { body: `${TEXT} Again.` })]);
    expect(within[1]?.duplicateOf).toBe(within[0]?.id);
    expect(await insertPosts(db, [row('hn', '1')])).toEqual([]);
  });

  it('counts two people writing the same short complaint on different days as two opinions', async () => {
    const db = get().db;
    const posts = await repostOf(db, [
      row('reddit', 'c1', { body: COMMON, author: 'bo', url: 'https://www.reddit.com/r/x/comments/c1/' }),
      row('hn', 'c2', { body: COMMON, author: 'cy', url: 'https://news.ycombinator.com/item?id=c2' }),
    ]);
    expect(posts).toEqual([
      ['hn/c2', null],
      ['reddit/c1', null],
    ]);
    // Unknown authors are not the same author either.
    expect(await repostOf(db, [row('lobsters', 'c3', { body: COMMON, author: null })])).toEqual([['lobsters/c3', null]]);
    // The same person saying it again is one opinion.
    const [again] = await repostOf(db, [row('devto', 'c4', { body: COMMON, author: 'bo' })]);
    expect(again?.[1]).toEqual(expect.any(Number));
  });

  it('flags a text long enough to be a copy whoever posts it', async () => {
    const db = get().db;
    const [original] = await insertPosts(db, [row('hn', 'l1', { body: LONG, author: 'dee' })]);
    expect(
      await repostOf(db, [row('reddit', 'l2', { body: LONG, author: 'someone-else' }), row('devto', 'l3', { body: LONG, author: null })]),
    ).toEqual([
      ['devto/l3', original!.id],
      ['reddit/l2', original!.id],
    ]);
  });

  it('flags a cross-post: the same link with the same words, top-level only', async () => {
    const db = get().db;
    const link = 'https://cursor.com/blog/2-0';
    const [submitted] = await insertPosts(db, [
      row('hn', 'u1', { title: 'Cursor 2.0', body: '', author: 'eve', url: link, contentHash: 'hash:cursor 2.0' }),
    ]);
    expect(
      await repostOf(db, [
        row('lobsters', 'u2', { title: 'Cursor 2.0', body: '', author: 'fay', url: link, contentHash: 'hash:cursor 2.0' }),
      ]),
    ).toEqual([['lobsters/u2', submitted!.id]]);
    // Replies in one thread may share its link; the same short reply from two people is two replies.
    const replies = await repostOf(db, [
      row('discourse', 'r1', { body: COMMON, author: 'gil', url: 'https://forum.example/t/1', parentId: 't1' }),
      row('discourse', 'r2', { body: COMMON, author: 'hal', url: 'https://forum.example/t/1', parentId: 't1' }),
    ]);
    expect(replies).toEqual([
      ['discourse/r1', null],
      ['discourse/r2', null],
    ]);
  });

  it('points every repost at the first post, even through a repost that claimed a key of its own', async () => {
    const db = get().db;
    const link = 'https://example.com/chain';
    const body = 'Gemini CLI got much faster after the last update, nice work.';
    // B repeats A's words (same author) and brings a link; C repeats B's link and words (another author).
    const [first] = await insertPosts(db, [row('hn', 'chain-a', { body, author: 'ivy', contentHash: 'hash:chain' })]);
    const [second] = await insertPosts(db, [row('reddit', 'chain-b', { body, author: 'ivy', url: link, contentHash: 'hash:chain' })]);
    const [third] = await insertPosts(db, [row('lobsters', 'chain-c', { body, author: 'jon', url: link, contentHash: 'hash:chain' })]);
    expect(second?.duplicateOf).toBe(first?.id);
    expect(third?.duplicateOf).toBe(first?.id);
  });
});

describeOnBothTargets('migration 007 (repost keys)', (get) => {
  beforeAll(async () => migrate(get().db));

  it('derives in SQL exactly the keys insertPosts claims', async () => {
    const db = get().db;
    await insertPosts(db, [
      row('hn', 'm1', { body: LONG, author: 'kim' }),
      row('hn', 'm2', { author: 'Ünïcode ✓', url: 'https://example.com/ü?q=1' }),
      row('hn', 'm3', { body: 'short', url: 'https://example.com/short' }),
      row('hn', 'm4', { author: 'kim', parentId: '1', url: 'https://example.com/thread' }),
      row('hn', 'm5', { author: 'kim' }),
    ]);
    const keys = async () =>
      (await sql<{ repost_key: string; post_id: string }>`SELECT repost_key, post_id FROM post_texts ORDER BY 1`.execute(db)).rows;
    const before = await keys();
    expect(before.length).toBe(5);
    const migration = readFileSync(new URL('007_repost_keys.sql', MIGRATIONS_DIR), 'utf8');
    await db.transaction().execute((trx) => sql.raw(migration).execute(trx));
    expect(await keys()).toEqual(before);
  });

  it("counts again a post the old rule flagged for another author's words; clears its model version for rescore", async () => {
    const db = get().db;
    const [first, second, same] = await insertPosts(db, [
      row('reddit', 'o1', { body: COMMON, author: 'lea', contentHash: 'hash:old' }),
      row('reddit', 'o2', { body: COMMON, author: 'max', contentHash: 'hash:old' }),
      row('reddit', 'o3', { body: COMMON, author: 'lea', contentHash: 'hash:old' }),
    ]);
    // As the old rule stored them: everything after the first flagged.
    await sql`UPDATE posts SET duplicate_of = ${first!.id} WHERE id IN (${second!.id}, ${same!.id})`.execute(db);
    const migration = readFileSync(new URL('007_repost_keys.sql', MIGRATIONS_DIR), 'utf8');
    await db.transaction().execute((trx) => sql.raw(migration).execute(trx));
    const rows = await sql<{ external_id: string; duplicate_of: string | null; model_version: string | null }>`
      SELECT external_id, duplicate_of, model_version FROM posts WHERE external_id IN ('o1', 'o2', 'o3') ORDER BY 1`.execute(db);
    expect(rows.rows.map((r) => [r.external_id, r.duplicate_of === null ? null : Number(r.duplicate_of), r.model_version])).toEqual([
      ['o1', null, 'test'],
      ['o2', null, null],
      ['o3', first!.id, 'test'],
    ]);
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

  it('counts the same post once when both commit it at the same moment', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let firstInserted!: () => void;
    const inserted = new Promise<void>((resolve) => (firstInserted = resolve));
    const writerA = a.db.transaction().execute(async (trx) => {
      const posts = await insertPosts(trx, [row('hn', '10', { url: 'https://example.com/a' })]);
      firstInserted();
      await held;
      return posts;
    });
    await inserted;
    // B writes the same author's text while A's transaction is still open, then A commits.
    const writerB = b.db.transaction().execute((trx) => insertPosts(trx, [row('lobsters', '10', { url: 'https://example.com/b' })]));
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
