import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { insertTestEntity, insertTestMention } from '../../test/support/mentions.ts';
import { describeOnBothTargets } from '../../test/support/targets.ts';
import { rebuildRollups } from '../db/queries/ingest.ts';
import { migrate } from '../db/migrate.ts';
import { createApp, type App } from './app.ts';
import { createHeavyReadGate } from './heavy-reads.ts';
import { escapeFormula } from './views/export.ts';

const ADMIN = 'hostile-admin-token-0123';
const DAY = 86_400_000;
const FORMULAS = ['=HYPERLINK("http://evil.example","click")', "=cmd|' /C calc'!A0", '+1+2', '-2+3', '@SUM(A1)', '\tTAB', '\rCR'];

it('escapeFormula prefixes exactly the cells a spreadsheet would evaluate', () => {
  expect(FORMULAS.map(escapeFormula)).toEqual(FORMULAS.map((cell) => `'${cell}`));
  expect(['plain', 'a=b', ' =x', '', 'Cursor -1'].map(escapeFormula)).toEqual(['plain', 'a=b', ' =x', '', 'Cursor -1']);
});

describeOnBothTargets('hostile input through the real app', (database) => {
  const errors: unknown[] = [];
  const gate = createHeavyReadGate({ concurrent: 1, queued: 0 });
  let app: App;
  const now = Date.now();
  const hoursAgo = (hours: number) => new Date(Math.floor(now / 3_600_000) * 3_600_000 - hours * 3_600_000).toISOString();

  beforeAll(async () => {
    const { db } = database();
    await migrate(db);
    for (const slug of ['e1', 'e2', 'e3', 'e4', 'e5', 'e6']) await insertTestEntity(db, slug);
    const e1 = Number((await sql<{ id: number }>`SELECT id FROM entities WHERE slug = 'e1'`.execute(db)).rows[0]!.id);
    for (const [i, text] of FORMULAS.entries()) {
      await insertTestMention(db, e1, { at: hoursAgo(i + 1), score: -0.5, label: 'negative', title: text, body: `${text} body` });
    }
    await rebuildRollups(db, new Date(now - 2 * DAY), new Date(now + DAY));
    app = createApp({
      db,
      settings: { adminToken: ADMIN, corsOrigins: [] },
      log: { error: (obj: unknown) => errors.push(obj), info: () => undefined, warn: () => undefined },
      sources: [],
      checkReady: async () => ({ ready: true }),
      heavyReads: gate,
    });
  });

  const post = (path: string, body: string | undefined, contentType: string | undefined) =>
    app.request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, ...(contentType === undefined ? {} : { 'content-type': contentType }) },
      body,
    });
  const expectError = async (res: Response, status: number, message: string | RegExp) => {
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { code: string; message: string } };
    if (typeof message === 'string') expect(body.error.message).toBe(message);
    else expect(body.error.message).toMatch(message);
  };
  const event = { kind: 'note', title: 'A note', occurredAt: '2026-01-02T03:00:00Z' };

  it('answers malformed JSON, an empty body and a missing or unsupported Content-Type with 400 naming the problem', async () => {
    await expectError(await post('/api/v1/events', '{"kind": "note",', 'application/json'), 400, /^body: not valid JSON \(/);
    await expectError(await post('/api/v1/events', '', 'application/json'), 400, 'body: empty; expected a JSON object');
    await expectError(await post('/api/v1/events', undefined, 'application/json'), 400, 'body: empty; expected a JSON object');
    await expectError(
      await post('/api/v1/events', JSON.stringify(event), 'text/plain'),
      400,
      'body: expected Content-Type application/json, got "text/plain"',
    );
    await expectError(
      await post('/api/v1/events', JSON.stringify(event), undefined),
      400,
      /^body: expected Content-Type application\/json, got /,
    );
    await expectError(
      await post('/api/v1/events', 'kind=note', 'application/x-www-form-urlencoded'),
      400,
      /^body: expected Content-Type application\/json/,
    );
    await expectError(await post('/api/v1/events', JSON.stringify([event]), 'application/json'), 400, /^body: .*expected object/);
  });

  it('reads application/json in any case and with parameters', async () => {
    for (const [i, type] of ['Application/JSON', 'APPLICATION/JSON; charset=UTF-8', 'application/json;charset=utf-8'].entries()) {
      const res = await post('/api/v1/events', JSON.stringify({ ...event, externalId: `case-${i}` }), type);
      expect(res.status, type).toBe(201);
    }
  });

  it('refuses NUL in a body field or a query parameter with 400 naming it, and stores nothing', async () => {
    await expectError(
      await post('/api/v1/events', JSON.stringify({ ...event, title: 'A\u0000note', externalId: 'nul' }), 'application/json'),
      400,
      'title: must not contain NUL (U+0000)',
    );
    await expectError(
      await post(
        '/api/v1/entities',
        JSON.stringify({ slug: 'nul-tool', name: 'Nul', kind: 'tool', aliases: ['ok', 'b\u0000d'] }),
        'application/json',
      ),
      400,
      'aliases.1: must not contain NUL (U+0000)',
    );
    await expectError(await app.request('/api/v1/entities/e1/posts?q=a%00b'), 400, 'q: must not contain NUL (U+0000)');
    const stored = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events WHERE external_id = 'nul'`.execute(database().db);
    expect(stored.rows[0]!.n).toBe(0);
    expect((await app.request('/api/v1/entities/nul-tool')).status).toBe(404);
  });

  it('refuses a forged cursor (year 0000, 30 February, hour 25, extra fields) with 400 naming cursor', async () => {
    const page = (await (await app.request('/api/v1/entities/e1/posts?limit=2')).json()) as { nextCursor: string };
    const real = Buffer.from(page.nextCursor, 'base64url').toString('utf8');
    expect(real).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z\|\d+$/);
    expect((await app.request(`/api/v1/entities/e1/posts?limit=2&cursor=${page.nextCursor}`)).status).toBe(200);
    for (const forged of [
      '0000-01-01T00:00:00Z|5',
      '2026-02-30T00:00:00.000000Z|5',
      '2026-01-01T25:00:00Z|5',
      '2026-01-01T00:00:00Z|5|6',
      '2026-01-01T00:00:00Z|99999999999999999999',
    ]) {
      await expectError(
        await app.request(`/api/v1/entities/e1/posts?cursor=${Buffer.from(forged).toString('base64url')}`),
        400,
        'cursor: not a cursor this API returned',
      );
    }
  });

  it('escapes formula-leading cells of the CSV export (OWASP) and leaves numbers as they are', async () => {
    const res = await app.request(`/api/v1/entities/e1/export?format=csv&from=${hoursAgo(24)}`);
    expect(res.status).toBe(200);
    const rows = parse(await res.text(), { columns: true }) as Array<Record<string, string>>;
    const posts = rows.filter((row) => row.record === 'post');
    expect(posts.map((row) => row.title).sort()).toEqual(FORMULAS.map((text) => `'${text}`).sort());
    expect(posts.every((row) => row.body!.startsWith("'"))).toBe(true);
    expect(posts.every((row) => row.score === '-0.5')).toBe(true);
  });

  it('refuses a comparison of more than 5,000 points (buckets x entities) with 400 naming bucket, and serves one within it', async () => {
    const six = 'entities=e1,e2,e3,e4,e5,e6&bucket=hour';
    await expectError(
      await app.request(`/api/v1/compare?${six}&from=${hoursAgo(24 * 182)}&to=${hoursAgo(0)}`),
      400,
      /^bucket: 6 series x 4368 hour buckets = 26208 points from .*; at most 5000 a request, choose a larger bucket, a shorter range or fewer entities$/,
    );
    const month = await app.request(`/api/v1/compare?${six}&from=${hoursAgo(24 * 31)}&to=${hoursAgo(0)}`);
    expect(month.status).toBe(200);
    const body = (await month.json()) as { entities: Array<{ series: unknown[]; n: number }> };
    expect(body.entities.map((e) => e.series.length)).toEqual(Array(6).fill(744));
    expect(body.entities[0]!.n).toBe(FORMULAS.length);
  });

  it('answers 503 with Retry-After while the heavy-read slots and their waiting line are full, and serves again after', async () => {
    let release: () => void = () => undefined;
    const busy = gate.run(() => new Promise<void>((resolve) => (release = resolve)));
    for (const path of ['/api/v1/entities/e1/sentiment', '/api/v1/compare?entities=e1,e2', '/api/v1/entities/e1/export']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('overloaded');
    }
    expect((await app.request('/api/v1/entities/e1/posts')).status).toBe(200);
    release();
    await busy;
    expect((await app.request('/api/v1/entities/e1/sentiment')).status).toBe(200);
  });

  it('logged no internal error for any of it', () => {
    expect(errors).toEqual([]);
  });
});
