import { describe, expect, it } from 'vitest';
import { maxRequestsInWindow, type FakeHandler, type FakeRequest } from '../../../test/support/fake-upstream.ts';
import {
  drain,
  fastHttp,
  ids,
  lastCursors,
  makeContext,
  serveUpstream,
  termsOf,
  warningsIn,
  type LoggedLine,
} from '../../../test/support/source-harness.ts';
import type { CursorValue } from '../types.ts';
import { buildQueries, createStackExchangeSource, type StackExchangeSourceOptions } from './source.ts';

const NOW = new Date('2026-11-26T12:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const T0 = NOW_S - 3600;

interface Answer {
  answer_id: number;
  creation_date: number;
  body: string;
}

interface Question {
  question_id: number;
  creation_date: number;
  title: string;
  answers?: Answer[];
}

/** Ten questions a minute apart, two of them in the same second to exercise the keyset boundary. */
function makeQuestions(): Question[] {
  const list = Array.from({ length: 10 }, (_, i) => ({ question_id: 1000 + i, creation_date: T0 + i * 60, title: `Q &amp; ${i}` }));
  list[5] = { ...list[5]!, creation_date: list[4]!.creation_date };
  return list;
}

function toItem(q: Question): Record<string, unknown> {
  return {
    question_id: q.question_id,
    creation_date: q.creation_date,
    title: q.title,
    link: `https://stackoverflow.com/questions/${q.question_id}`,
    score: 1,
    answer_count: q.answers?.length ?? 0,
    owner: { user_type: 'registered', display_name: 'dev' },
    body: `<p>About Claude Code &lt;3</p><script>steal()</script>`,
  };
}

/** Answers /search/advanced like Stack Exchange: fromdate/todate inclusive, creation ascending, paged. */
function serveSearch(questions: Question[], extra: Record<string, unknown> = {}) {
  return (request: FakeRequest) => {
    const from = Number(request.query.get('fromdate') ?? 0);
    const to = Number(request.query.get('todate') ?? Number.MAX_SAFE_INTEGER);
    const page = Number(request.query.get('page') ?? 1);
    const size = Number(request.query.get('pagesize') ?? 30);
    const matching = questions
      .filter((q) => q.creation_date >= from && q.creation_date <= to)
      .sort((a, b) => a.creation_date - b.creation_date || a.question_id - b.question_id);
    const items = matching.slice((page - 1) * size, page * size).map(toItem);
    return { body: { items, has_more: matching.length > page * size, quota_max: 10000, quota_remaining: 9000, ...extra } };
  };
}

/** Answers `/questions/{ids}/answers` like Stack Exchange: the answers of those questions created at or after fromdate, creation ascending, paged. */
function serveAnswers(questions: Question[], extra: Record<string, unknown> = {}) {
  return (request: FakeRequest) => {
    const asked = new Set(readAnswerIds(request));
    const from = Number(request.query.get('fromdate') ?? 0);
    const page = Number(request.query.get('page') ?? 1);
    const size = Number(request.query.get('pagesize') ?? 30);
    const matching = questions
      .filter((q) => asked.has(q.question_id))
      .flatMap((q) =>
        (q.answers ?? []).map((a) => ({
          ...a,
          question_id: q.question_id,
          score: 2,
          owner: { user_type: 'registered', display_name: 'helper' },
        })),
      )
      .filter((a) => a.creation_date >= from)
      .sort((a, b) => a.creation_date - b.creation_date || a.answer_id - b.answer_id);
    const items = matching.slice((page - 1) * size, page * size);
    return { body: { items, has_more: matching.length > page * size, quota_max: 10000, quota_remaining: 8000, ...extra } };
  };
}

const ANSWERS_PATH = /^\/questions\/([\d;]+)\/answers$/;
const readAnswerIds = (request: FakeRequest) => (ANSWERS_PATH.exec(request.path)?.[1] ?? '').split(';').map(Number);
const isAnswersRequest = (request: FakeRequest) => ANSWERS_PATH.test(request.path);

/** Both endpoints over the same questions; `answers` replaces the answers handler (faults). */
function serveStackExchange(questions: Question[], answers: FakeHandler = serveAnswers(questions)) {
  const search = serveSearch(questions);
  return (request: FakeRequest) => (isAnswersRequest(request) ? answers(request) : search(request));
}

/** What a poll cursor holds for questions it yielded: id -> creation second. */
const recentOf = (questions: Question[]) => Object.fromEntries(questions.map((q) => [String(q.question_id), q.creation_date]));

/** The search position of a poll cursor, without its answer tracking. */
function positionOf(cursor: CursorValue | undefined): { from: unknown; recent: unknown } {
  const fields = cursor !== null && typeof cursor === 'object' && !Array.isArray(cursor) ? cursor : {};
  return { from: fields.from, recent: fields.recent };
}

const context = (slugs: string[] = ['claude-code']) =>
  makeContext(
    slugs.map((slug) => ({ slug, phrases: [slug === 'claude-code' ? 'Claude Code' : slug] })),
    NOW,
  );

const makeSource = (url: string, extra: Partial<StackExchangeSourceOptions> = {}) =>
  createStackExchangeSource({
    baseUrl: url,
    pageSize: 3,
    maxPagesPerQuery: 50,
    initialLookbackMs: 2 * 3600_000,
    ...fastHttp(10),
    ...extra,
  });

const allIds = (questions: Question[]) => questions.map((q) => `so:q:${q.question_id}`).sort();

describe('Stack Exchange source: poll', () => {
  it('walks every page once, oldest first, with the documented parameters and a secret key', async () => {
    const questions = makeQuestions();
    const upstream = await serveUpstream(serveSearch(questions));
    const { batches, error } = await drain(makeSource(upstream.url, { key: 'sekrit' }).poll(context(), new Map()));
    expect(error).toBeNull();
    expect(ids(batches).sort()).toEqual(allIds(questions));
    expect(new Set(ids(batches)).size).toBe(10);
    const first = upstream.requests[0]!;
    expect(first.path).toBe('/search/advanced');
    expect(Object.fromEntries(first.query)).toMatchObject({
      site: 'stackoverflow',
      q: '"claude code"',
      sort: 'creation',
      order: 'asc',
      filter: 'withbody',
      key: 'sekrit',
      fromdate: String(T0 - 3600),
    });
    expect(batches[0]?.posts[0]?.title).toBe('Q & 0');
    expect(batches[0]?.posts[0]?.body).toBe('About Claude Code <3');
    expect(batches.at(-1)?.cursor).toEqual({
      from: T0 + 9 * 60,
      recent: recentOf(questions),
      tracked: recentOf(questions),
      answersReadAt: NOW_S,
      origin: 'https://stackoverflow.com',
    });
  });

  it('resumes from a stored cursor, re-reading the overlap without repeating what it already yielded', async () => {
    const questions = makeQuestions();
    const upstream = await serveUpstream(serveSearch(questions));
    const source = makeSource(upstream.url);
    const stored = new Map<string, CursorValue>([
      ['stackoverflow:"claude code"', { from: T0 + 240, recent: recentOf(questions.slice(0, 5)) }],
    ]);
    const { batches } = await drain(source.poll(context(), stored));
    expect(ids(batches)).toEqual(['so:q:1005', 'so:q:1006', 'so:q:1007', 'so:q:1008', 'so:q:1009']);
    expect(upstream.requests[0]?.query.get('fromdate')).toBe(String(T0 + 240 - 600));
  });

  it('yields nothing new when polled again from its own final cursor', async () => {
    const upstream = await serveUpstream(serveSearch(makeQuestions()));
    const source = makeSource(upstream.url);
    const first = await drain(source.poll(context(), new Map()));
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(ids(second.batches)).toEqual([]);
    expect(second.batches.at(-1)?.cursor).toEqual(first.batches.at(-1)?.cursor);
  });

  it('rides out 429 with Retry-After, a 500 and a response slower than the timeout', async () => {
    const questions = makeQuestions();
    const upstream = await serveUpstream(serveSearch(questions));
    upstream.queue(
      { status: 429, headers: { 'retry-after': '0' }, body: 'slow down' },
      { status: 500, body: 'boom' },
      { delayMs: 600, body: {} },
    );
    const { batches, error } = await drain(makeSource(upstream.url).poll(context(), new Map()));
    expect(error).toBeNull();
    expect(ids(batches).sort()).toEqual(allIds(questions));
    expect(upstream.requests.length).toBeGreaterThanOrEqual(4 + 4);
  });

  it('stops at a truncated page with the cursor of the last good page, and the next run resumes there', async () => {
    const questions = makeQuestions();
    const upstream = await serveUpstream(serveSearch(questions));
    let calls = 0;
    const handler = serveSearch(questions);
    upstream.setHandler((request) => (++calls === 3 ? { body: '{"items":[{"question_id":10' } : handler(request)));
    const source = makeSource(upstream.url);
    const first = await drain(source.poll(context(), new Map()));
    expect(String(first.error)).toMatch(/malformed JSON/);
    expect(first.batches).toHaveLength(2);
    const resumedAt = first.batches.at(-1)?.cursor;
    expect(positionOf(resumedAt)).toEqual({ from: T0 + 240, recent: recentOf(questions.slice(0, 5)) });

    upstream.setHandler(handler);
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(second.error).toBeNull();
    const union = [...ids(first.batches), ...ids(second.batches)];
    expect(union.sort()).toEqual(allIds(questions));
  });

  it('fails on a wrong-shaped page without yielding it', async () => {
    const upstream = await serveUpstream(() => ({ body: { questions: [], more: false } }));
    const { batches, error } = await drain(makeSource(upstream.url).poll(context(), new Map()));
    expect(batches).toEqual([]);
    expect(String(error)).toMatch(/unexpected response shape at items/);
  });

  it('reports a bad item in rejected and yields the rest of its page', async () => {
    const good = makeQuestions().slice(0, 2).map(toItem);
    const upstream = await serveUpstream(() => ({
      body: { items: [good[0], { question_id: 77, title: 3 }, good[1]], has_more: false, quota_max: 300, quota_remaining: 200 },
    }));
    const { batches } = await drain(makeSource(upstream.url).poll(context(), new Map()));
    expect(ids(batches)).toEqual(['so:q:1000', 'so:q:1001']);
    expect(batches[0]?.rejected).toEqual([{ externalId: 'so:q:77', reason: expect.stringMatching(/invalid question/) }]);
    expect(batches[0]?.fetched).toBe(3);
  });

  it('yields a question repeated on the next page, and by a second term, only once', async () => {
    const questions = makeQuestions().slice(0, 4);
    const handler = serveSearch(questions);
    const upstream = await serveUpstream((request) => {
      const response = handler(request);
      if (request.query.get('fromdate') !== String(T0 - 3600)) {
        (response.body.items as unknown[]).unshift(toItem(questions[0]!));
      }
      return response;
    });
    const { batches } = await drain(makeSource(upstream.url).poll(context(['claude-code', 'cursor']), new Map()));
    expect(ids(batches).sort()).toEqual(allIds(questions));
    expect(new Set(batches.map((b) => b.queryKey))).toEqual(new Set(['stackoverflow:"claude code"', 'stackoverflow:"cursor"']));
  });

  it('reports an error body precisely, without retrying it or leaking the key', async () => {
    const upstream = await serveUpstream(() => ({
      status: 400,
      body: { error_id: 400, error_name: 'bad_parameter', error_message: 'site is required' },
    }));
    const { error } = await drain(makeSource(upstream.url, { key: 'sekrit' }).poll(context(), new Map()));
    expect(String(error)).toContain('Stack Exchange error 400 bad_parameter: site is required');
    expect((error as { url: string }).url).toContain('key=REDACTED');
    expect((error as { url: string }).url).not.toContain('sekrit');
    expect(upstream.requests).toHaveLength(1);
  });

  it('retries an error body that says the service is temporarily unavailable', async () => {
    const upstream = await serveUpstream(serveSearch(makeQuestions()));
    upstream.queue({ status: 400, body: { error_id: 503, error_name: 'temporarily_unavailable', error_message: 'try later' } });
    const { batches, error } = await drain(makeSource(upstream.url).poll(context(), new Map()));
    expect(error).toBeNull();
    expect(ids(batches)).toHaveLength(10);
  });

  it('pauses for the backoff a response asks for before the next request', async () => {
    const handler = serveSearch(makeQuestions());
    const upstream = await serveUpstream((request) => {
      const response = handler(request);
      return upstream?.requests.length === 1 ? { body: { ...response.body, backoff: 1 } } : response;
    });
    const { error } = await drain(makeSource(upstream.url).poll(context(), new Map()));
    expect(error).toBeNull();
    const [first, second] = upstream.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('stops after the page that exhausts the daily quota', async () => {
    const upstream = await serveUpstream(serveSearch(makeQuestions(), { quota_remaining: 0 }));
    const { batches, error } = await drain(makeSource(upstream.url).poll(context(['claude-code', 'cursor']), new Map()));
    expect(batches).toHaveLength(1);
    expect(String(error)).toMatch(/quota exhausted: 0 of 10000/);
    expect(upstream.requests).toHaveLength(1);
  });

  it('keeps requests inside its configured spacing', async () => {
    const upstream = await serveUpstream(serveSearch(makeQuestions()));
    await drain(makeSource(upstream.url, { rateLimit: { minTimeMs: 40 } }).poll(context(['claude-code', 'cursor']), new Map()));
    expect(upstream.requests.length).toBeGreaterThanOrEqual(8);
    // 200 ms holds at most 5 starts 40 ms apart, plus one for arrival jitter.
    expect(maxRequestsInWindow(upstream.requests, 200)).toBeLessThanOrEqual(6);
  });
  it('resumes from the cursors committed before a stop at any batch, losing and repeating nothing', async () => {
    const questions = makeQuestions();
    const upstream = await serveUpstream(serveSearch(questions));
    const source = makeSource(upstream.url);
    for (let stopAfter = 1; stopAfter <= 5; stopAfter++) {
      const cut = await drain(source.poll(context(), new Map()), stopAfter);
      const rest = await drain(source.poll(context(), lastCursors(cut.batches)));
      const all = [...ids(cut.batches), ...ids(rest.batches)];
      expect(all.sort()).toEqual(allIds(questions));
    }
  });
});

describe('Stack Exchange source: backfill', () => {
  it('resumes a backfill from the cursor committed before a stop at any batch', async () => {
    const questions = makeQuestions();
    const upstream = await serveUpstream(serveSearch(questions));
    const window = { since: new Date((T0 - 60) * 1000), until: new Date((T0 + 600) * 1000) };
    const source = makeSource(upstream.url, { backfillSliceMs: 200_000 });
    for (let stopAfter = 1; stopAfter <= 6; stopAfter++) {
      const cut = await drain(source.backfill!(context(), window, new Map()), stopAfter);
      const rest = await drain(source.backfill!(context(), window, lastCursors(cut.batches)));
      expect([...ids(cut.batches), ...ids(rest.batches)].sort()).toEqual(allIds(questions));
    }
  });

  it('walks the window in fromdate/todate slices, reports progress and resumes after a fault', async () => {
    const questions = makeQuestions();
    const handler = serveSearch(questions);
    const upstream = await serveUpstream(handler);
    const window = { since: new Date((T0 - 60) * 1000), until: new Date((T0 + 600) * 1000) };
    const source = makeSource(upstream.url, { backfillSliceMs: 200_000 });
    let calls = 0;
    upstream.setHandler((request) => (++calls === 3 ? { body: '[' } : handler(request)));
    const first = await drain(source.backfill!(context(), window, new Map()));
    expect(first.error).not.toBeNull();
    upstream.setHandler(handler);
    const second = await drain(source.backfill!(context(), window, lastCursors(first.batches)));
    expect(second.error).toBeNull();
    expect([...ids(first.batches), ...ids(second.batches)].sort()).toEqual(allIds(questions));
    const slices = upstream.requests.map((r) => [Number(r.query.get('fromdate')), Number(r.query.get('todate'))]);
    for (const [from, to] of slices) expect(to! - from!).toBeLessThan(200);
    const progress = second.batches.map((b) => b.progress ?? -1);
    expect(progress.at(-1)).toBe(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(second.batches.at(-1)?.queryKey).toBe('backfill:stackoverflow:"claude code"');
  });
});

describe('buildQueries', () => {
  it('makes one query per site and distinct phrase, every first phrase before any second', () => {
    const terms = termsOf([
      ['claude-code', ['Claude Code', 'claude-code', 'Claude  code']],
      ['cursor', ['Cursor', 'Cursor IDE']],
      ['copilot', ['GitHub Copilot', 'cursor']],
    ]);
    const queries = buildQueries(terms, ['stackoverflow', 'superuser']);
    expect(queries.map((q) => `${q.site} ${q.q}`)).toEqual([
      'stackoverflow "claude code"',
      'stackoverflow "cursor"',
      'stackoverflow "github copilot"',
      'superuser "claude code"',
      'superuser "cursor"',
      'superuser "github copilot"',
      'stackoverflow "claude-code"',
      'stackoverflow "cursor ide"',
      'superuser "claude-code"',
      'superuser "cursor ide"',
    ]);
    expect(new Set(queries.map((q) => q.queryKey)).size).toBe(queries.length);
    expect(queries[0]?.queryKey).toBe('stackoverflow:"claude code"');
  });

  it('skips a phrase that is nothing but quotes', () => {
    expect(buildQueries(termsOf([['odd', ['"', 'Odd']]]), ['stackoverflow']).map((q) => q.q)).toEqual(['"odd"']);
  });
});

describe('Stack Exchange source: every phrase', () => {
  it('searches each phrase of a term under its own cursor, yielding a question both find once', async () => {
    const questions = makeQuestions();
    const upstream = await serveUpstream(serveSearch(questions));
    const terms = termsOf([['claude-code', ['Claude Code', 'claude-code']]]);
    const { batches, error } = await drain(makeSource(upstream.url).poll(makeContext(terms, NOW), new Map()));
    expect(error).toBeNull();
    expect([...new Set(upstream.requests.map((r) => r.query.get('q')))]).toEqual(['"claude code"', '"claude-code"']);
    expect([...new Set(batches.map((b) => b.queryKey))]).toEqual(['stackoverflow:"claude code"', 'stackoverflow:"claude-code"']);
    expect(ids(batches).sort()).toEqual(allIds(questions));
  });

  it('serves every first phrase before any second one when the daily quota runs short', async () => {
    const handler = serveSearch(makeQuestions().slice(0, 2));
    const upstream = await serveUpstream((request) => ({
      body: { ...handler(request).body, quota_remaining: 3 - upstream.requests.length },
    }));
    const terms = termsOf([
      ['claude-code', ['Claude Code', 'claude-code']],
      ['cursor', ['Cursor']],
    ]);
    const { error } = await drain(makeSource(upstream.url, { quotaReserve: 1 }).poll(makeContext(terms, NOW), new Map()));
    expect(String(error)).toMatch(/quota exhausted: 1 of 10000/);
    expect(upstream.requests.map((r) => r.query.get('q'))).toEqual(['"claude code"', '"cursor"']);
  });
});

describe('Stack Exchange source: late indexing', () => {
  it('collects a question the index took late, created before the newest stored one, without moving the cursor back', async () => {
    const questions = makeQuestions();
    const newest = T0 + 9 * 60;
    const late: Question = { question_id: 2000, creation_date: newest - 180, title: 'late' };
    let indexed = false;
    const upstream = await serveUpstream((request) => serveSearch(indexed ? [...questions, late] : questions)(request));
    const source = makeSource(upstream.url);
    const first = await drain(source.poll(context(), new Map()));
    expect(ids(first.batches)).not.toContain('so:q:2000');

    indexed = true;
    const before = upstream.requests.length;
    const second = await drain(source.poll(context(), lastCursors(first.batches)));
    expect(second.error).toBeNull();
    expect(ids(second.batches)).toEqual(['so:q:2000']);
    expect(upstream.requests[before]?.query.get('fromdate')).toBe(String(newest - 600));
    expect(positionOf(second.batches.at(-1)?.cursor)).toEqual({ from: newest, recent: { ...recentOf(questions), '2000': newest - 180 } });
  });

  it('reads from exactly the stored position when the overlap is zero', async () => {
    const questions = makeQuestions();
    const upstream = await serveUpstream(serveSearch(questions));
    const stored = new Map<string, CursorValue>([
      ['stackoverflow:"claude code"', { from: T0 + 240, recent: recentOf(questions.slice(4, 5)) }],
    ]);
    const { batches } = await drain(makeSource(upstream.url, { overlapMs: 0 }).poll(context(), stored));
    expect(upstream.requests[0]?.query.get('fromdate')).toBe(String(T0 + 240));
    expect(ids(batches)).toEqual(['so:q:1005', 'so:q:1006', 'so:q:1007', 'so:q:1008', 'so:q:1009']);
    expect(positionOf(batches.at(-1)?.cursor)).toEqual({ from: T0 + 540, recent: recentOf(questions.slice(9)) });
  });
});

/** Questions 1001 and 1002 (both on the first page of three) are answered; one answer names no term. */
function makeAnsweredQuestions(): Question[] {
  const list = makeQuestions();
  list[1] = {
    ...list[1]!,
    answers: [
      { answer_id: 5001, creation_date: T0 + 100, body: '<p>Claude Code reads <code>.env</code> &amp; stops.</p>' },
      { answer_id: 5002, creation_date: T0 + 110, body: '<p>Restart the shell.</p>' },
      { answer_id: 5003, creation_date: T0 + 130, body: '<p>Update claude-code first.</p>' },
    ],
  };
  list[2] = { ...list[2]!, answers: [{ answer_id: 5004, creation_date: T0 + 150, body: '<p>In CLAUDE CODE, run /doctor.</p>' }] };
  return list;
}

const KEPT_ANSWERS = ['so:a:5001', 'so:a:5003', 'so:a:5004'];

describe('Stack Exchange source: answers', () => {
  it('stores the answers naming a term in the batch of their question, under it, reading every answers page', async () => {
    const questions = makeAnsweredQuestions();
    const upstream = await serveUpstream(serveStackExchange(questions));
    const { batches, error } = await drain(makeSource(upstream.url, { key: 'sekrit' }).poll(context(), new Map()));
    expect(error).toBeNull();
    expect(ids(batches.slice(0, 1))).toEqual(['so:q:1000', 'so:q:1001', 'so:q:1002', ...KEPT_ANSWERS]);
    expect(ids(batches.slice(1)).filter((id) => id.includes(':a:'))).toEqual([]);
    const posts = batches[0]!.posts;
    const answer = posts.find((p) => p.externalId === 'so:a:5001');
    expect(answer).toMatchObject({
      parentId: 'so:q:1001',
      threadId: 'so:q:1001',
      author: 'helper',
      score: 2,
      body: 'Claude Code reads `.env` & stops.',
      url: 'https://stackoverflow.com/a/5001',
    });
    expect(answer?.createdAt.toISOString()).toBe(new Date((T0 + 100) * 1000).toISOString());
    expect(posts.find((p) => p.externalId === 'so:a:5004')?.parentId).toBe('so:q:1002');
    expect(batches[0]?.fetched).toBe(3 + 4);
  });

  it('drops an answer that names no tracked term', async () => {
    const upstream = await serveUpstream(serveStackExchange(makeAnsweredQuestions()));
    const { batches } = await drain(makeSource(upstream.url).poll(context(), new Map()));
    expect(ids(batches)).not.toContain('so:a:5002');
    expect(ids(batches).filter((id) => id.includes(':a:'))).toEqual(KEPT_ANSWERS);
  });

  it('asks for the answers of the answered questions only, with the withbody filter and ;-joined ids', async () => {
    const upstream = await serveUpstream(serveStackExchange(makeAnsweredQuestions()));
    await drain(makeSource(upstream.url, { key: 'sekrit' }).poll(context(), new Map()));
    const asked = upstream.requests.filter(isAnswersRequest);
    expect(asked.map((r) => r.path)).toEqual(['/questions/1001;1002/answers', '/questions/1001;1002/answers']);
    expect(asked.map((r) => r.query.get('page'))).toEqual(['1', '2']);
    expect(Object.fromEntries(asked[0]!.query)).toMatchObject({ site: 'stackoverflow', filter: 'withbody', pagesize: '3', key: 'sekrit' });
  });

  it('keeps the questions and logs a warning when the answers request keeps failing with 500', async () => {
    const questions = makeAnsweredQuestions();
    const upstream = await serveUpstream(serveStackExchange(questions, () => ({ status: 500, body: 'boom' })));
    const logs: LoggedLine[] = [];
    const { batches, error } = await drain(makeSource(upstream.url).poll(makeContext(context().terms, NOW, logs), new Map()));
    expect(error).toBeNull();
    expect(ids(batches).sort()).toEqual(allIds(questions));
    expect(warningsIn(logs)).toEqual([expect.stringMatching(/answers request failed/)]);
    expect(upstream.requests.filter(isAnswersRequest).length).toBeGreaterThan(1);
  });

  it('rejects a malformed answer with its reason and keeps the rest of the page', async () => {
    const questions = makeAnsweredQuestions();
    const good = serveAnswers(questions);
    const upstream = await serveUpstream(
      serveStackExchange(questions, (request) => {
        const response = good(request);
        return {
          body: { ...response.body, items: [{ answer_id: 5999, question_id: 1001, creation_date: T0, score: 1 }, ...response.body.items] },
        };
      }),
    );
    const { batches, error } = await drain(makeSource(upstream.url).poll(context(), new Map()));
    expect(error).toBeNull();
    expect(batches[0]?.rejected).toEqual([
      { externalId: 'so:a:5999', reason: expect.stringMatching(/^invalid answer at body/) },
      { externalId: 'so:a:5999', reason: expect.stringMatching(/^invalid answer at body/) },
    ]);
    expect(ids(batches).filter((id) => id.includes(':a:'))).toEqual(KEPT_ANSWERS);
  });

  it('counts the answers requests against the daily quota', async () => {
    const questions = makeAnsweredQuestions();
    const upstream = await serveUpstream(serveStackExchange(questions, serveAnswers(questions, { quota_remaining: 5, has_more: false })));
    const { batches, error } = await drain(makeSource(upstream.url, { quotaReserve: 5 }).poll(context(), new Map()));
    expect(String(error)).toMatch(/quota exhausted: 5 of 10000/);
    expect(batches).toHaveLength(1);
    expect(ids(batches)).toEqual(['so:q:1000', 'so:q:1001', 'so:q:1002', 'so:a:5001', 'so:a:5003']);
    expect(upstream.requests.map((r) => r.path)).toEqual(['/search/advanced', '/questions/1001;1002/answers']);
  });

  it('keeps the questions without asking for answers when a search page leaves the quota at its reserve', async () => {
    const questions = makeAnsweredQuestions();
    const search = serveSearch(questions, { quota_remaining: 0 });
    const upstream = await serveUpstream((request) => (isAnswersRequest(request) ? serveAnswers(questions)(request) : search(request)));
    const logs: LoggedLine[] = [];
    const { batches, error } = await drain(makeSource(upstream.url).poll(makeContext(context().terms, NOW, logs), new Map()));
    expect(String(error)).toMatch(/quota exhausted/);
    expect(ids(batches)).toEqual(['so:q:1000', 'so:q:1001', 'so:q:1002']);
    expect(upstream.requests).toHaveLength(1);
    expect(warningsIn(logs)).toEqual([expect.stringMatching(/quota at its reserve/)]);
  });

  it('resumes after a stop at any batch with every question and kept answer exactly once', async () => {
    const questions = makeAnsweredQuestions();
    const upstream = await serveUpstream(serveStackExchange(questions));
    const source = makeSource(upstream.url);
    const expected = [...allIds(questions), ...KEPT_ANSWERS].sort();
    for (let stopAfter = 1; stopAfter <= 3; stopAfter++) {
      const cut = await drain(source.poll(context(), new Map()), stopAfter);
      const rest = await drain(source.poll(context(), lastCursors(cut.batches)));
      expect([...ids(cut.batches), ...ids(rest.batches)].sort()).toEqual(expected);
    }
  });

  it('collects answers during a backfill too', async () => {
    const upstream = await serveUpstream(serveStackExchange(makeAnsweredQuestions()));
    const window = { since: new Date((T0 - 60) * 1000), until: new Date((T0 + 600) * 1000) };
    const { batches, error } = await drain(makeSource(upstream.url).backfill!(context(), window, new Map()));
    expect(error).toBeNull();
    expect(ids(batches).filter((id) => id.includes(':a:'))).toEqual(KEPT_ANSWERS);
  });
});

const HOUR_MS = 3_600_000;
const QUERY_KEY = 'stackoverflow:"claude code"';
const ALL_TRACKED = '1000;1001;1002;1003;1004;1005;1006;1007;1008;1009';

/** A context `ms` after NOW, logging into `logs`. */
const contextAfter = (ms: number, logs: LoggedLine[] = [], slugs: string[] = ['claude-code']) =>
  makeContext(context(slugs).terms, new Date(NOW.getTime() + ms), logs);

/** Answers written after the first poll: one naming a term under 1000 (unanswered then), one naming none under 1001. */
function addLateAnswers(questions: Question[]): void {
  questions[0] = {
    ...questions[0]!,
    answers: [{ answer_id: 6001, creation_date: NOW_S + 600, body: '<p>Claude Code now does this.</p>' }],
  };
  questions[1] = {
    ...questions[1]!,
    answers: [...(questions[1]!.answers ?? []), { answer_id: 6002, creation_date: NOW_S + 700, body: '<p>Works for me.</p>' }],
  };
}

const readsOfAnswers = (requests: FakeRequest[], from = 0) => requests.slice(from).filter(isAnswersRequest);
const cursorField = (cursor: CursorValue | undefined, field: string): unknown =>
  cursor !== null && typeof cursor === 'object' && !Array.isArray(cursor) ? cursor[field] : undefined;

describe('Stack Exchange source: late answers', () => {
  it('collects an answer posted after the first poll in a later poll, under its question, in one batch of its own', async () => {
    const questions = makeAnsweredQuestions();
    const upstream = await serveUpstream((request) => serveStackExchange(questions)(request));
    const source = makeSource(upstream.url, { key: 'sekrit' });
    const first = await drain(source.poll(context(), new Map()));
    addLateAnswers(questions);

    const later = await drain(source.poll(contextAfter(2 * HOUR_MS), lastCursors(first.batches)));
    expect(later.error).toBeNull();
    expect(ids(later.batches)).toEqual(['so:a:6001']);
    const late = later.batches.at(-1)!;
    expect(late.posts).toHaveLength(1);
    expect(late.posts[0]).toMatchObject({
      externalId: 'so:a:6001',
      parentId: 'so:q:1000',
      threadId: 'so:q:1000',
      title: null,
      url: 'https://stackoverflow.com/a/6001',
      body: 'Claude Code now does this.',
      author: 'helper',
    });
    expect(late.fetched).toBe(2);
    expect(cursorField(late.cursor, 'answersReadAt')).toBe(NOW_S + 7200);
  });

  it('asks once for every tracked question, ;-joined, from the last read minus five minutes', async () => {
    const questions = makeAnsweredQuestions();
    const upstream = await serveUpstream((request) => serveStackExchange(questions)(request));
    const source = makeSource(upstream.url, { key: 'sekrit' });
    const first = await drain(source.poll(context(), new Map()));
    const before = upstream.requests.length;
    await drain(source.poll(contextAfter(2 * HOUR_MS), lastCursors(first.batches)));
    const late = readsOfAnswers(upstream.requests, before);
    expect(late.map((r) => r.path)).toEqual([`/questions/${ALL_TRACKED}/answers`]);
    expect(Object.fromEntries(late[0]!.query)).toMatchObject({
      fromdate: String(NOW_S - 300),
      site: 'stackoverflow',
      filter: 'withbody',
      sort: 'creation',
      order: 'asc',
      page: '1',
      key: 'sekrit',
    });
  });

  it('pages a late read on has_more', async () => {
    const questions = makeAnsweredQuestions();
    const upstream = await serveUpstream((request) => serveStackExchange(questions)(request));
    const source = makeSource(upstream.url, { key: 'sekrit' });
    const first = await drain(source.poll(context(), new Map()));
    questions[3] = {
      ...questions[3]!,
      answers: [0, 1, 2, 3].map((i) => ({ answer_id: 7000 + i, creation_date: NOW_S + i, body: `<p>Claude Code tip ${i}</p>` })),
    };
    const before = upstream.requests.length;
    const later = await drain(source.poll(contextAfter(2 * HOUR_MS), lastCursors(first.batches)));
    expect(ids(later.batches)).toEqual(['so:a:7000', 'so:a:7001', 'so:a:7002', 'so:a:7003']);
    expect(readsOfAnswers(upstream.requests, before).map((r) => r.query.get('page'))).toEqual(['1', '2']);
  });

  it('does not read answers again before answersEveryMs has passed: 1 hour with a key, 6 hours without', async () => {
    const questions = makeAnsweredQuestions();
    const upstream = await serveUpstream((request) => serveStackExchange(questions)(request));
    const lateReads = async (source: ReturnType<typeof makeSource>, stored: Map<string, CursorValue>, afterMs: number) => {
      const before = upstream.requests.length;
      const run = await drain(source.poll(contextAfter(afterMs), stored));
      expect(run.error).toBeNull();
      return { reads: readsOfAnswers(upstream.requests, before).length, cursors: lastCursors(run.batches) };
    };
    const keyed = makeSource(upstream.url, { key: 'sekrit' });
    const stored = lastCursors((await drain(keyed.poll(context(), new Map()))).batches);
    expect((await lateReads(keyed, stored, 59 * 60_000)).reads).toBe(0);
    const hour = await lateReads(keyed, stored, HOUR_MS);
    expect(hour.reads).toBe(1);
    expect((await lateReads(keyed, hour.cursors, HOUR_MS + 59 * 60_000)).reads).toBe(0);
    expect((await lateReads(keyed, hour.cursors, 2 * HOUR_MS)).reads).toBe(1);

    const anonymous = makeSource(upstream.url);
    expect((await lateReads(anonymous, stored, 6 * HOUR_MS - 60_000)).reads).toBe(0);
    expect((await lateReads(anonymous, stored, 6 * HOUR_MS)).reads).toBe(1);
    expect((await lateReads(makeSource(upstream.url, { answersEveryMs: 10 * 60_000 }), stored, 10 * 60_000)).reads).toBe(1);
  });

  it('drops tracked questions older than answersWindowMs from the cursor and the request', async () => {
    const questions = makeAnsweredQuestions();
    const upstream = await serveUpstream((request) => serveStackExchange(questions)(request));
    // Two hours on, the window reaches back to T0 + 270: 1006 (T0 + 360) on are kept, 1005 (T0 + 240) is not.
    const source = makeSource(upstream.url, { key: 'sekrit', answersWindowMs: (3 * 3600 - 270) * 1000 });
    const first = await drain(source.poll(context(), new Map()));
    expect(Object.keys(cursorField(first.batches.at(-1)?.cursor, 'tracked') as object)).toHaveLength(10);
    const before = upstream.requests.length;
    const later = await drain(source.poll(contextAfter(2 * HOUR_MS), lastCursors(first.batches)));
    expect(readsOfAnswers(upstream.requests, before).map((r) => r.path)).toEqual(['/questions/1006;1007;1008;1009/answers']);
    expect(cursorField(later.batches.at(-1)?.cursor, 'tracked')).toEqual(recentOf(questions.slice(6)));

    const gone = await drain(source.poll(contextAfter(400 * HOUR_MS), lastCursors(later.batches)));
    expect(cursorField(gone.batches.at(-1)?.cursor, 'tracked')).toEqual({});
    expect(cursorField(gone.batches.at(-1)?.cursor, 'answersReadAt')).toBeNull();
  });

  it('tracks at most maxTracked questions per query, the newest, and none when it is 0', async () => {
    const questions = makeAnsweredQuestions();
    const upstream = await serveUpstream((request) => serveStackExchange(questions)(request));
    const capped = await drain(makeSource(upstream.url, { maxTracked: 3 }).poll(context(), new Map()));
    expect(cursorField(capped.batches.at(-1)?.cursor, 'tracked')).toEqual(recentOf(questions.slice(7)));
    const before = upstream.requests.length;
    await drain(makeSource(upstream.url, { maxTracked: 3 }).poll(contextAfter(7 * HOUR_MS), lastCursors(capped.batches)));
    expect(readsOfAnswers(upstream.requests, before).map((r) => r.path)).toEqual(['/questions/1007;1008;1009/answers']);

    const off = await drain(makeSource(upstream.url, { maxTracked: 0 }).poll(context(), new Map()));
    expect(cursorField(off.batches.at(-1)?.cursor, 'tracked')).toEqual({});
    const offBefore = upstream.requests.length;
    await drain(makeSource(upstream.url, { maxTracked: 0 }).poll(contextAfter(7 * HOUR_MS), lastCursors(off.batches)));
    expect(readsOfAnswers(upstream.requests, offBefore)).toEqual([]);
  });

  it('resumes after a stop at any batch of the first or the later poll, losing and repeating nothing', async () => {
    const early = makeAnsweredQuestions();
    const late = makeAnsweredQuestions();
    addLateAnswers(late);
    let questions = early;
    const upstream = await serveUpstream((request) => serveStackExchange(questions)(request));
    const source = makeSource(upstream.url, { key: 'sekrit' });
    const fullFirst = await drain(source.poll(context(), new Map()));
    questions = late;
    const expected = [...allIds(late), ...KEPT_ANSWERS, 'so:a:6001'].sort();
    const fullLater = await drain(source.poll(contextAfter(2 * HOUR_MS), lastCursors(fullFirst.batches)));
    expect(ids(fullLater.batches.slice(-1))).toEqual(['so:a:6001']);

    for (let stopAfter = 1; stopAfter <= fullFirst.batches.length; stopAfter++) {
      questions = early;
      const cut = await drain(source.poll(context(), new Map()), stopAfter);
      const rest = await drain(source.poll(context(), lastCursors(cut.batches)));
      questions = late;
      const later = await drain(source.poll(contextAfter(2 * HOUR_MS), lastCursors([...cut.batches, ...rest.batches])));
      expect([...ids(cut.batches), ...ids(rest.batches), ...ids(later.batches)].sort()).toEqual(expected);
    }
    for (let stopAfter = 1; stopAfter <= fullLater.batches.length; stopAfter++) {
      const cut = await drain(source.poll(contextAfter(2 * HOUR_MS), lastCursors(fullFirst.batches)), stopAfter);
      const rest = await drain(source.poll(contextAfter(2 * HOUR_MS), lastCursors(cut.batches)));
      expect([...ids(cut.batches), ...ids(rest.batches)]).toEqual(['so:a:6001']);
    }
  });

  it('logs a late read that keeps failing with 500, goes on with the next query, and asks again next poll', async () => {
    const questions = makeAnsweredQuestions();
    const upstream = await serveUpstream((request) => serveStackExchange(questions)(request));
    const source = makeSource(upstream.url, { key: 'sekrit' });
    const first = await drain(source.poll(context(['claude-code', 'cursor']), new Map()));
    addLateAnswers(questions);

    upstream.setHandler(serveStackExchange(questions, () => ({ status: 500, body: 'boom' })));
    const logs: LoggedLine[] = [];
    const before = upstream.requests.length;
    const failed = await drain(source.poll(contextAfter(2 * HOUR_MS, logs, ['claude-code', 'cursor']), lastCursors(first.batches)));
    expect(failed.error).toBeNull();
    expect(warningsIn(logs)).toEqual([expect.stringMatching(/late answers request failed/)]);
    const after = upstream.requests.slice(before);
    const lastAnswers = after.findLastIndex(isAnswersRequest);
    expect(after.slice(lastAnswers).some((r) => r.query.get('q') === '"cursor"')).toBe(true);
    expect(ids(failed.batches)).toEqual([]);
    const kept = lastCursors(failed.batches).get(QUERY_KEY);
    expect(cursorField(kept, 'answersReadAt')).toBe(NOW_S);

    upstream.setHandler(serveStackExchange(questions));
    const again = await drain(source.poll(contextAfter(2 * HOUR_MS + 60_000, [], ['claude-code', 'cursor']), lastCursors(failed.batches)));
    expect(ids(again.batches)).toEqual(['so:a:6001']);
  });

  it('reads at the next late read the answers a failed first read missed', async () => {
    const questions = makeAnsweredQuestions();
    const upstream = await serveUpstream(serveStackExchange(questions, () => ({ status: 500, body: 'boom' })));
    const source = makeSource(upstream.url, { key: 'sekrit' });
    const first = await drain(source.poll(context(), new Map()));
    expect(ids(first.batches).filter((id) => id.includes(':a:'))).toEqual([]);
    expect(cursorField(first.batches.at(-1)?.cursor, 'answersReadAt')).toBe(T0 + 60);

    upstream.setHandler(serveStackExchange(questions));
    const before = upstream.requests.length;
    const later = await drain(source.poll(contextAfter(HOUR_MS), lastCursors(first.batches)));
    expect(ids(later.batches)).toEqual(KEPT_ANSWERS);
    expect(readsOfAnswers(upstream.requests, before)[0]?.query.get('fromdate')).toBe(String(T0 + 60 - 300));
  });

  it('leaves a late read at the quota reserve for later, keeping the answers already read, and stops the run', async () => {
    const questions = makeAnsweredQuestions();
    const upstream = await serveUpstream((request) => serveStackExchange(questions)(request));
    const source = makeSource(upstream.url, { key: 'sekrit', quotaReserve: 5 });
    const first = await drain(source.poll(context(), new Map()));
    questions[3] = {
      ...questions[3]!,
      answers: [0, 1, 2, 3].map((i) => ({ answer_id: 7000 + i, creation_date: NOW_S + i, body: `<p>Claude Code tip ${i}</p>` })),
    };
    upstream.setHandler(serveStackExchange(questions, serveAnswers(questions, { quota_remaining: 5 })));
    const logs: LoggedLine[] = [];
    const later = await drain(source.poll(contextAfter(2 * HOUR_MS, logs, ['claude-code', 'cursor']), lastCursors(first.batches)));
    expect(String(later.error)).toMatch(/quota exhausted: 5 of 10000/);
    expect(ids(later.batches)).toEqual(['so:a:7000', 'so:a:7001', 'so:a:7002']);
    expect(cursorField(later.batches.at(-1)?.cursor, 'answersReadAt')).toBe(NOW_S);
    expect(warningsIn(logs)).toEqual([expect.stringMatching(/quota at its reserve; late answers left/)]);
    expect(upstream.requests.at(-1)?.path).toMatch(/answers$/);
  });

  it('accepts an older cursor without the tracking fields, and reports a malformed one', async () => {
    const questions = makeAnsweredQuestions();
    const upstream = await serveUpstream((request) => serveStackExchange(questions)(request));
    const logs: LoggedLine[] = [];
    const older = new Map<string, CursorValue>([[QUERY_KEY, { from: T0 + 240, recent: recentOf(questions.slice(0, 5)) }]]);
    const resumed = await drain(makeSource(upstream.url).poll(makeContext(context().terms, NOW, logs), older));
    expect(resumed.error).toBeNull();
    expect(warningsIn(logs)).toEqual([]);
    expect(ids(resumed.batches)).toEqual(['so:q:1005', 'so:q:1006', 'so:q:1007', 'so:q:1008', 'so:q:1009']);
    expect(cursorField(resumed.batches.at(-1)?.cursor, 'tracked')).toEqual(recentOf(questions.slice(5)));
    expect(cursorField(resumed.batches.at(-1)?.cursor, 'answersReadAt')).toBe(NOW_S);

    const malformed = new Map<string, CursorValue>([[QUERY_KEY, { from: T0 + 240, recent: {}, tracked: 'all', answersReadAt: 'soon' }]]);
    const fresh = await drain(makeSource(upstream.url).poll(makeContext(context().terms, NOW, logs), malformed));
    expect(warningsIn(logs)).toEqual(['ignoring a stored cursor of the wrong shape']);
    expect(
      ids(fresh.batches)
        .filter((id) => id.includes(':q:'))
        .sort(),
    ).toEqual(allIds(questions));
  });
});
