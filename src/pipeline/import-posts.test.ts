import { Readable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTarget, describeOnBothTargets } from '../../test/support/targets.ts';
import type { Database } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import type { DB } from '../db/schema.ts';
import { seedEntities } from './entities.ts';
import { importPosts, MAX_LINE_BYTES, parseImportLine, readLines, type InputLine } from './import-posts.ts';
import { createIngestor, type Ingestor } from './ingest.ts';

const TOOLS = ['Claude Code', 'Cursor', 'GitHub Copilot', 'Gemini CLI', 'Aider', 'Windsurf'];
const VERDICTS = ['is great at refactoring', 'keeps crashing on big repos', 'got too expensive', 'is fine, nothing special'];

/** 1,700 lines: four batches and a part, with a re-sent post, a repost of earlier text and bad lines. */
function lines(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 1_700; i++) {
    const body = `${TOOLS[i % TOOLS.length]} ${VERDICTS[i % VERDICTS.length]}, and ${TOOLS[(i + 2) % TOOLS.length]} ${VERDICTS[(i + 1) % VERDICTS.length]} (post ${i}).`;
    const createdAt = new Date(Date.UTC(2026, 2, 1) + i * 1_800_000).toISOString();
    out.push(
      JSON.stringify({ source: i % 3 ? 'hn' : 'reddit', externalId: String(i), author: `user${i}`, body, createdAt, score: i % 50 }),
    );
  }
  // A post of the first batch sent again in the fourth, and the first post's author repeating it in the fourth.
  out[1_600] = out[10]!;
  out[1_601] = JSON.stringify({ ...JSON.parse(out[0]!), source: 'lobsters', externalId: 'repost' });
  out[1_602] = '{"source": "hn", "externalId":';
  return out;
}

/** Everything the import stored, in a stable order, ids left out (they depend on insert order). */
async function snapshot(db: Kysely<DB>) {
  const posts = await sql`
    SELECT p.source, p.external_id, p.sentiment_label, p.sentiment_score, o.external_id AS duplicate_of
    FROM posts p LEFT JOIN posts o ON o.id = p.duplicate_of ORDER BY 1, 2`.execute(db);
  const mentions = await sql`
    SELECT p.source, p.external_id, m.entity_id, m.label, m.score, m.start_offset, m.direct
    FROM mentions m JOIN posts p ON p.id = m.post_id ORDER BY 1, 2, 3`.execute(db);
  const aspects = await sql`
    SELECT p.source, p.external_id, a.entity_id, a.aspect, a.polarity, a.evidence
    FROM mention_aspects a JOIN posts p ON p.id = a.post_id ORDER BY 1, 2, 3, 4`.execute(db);
  const hourly = await sql`
    SELECT entity_id, bucket, source, n, positive, negative, round(weighted_score_sum::numeric, 6) AS w
    FROM sentiment_rollups ORDER BY 1, 2, 3`.execute(db);
  const daily = await sql`
    SELECT entity_id, day, source, n, round(score_sum::numeric, 6) AS s FROM sentiment_rollups_daily ORDER BY 1, 2, 3`.execute(db);
  return { posts: posts.rows, mentions: mentions.rows, aspects: aspects.rows, hourly: hourly.rows, daily: daily.rows };
}

async function importInto(db: Kysely<DB>, analysisThreads: number, concurrentCommits = 1) {
  await migrate(db);
  await seedEntities(db);
  const ingestor = await createIngestor(db, { analysisThreads });
  try {
    return await importPosts(Readable.from(lines().map((l) => `${l}\n`)), ingestor, { batchSize: 500, concurrentCommits });
  } finally {
    await ingestor.close();
  }
}

describeOnBothTargets('importing with analysis in worker threads and concurrent commits', (get, target) => {
  let inline: Awaited<ReturnType<typeof createTarget>>;
  let inlineDb: Database;
  beforeAll(async () => {
    inline = await createTarget(target().name);
    inlineDb = await inline.open();
  });
  afterAll(async () => {
    await inlineDb?.close();
    await inline?.cleanup();
  });

  it('stores exactly what one thread committing one batch at a time stores, reposts pointing back in input order', async () => {
    const threaded = await importInto(get().db, 2, 2);
    const mainThread = await importInto(inlineDb.db, 0);
    expect(threaded).toEqual(mainThread);
    // The re-sent post and the repost count as duplicates.
    expect(threaded).toMatchObject({ read: 1_700, stored: 1_697, duplicates: 2, rejected: 1 });
    expect(threaded.errors).toEqual([{ line: 1_603, message: expect.stringMatching(/^invalid JSON/) }]);
    const a = await snapshot(get().db);
    expect(a).toEqual(await snapshot(inlineDb.db));
    expect(a.mentions.length).toBeGreaterThan(3_000);
    expect(a.aspects.length).toBeGreaterThan(1_000);
    // The repost in the fourth batch points at the first post, stored three batches before it.
    expect(a.posts.find((p) => (p as { external_id: string }).external_id === 'repost')).toMatchObject({ duplicate_of: '0' });
  });

  it('imports the same file again without storing or counting anything twice', async () => {
    const before = await snapshot(get().db);
    const again = await importInto(get().db, 2, 2);
    expect(again).toMatchObject({ read: 1_700, stored: 0, duplicates: 1_699, rejected: 1 });
    expect(await snapshot(get().db)).toEqual(before);
  });
});

/** The lines `bytes` splits into, fed `chunkSize` bytes at a time. */
async function linesOf(bytes: Buffer, chunkSize: number, maxBytes?: number): Promise<InputLine[]> {
  const chunks = Array.from({ length: Math.ceil(bytes.length / chunkSize) }, (_, i) => bytes.subarray(i * chunkSize, (i + 1) * chunkSize));
  const out: InputLine[] = [];
  for await (const line of readLines(Readable.from(chunks), maxBytes)) out.push(line);
  return out;
}

describe('readLines', () => {
  it('splits at LF, drops the CR of CRLF and a leading byte order mark, keeps empty lines, wherever the chunks end', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\r\n\nsecond ü\nno newline at the end')]);
    const expected = [
      { number: 1, text: '{"a":1}', validUtf8: true },
      { number: 2, text: '', validUtf8: true },
      { number: 3, text: 'second ü', validUtf8: true },
      { number: 4, text: 'no newline at the end', validUtf8: true },
    ];
    for (const chunkSize of [1, 2, 3, 7, 1024]) expect(await linesOf(bytes, chunkSize)).toEqual(expected);
  });

  it('yields an over-long line once, by number, as soon as it passes the limit, and goes on after it', async () => {
    const bytes = Buffer.from(`short\n${'x'.repeat(100)}\n${'y'.repeat(40)}\nlast\n`);
    for (const chunkSize of [1, 16, 4096]) {
      expect(await linesOf(bytes, chunkSize, 32)).toEqual([
        { number: 1, text: 'short', validUtf8: true },
        { number: 2, text: null, validUtf8: true },
        { number: 3, text: null, validUtf8: true },
        { number: 4, text: 'last', validUtf8: true },
      ]);
    }
  });

  it('holds no more than the limit of a line without end (/dev/zero)', async () => {
    let sent = 0;
    const zeros = new Readable({
      read() {
        sent += 65_536;
        this.push(sent > 4 * MAX_LINE_BYTES ? null : Buffer.alloc(65_536));
      },
    });
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const lines: InputLine[] = [];
    for await (const line of readLines(zeros)) {
      lines.push(line);
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }
    expect(lines).toEqual([{ number: 1, text: null, validUtf8: true }]);
    expect(peak - before).toBeLessThan(2 * MAX_LINE_BYTES);
  });

  it('says when a line is not valid UTF-8, its bad bytes read as U+FFFD', async () => {
    const bytes = Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' ok\nfine\n')]);
    expect(await linesOf(bytes, 2)).toEqual([
      { number: 1, text: 'caf\uFFFD ok', validUtf8: false },
      { number: 2, text: 'fine', validUtf8: true },
    ]);
  });
});

describe('parseImportLine', () => {
  const NOW = new Date('2026-03-10T00:00:00Z');
  const line = (extra: Record<string, unknown>) =>
    JSON.stringify({ source: 'hn', externalId: '1', body: 'Cursor is fine.', createdAt: '2026-03-01T12:00:00Z', ...extra });
  const error = (text: string) => {
    const parsed = parseImportLine(text, NOW);
    return 'error' in parsed ? parsed.error : null;
  };

  it('refuses values the database cannot hold, naming the field', () => {
    expect(error(line({ createdAt: '0000-01-01T00:00:00Z' }))).toBe('createdAt: 0000-01-01T00:00:00.000Z is before 2000-01-01');
    expect(error(line({ createdAt: '0001-01-01T00:00:00Z' }))).toBe('createdAt: 0001-01-01T00:00:00.000Z is before 2000-01-01');
    expect(error(line({ createdAt: '2026-02-30T00:00:00Z' }))).toMatch(/^createdAt: /);
    expect(error(line({ createdAt: '2027-01-01T00:00:00Z' }))).toBe('createdAt: 2027-01-01T00:00:00.000Z is more than a day in the future');
    expect(error(line({ score: 2 ** 31 }))).toBe('score: at most 2147483647');
    expect(error(line({ score: -(2 ** 31) - 1 }))).toBe('score: at least -2147483648');
    expect(error(line({ comments: 2 ** 31 }))).toBe('comments: at most 2147483647');
    expect(error(line({ externalId: 'a\u0000b' }))).toMatch(/^externalId: contains control characters/);
  });

  it('says what an identifier must be when it is missing, empty or of the wrong type', () => {
    const expected = 'expected a non-empty string of at most 512 characters or a non-negative integer';
    expect(error(line({ externalId: null }))).toBe(`externalId: ${expected}`);
    expect(error(line({ externalId: '  ' }))).toBe(`externalId: ${expected}`);
    expect(error(line({ externalId: -3 }))).toBe(`externalId: ${expected}`);
    expect(error(line({ parentId: { id: 1 } }))).toBe(`parentId: ${expected}`);
    expect(parseImportLine(line({ externalId: 42, parentId: null }), NOW)).toMatchObject({ post: { externalId: '42', parentId: null } });
  });

  it('stores text with NUL, control and bidirectional characters cleaned', () => {
    const parsed = parseImportLine(line({ body: 'Cursor\u0000 is \u001b[31mfine.', title: 'Cur\u202Esor', author: 'a\u0000b' }), NOW);
    expect(parsed).toMatchObject({ post: { body: 'Cursor is [31mfine.', title: 'Cursor', author: 'ab' } });
  });

  it('never quotes a control character of the input raw', () => {
    // V8 quotes short invalid input in its message: "Unexpected token '\u001b', "\u001b[2J..." is not valid JSON".
    const message = error('\u001b[2J\u0007');
    expect(message).toMatch(/^invalid JSON/);
    // eslint-disable-next-line no-control-regex -- the point is that none reaches the terminal
    expect(message).not.toMatch(/[\u0000-\u001f]/);
    expect(message).toContain('\\u001b');
  });
});

describeOnBothTargets('importing when the database refuses a row the edge let through', (get) => {
  it('reports that line by number and stores every other line', async () => {
    const db = get().db;
    await migrate(db);
    await seedEntities(db);
    const real = await createIngestor(db);
    // A value only the database catches: slipped into one prepared post, after the edge cleaned it.
    const ingestor: Ingestor = {
      ...real,
      prepare: async (batch) => {
        const prepared = await real.prepare(batch);
        for (const post of prepared.analyses.keys()) if (post.externalId === 'bad') post.body = 'Cursor \u0000 slipped through';
        return prepared;
      },
    };
    const input = Array.from({ length: 25 }, (_, i) =>
      JSON.stringify({
        source: 'hn',
        externalId: i === 20 ? 'bad' : `ok-${i}`,
        author: `u${i}`,
        body: `Claude Code helped with task number ${i} today.`,
        createdAt: '2026-03-01T12:00:00Z',
      }),
    );
    const summary = await importPosts(Readable.from(input.map((l) => `${l}\n`)), ingestor, { batchSize: 8 });
    expect(summary).toMatchObject({ read: 25, stored: 24, duplicates: 0, rejected: 1 });
    expect(summary.errors).toEqual([{ line: 21, message: 'the database refused it: invalid byte sequence for encoding "UTF8": 0x00' }]);
    const count = await sql<{ n: number }>`SELECT count(*)::int AS n FROM posts WHERE external_id LIKE 'ok-%'`.execute(db);
    expect(count.rows[0]?.n).toBe(24);
  });
});
