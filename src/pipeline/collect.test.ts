import { sql } from 'kysely';
import { pino } from 'pino';
import { beforeAll, expect, it } from 'vitest';
import type { FakeRequest } from '../../test/support/fake-upstream.ts';
import { fastHttp, serveUpstream } from '../../test/support/source-harness.ts';
import { describeOnBothTargets } from '../../test/support/targets.ts';
import { migrate } from '../db/migrate.ts';
import { loadCursors } from '../db/queries/ingest.ts';
import { createHnSource } from '../sources/hn/source.ts';
import { runSource } from './collect.ts';
import { seedEntities } from './entities.ts';

interface Hit {
  objectID: string;
  created_at_i: number;
  _tags: string[];
  author?: string;
  title?: string;
  comment_text?: string;
  points?: number;
  num_comments?: number;
  story_id?: number;
}

/** search_by_date over `hits`: phrase match, created_at_i filters, newest first, one page. */
const algolia = (hits: Hit[]) => (request: FakeRequest) => {
  if (request.path !== '/search_by_date') return { status: 404, body: { message: 'not found' } };
  const phrase = (request.query.get('query') ?? '').replace(/"/g, '').toLowerCase();
  const filters = (request.query.get('numericFilters') ?? '').split(',').filter(Boolean);
  const matching = hits
    .filter((h) => `${h.title ?? ''} ${h.comment_text ?? ''}`.toLowerCase().includes(phrase))
    .filter((h) =>
      filters.every((f) => {
        const [, op, raw] = /^created_at_i(>=|<=|>|<|=)(\d+)$/.exec(f) ?? [];
        const v = Number(raw);
        const t = h.created_at_i;
        return op === '>=' ? t >= v : op === '<=' ? t <= v : op === '>' ? t > v : op === '<' ? t < v : t === v;
      }),
    )
    .sort((a, b) => b.created_at_i - a.created_at_i);
  const perPage = Number(request.query.get('hitsPerPage') ?? 20);
  return { body: { hits: matching.slice(0, perPage), nbHits: matching.length, page: 0, nbPages: 1, hitsPerPage: perPage } };
};

const nowS = () => Math.floor(Date.now() / 1000);
const comment = (id: string, text: string, ageS: number, extra: Partial<Hit> = {}): Hit => ({
  objectID: id,
  created_at_i: nowS() - ageS,
  _tags: ['comment'],
  author: `user${id}`,
  comment_text: text,
  story_id: 1,
  ...extra,
});

describeOnBothTargets('a poll with one bad item in a page, over HTTP', (get) => {
  const warnings: Array<{ externalId?: string; reason?: string; msg: string }> = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) });

  beforeAll(async () => {
    const db = get().db;
    await migrate(db);
    await seedEntities(db);
    // One tracked phrase family keeps the poll to a few requests.
    await sql`UPDATE entities SET removed_at = now() WHERE slug NOT IN ('claude-code', 'anthropic')`.execute(db);
  });

  it('stores the others, reports the bad one by id, advances the cursor, and the next poll goes on from it', async () => {
    const db = get().db;
    const hits: Hit[] = [
      comment('101', 'Claude Code fixed the flaky test in minutes.', 600),
      comment('102', 'Claude Code \u0000 writes NUL bytes into my logs, somehow.', 500),
      // An id with NUL in it names no row: refused alone (and recorded escaped, since jsonb cannot hold NUL).
      comment('10\u00003', 'Claude Code with a broken id.', 450),
      comment('104', 'Claude Code is on the front page again.', 400, { points: 2 ** 31 + 5, num_comments: 2 ** 40 }),
      comment('105', 'Claude Code\u202E is great', 300, { author: 'bad\u0007name' }),
      // Dated ten years ahead: refused, and it must not move the poll's high-water mark past today.
      comment('106', 'Claude Code from the future.', -10 * 365 * 86_400),
    ];
    const upstream = await serveUpstream(algolia(hits));
    const source = createHnSource({ baseUrl: upstream.url, firebaseUrl: null, ...fastHttp(), retries: 0, hitsPerPage: 40 });

    const first = await runSource({ db, source, log });
    expect(first).toMatchObject({ fetched: 6, stored: 4, rejected: 2, error: null });
    const stored = await sql<{ external_id: string; body: string; author: string; score: number; comments: number | null }>`
      SELECT external_id, body, author, score, comments FROM posts WHERE source = 'hn' ORDER BY external_id`.execute(db);
    expect(stored.rows.map((r) => r.external_id)).toEqual(['101', '102', '104', '105']);
    expect(stored.rows.find((r) => r.external_id === '102')?.body).toBe('Claude Code  writes NUL bytes into my logs, somehow.');
    expect(stored.rows.find((r) => r.external_id === '104')).toMatchObject({ score: 2 ** 31 - 1, comments: 2 ** 31 - 1 });
    expect(stored.rows.find((r) => r.external_id === '105')).toMatchObject({ author: 'badname' });

    const rejected = warnings.filter((w) => w.msg === 'item rejected').map((w) => [w.externalId, w.reason]);
    // Newest first, as Algolia serves them.
    expect(rejected).toEqual([
      ['106', expect.stringMatching(/^createdAt: .* is more than a day in the future$/)],
      ['10\u00003', 'externalId: contains control characters or surrounding spaces'],
    ]);
    const run = await sql<{ rejected: number; details: { rejected: Array<{ externalId: string }> } }>`
      SELECT rejected, details FROM collection_runs WHERE source = 'hn' ORDER BY id DESC LIMIT 1`.execute(db);
    expect(run.rows[0]?.rejected).toBe(2);
    expect(run.rows[0]?.details.rejected.map((r) => r.externalId)).toEqual(['106', '10\\u00003']);

    const cursors = await loadCursors(db, 'hn');
    const cursor = cursors.get('"claude code"') as { hw: number } | undefined;
    expect(cursor?.hw).toBeGreaterThanOrEqual(hits[4]!.created_at_i);
    expect(cursor?.hw).toBeLessThanOrEqual(nowS());

    // A hit written after the first poll is found by the next one.
    hits.push(comment('107', 'Claude Code shipped a fix overnight.', 30));
    const second = await runSource({ db, source, log });
    expect(second).toMatchObject({ stored: 1, error: null });
    const latest = await sql<{ n: number }>`SELECT count(*)::int AS n FROM posts WHERE external_id = '107'`.execute(db);
    expect(latest.rows[0]?.n).toBe(1);
  });
});
