import { describe, expect, it } from 'vitest';
import { maxRequestsInWindow, type FakeRequest, type FakeResponse } from '../../../test/support/fake-upstream.ts';
import {
  drain,
  fastHttp,
  ids,
  lastCursors,
  makeContext,
  serveUpstream,
  warningsIn,
  type LoggedLine,
} from '../../../test/support/source-harness.ts';
import type { CursorValue, SourceBatch } from '../types.ts';
import { UpstreamError } from '../http.ts';
import { GITHUB_CORE_RATE_LIMIT, GITHUB_SEARCH_RATE_LIMIT, GITHUB_SEARCH_RATE_LIMIT_ANONYMOUS } from './client.ts';
import { createGithubSource, toGithubBackfillKey, toGithubQueryKey, type GithubSourceOptions } from './source.ts';

const NOW = new Date('2026-03-02T12:00:00Z');
const NOW_S = NOW.getTime() / 1000;

interface Doc {
  id: string;
  createdS: number;
  text: string;
  comments?: number;
}

const iso = (s: number) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function makeDocs(count: number, text: string, newest: number, prefix: string, stepS = 60): Doc[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}`, createdS: newest - i * stepS, text: `${text} #${i}` }));
}

function toIssue(doc: Doc) {
  return {
    node_id: doc.id,
    number: Number(doc.id.replace(/\D/g, '')) || 1,
    title: doc.text,
    body: `Body of ${doc.text} &amp; more<script>evil()</script>`,
    html_url: `https://github.com/o/r/issues/${doc.id}`,
    repository_url: 'https://api.github.com/repos/o/r',
    user: { login: 'dev' },
    comments: doc.comments ?? 1,
    created_at: iso(doc.createdS),
    state: 'open',
  };
}

function toDiscussion(doc: Doc) {
  return {
    id: doc.id,
    number: 1,
    title: doc.text,
    body: 'discussion body',
    url: `https://github.com/o/r/discussions/${doc.id}`,
    createdAt: iso(doc.createdS),
    author: { login: 'dev' },
    comments: { totalCount: 0 },
    upvoteCount: 1,
    repository: { nameWithOwner: 'o/r' },
  };
}

/** Parses `"phrase" ... created:A..B` the way GitHub search reads it. */
function matchQuery(q: string, docs: Doc[]): Doc[] {
  const phrase = /"([^"]+)"/.exec(q)?.[1]?.toLowerCase() ?? '';
  const range = /created:(\S+)\.\.(\S+)/.exec(q);
  const lo = range ? Date.parse(range[1]!) / 1000 : -Infinity;
  const hi = range ? Date.parse(range[2]!) / 1000 : Infinity;
  return docs
    .filter((d) => d.text.toLowerCase().includes(phrase) && d.createdS >= lo && d.createdS <= hi)
    .sort((a, b) => b.createdS - a.createdS || b.id.localeCompare(a.id));
}

function toComment(issueNumber: number, i: number, body: string, reactions: number, atS = NOW_S - 30) {
  return {
    id: issueNumber * 1000 + i,
    node_id: `IC_${issueNumber}_${i}`,
    html_url: `https://github.com/o/r/issues/${issueNumber}#issuecomment-${i}`,
    body,
    user: { login: 'replier' },
    created_at: iso(atS),
    updated_at: iso(atS),
    reactions: { total_count: reactions, '+1': reactions },
  };
}

/** Comments by issue number; an issue not listed has none. */
type CommentsByIssue = Record<number, ReturnType<typeof toComment>[]>;

function githubHandler(issues: Doc[], discussions: Doc[] = [], comments: CommentsByIssue = {}) {
  return (request: FakeRequest): FakeResponse => {
    const headers = { 'x-ratelimit-limit': '30', 'x-ratelimit-remaining': '25', 'x-ratelimit-resource': 'search' };
    const commentsPath = /^\/repos\/o\/r\/issues\/(\d+)\/comments$/.exec(request.path);
    if (commentsPath) {
      // GitHub returns the comments updated at or after `since`, in ascending id order, one page.
      const since = Date.parse(request.query.get('since') ?? '1970-01-01T00:00:00Z');
      const perPage = Number(request.query.get('per_page') ?? 30);
      const body = (comments[Number(commentsPath[1])] ?? [])
        .filter((c) => Date.parse(c.updated_at) >= since)
        .sort((a, b) => a.id - b.id)
        .slice(0, perPage);
      return { headers: { ...headers, 'x-ratelimit-resource': 'core' }, body };
    }
    if (request.path === '/search/issues') {
      const matching = matchQuery(request.query.get('q') ?? '', issues);
      const perPage = Number(request.query.get('per_page') ?? 30);
      const page = Number(request.query.get('page') ?? 1);
      const start = (page - 1) * perPage;
      const items = start >= 1000 ? [] : matching.slice(start, Math.min(start + perPage, 1000)).map(toIssue);
      return { headers, body: { total_count: matching.length, incomplete_results: false, items } };
    }
    if (request.path === '/graphql' && request.method === 'POST') {
      const { variables } = JSON.parse(request.body) as { variables: { q: string; first: number; after: string | null } };
      const matching = matchQuery(variables.q, discussions);
      const offset = Number(variables.after ?? 0);
      const capped = matching.slice(0, 1000);
      const nodes = capped.slice(offset, offset + variables.first).map(toDiscussion);
      const end = offset + nodes.length;
      return {
        headers: { ...headers, 'x-ratelimit-resource': 'graphql' },
        body: {
          data: {
            search: {
              discussionCount: matching.length,
              pageInfo: { endCursor: nodes.length ? String(end) : null, hasNextPage: end < capped.length },
              nodes,
            },
          },
        },
      };
    }
    return { status: 404, body: { message: 'Not Found' } };
  };
}

const contextAt = (atS: number, phrases: string[], logs?: LoggedLine[]) =>
  makeContext(
    phrases.map((p) => ({ slug: p.replace(/\W+/g, '-'), phrases: [p] })),
    new Date(atS * 1000),
    logs,
  );
const context = (phrases: string[], logs?: LoggedLine[]) => contextAt(NOW_S, phrases, logs);

async function start(issues: Doc[], discussions: Doc[] = [], extra: Partial<GithubSourceOptions> = {}, comments: CommentsByIssue = {}) {
  const upstream = await serveUpstream(githubHandler(issues, discussions, comments));
  const source = createGithubSource({
    baseUrl: upstream.url,
    token: 'ghp_test',
    ...fastHttp(),
    coreRateLimit: { minTimeMs: 5 },
    retries: 3,
    perPage: 30,
    ...extra,
  });
  return { upstream, source };
}

describe('createGithubSource poll', () => {
  it('pages issue search through created: ranges with the API headers, every issue once', async () => {
    const issues = makeDocs(75, 'Claude Code bug', NOW_S - 100, 'I_');
    const { upstream, source } = await start(issues);
    const { batches, error } = await drain(
      source.poll(
        context(['Claude Code']),
        new Map([[toGithubQueryKey('discussions', 'claude code'), { hw: NOW_S, recent: {}, walk: null }]]),
      ),
    );
    expect(error).toBeNull();
    const got = ids(batches.filter((b) => b.queryKey.startsWith('issues:')));
    expect(got.sort()).toEqual(issues.map((d) => d.id).sort());
    const first = upstream.requests[0]!;
    expect(first.headers.accept).toBe('application/vnd.github+json');
    expect(first.headers['x-github-api-version']).toBe('2022-11-28');
    expect(first.headers.authorization).toBe('Bearer ghp_test');
    expect(first.headers['user-agent']).toMatch(/^vibecheck\//);
    expect(first.query.get('q')).toBe(`"claude code" is:issue in:title,body created:${iso(NOW_S - 86_400 - 600)}..${iso(NOW_S)}`);
    expect(first.query.get('sort')).toBe('created');
    expect(upstream.requests.filter((r) => r.path === '/search/issues').every((r) => r.query.get('page') === '1')).toBe(true);
    const issueBatches = batches.filter((b) => b.queryKey === toGithubQueryKey('issues', 'claude code'));
    expect(issueBatches.at(-1)?.cursor).toMatchObject({ hw: NOW_S - 100, walk: null });
    const recent = (issueBatches.at(-1)?.cursor as { recent: Record<string, number> }).recent;
    expect(Object.keys(recent).sort()).toEqual(
      issues
        .filter((d) => d.createdS >= NOW_S - 700)
        .map((d) => d.id)
        .sort(),
    );
    expect(issueBatches[0]?.posts[0]?.body).toBe('Body of Claude Code bug #0 & more');
  });

  it('resumes from the cursor of every batch with nothing lost and nothing repeated', async () => {
    const issues = makeDocs(70, 'zed', NOW_S - 100, 'I_', 30);
    const { source } = await start(issues, [], { token: null, perPage: 20 });
    const ctx = context(['zed']);
    const full = await drain(source.poll(ctx, new Map()));
    expect(full.batches.length).toBeGreaterThanOrEqual(4);
    for (let k = 1; k < full.batches.length; k++) {
      const prefix = full.batches.slice(0, k);
      const rest = await drain(source.poll(ctx, lastCursors(prefix)));
      expect([...ids(prefix), ...ids(rest.batches)].sort()).toEqual(issues.map((d) => d.id).sort());
    }
  });

  it('takes only new issues on the next poll, including one in the high-water second', async () => {
    const issues = makeDocs(3, 'cursor', NOW_S - 100, 'I_');
    const { source } = await start(issues, [], { token: null });
    const ctx = context(['cursor']);
    const first = await drain(source.poll(ctx, new Map()));
    expect(ids(first.batches)).toHaveLength(3);
    issues.push(
      { id: 'I_new_same_second', createdS: NOW_S - 100, text: 'cursor again' },
      { id: 'I_newer', createdS: NOW_S - 5, text: 'cursor later' },
    );
    const second = await drain(source.poll(ctx, lastCursors(first.batches)));
    expect(ids(second.batches).sort()).toEqual(['I_new_same_second', 'I_newer']);
  });

  it('re-reads the overlap for an issue the index returned late, without repeating stored ones', async () => {
    const issues = makeDocs(10, 'cursor', NOW_S - 100, 'I_');
    const { upstream, source } = await start(issues, [], { token: null, overlapMs: 600_000 });
    const ctx = context(['cursor']);
    const first = await drain(source.poll(ctx, new Map()));
    expect(ids(first.batches)).toHaveLength(10);
    issues.push({ id: 'I_late', createdS: NOW_S - 400, text: 'cursor indexed late' });
    const second = await drain(source.poll(ctx, lastCursors(first.batches)));
    expect(ids(second.batches)).toEqual(['I_late']);
    expect(upstream.requests.at(-1)?.query.get('q')).toContain(`created:${iso(NOW_S - 700)}..`);
  });

  it('skips a phrase GitHub refuses with 422 and still searches the others', async () => {
    const logs: LoggedLine[] = [];
    const { upstream, source } = await start(makeDocs(2, 'zed', NOW_S - 10, 'I_'), [], { token: null });
    const handler = githubHandler(makeDocs(2, 'zed', NOW_S - 10, 'I_'));
    upstream.setHandler((request) =>
      (request.query.get('q') ?? '').includes('"bad"') ? { status: 422, body: { message: 'Validation Failed' } } : handler(request),
    );
    const { batches, error } = await drain(source.poll(context(['bad', 'zed'], logs), new Map()));
    expect(error).toBeNull();
    expect(ids(batches)).toEqual(['I_0', 'I_1']);
    expect(logs.some((l) => l.level === 'warn' && /rejected the issue search/.test(l.msg))).toBe(true);
  });

  it('without a token: no Authorization header, no GraphQL call, Discussions reported as skipped', async () => {
    const logs: LoggedLine[] = [];
    const { upstream, source } = await start(makeDocs(2, 'aider', NOW_S - 10, 'I_'), makeDocs(2, 'aider', NOW_S - 10, 'D_'), {
      token: null,
    });
    const { batches } = await drain(source.poll(context(['aider'], logs), new Map()));
    expect(ids(batches)).toEqual(['I_0', 'I_1']);
    expect(upstream.requests.every((r) => r.headers.authorization === undefined && r.path !== '/graphql')).toBe(true);
    expect(logs.some((l) => /Discussions skipped.*GITHUB_TOKEN/.test(l.msg))).toBe(true);
    expect(source.skipReason()).toBeNull();
  });

  it('defaults to 30/min with a token and 10/min without', () => {
    expect(60_000 / GITHUB_SEARCH_RATE_LIMIT.minTimeMs).toBe(30);
    expect(60_000 / GITHUB_SEARCH_RATE_LIMIT_ANONYMOUS.minTimeMs).toBe(10);
  });

  it('collects Discussions through GraphQL with a token, paging with endCursor', async () => {
    const discussions = makeDocs(45, 'copilot agent', NOW_S - 50, 'D_');
    const { upstream, source } = await start([], discussions, { graphqlUrl: undefined });
    const { batches, error } = await drain(source.poll(context(['copilot agent']), new Map()));
    expect(error).toBeNull();
    expect(ids(batches).sort()).toEqual(discussions.map((d) => d.id).sort());
    const graphqlCalls = upstream.requests.filter((r) => r.path === '/graphql');
    expect(graphqlCalls).toHaveLength(2);
    expect(JSON.parse(graphqlCalls[1]!.body).variables.after).toBe('30');
    expect(batches.at(-1)?.cursor).toMatchObject({ hw: NOW_S - 50, recent: { D_0: NOW_S - 50 }, walk: null });
  });

  it('waits for a GraphQL RATE_LIMITED error body to clear, then continues', async () => {
    const { upstream, source } = await start([], makeDocs(2, 'zed', NOW_S - 50, 'D_'));
    const handler = githubHandler([], makeDocs(2, 'zed', NOW_S - 50, 'D_'));
    let graphqlCalls = 0;
    upstream.setHandler((request) => {
      if (request.path === '/graphql' && ++graphqlCalls === 1) {
        return { body: { data: null, errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded' }] } };
      }
      return handler(request);
    });
    const { batches, error } = await drain(source.poll(context(['zed']), new Map()));
    expect(error).toBeNull();
    expect(ids(batches).filter((id) => id.startsWith('D_'))).toHaveLength(2);
    expect(graphqlCalls).toBe(2);
  });

  it('pauses until x-ratelimit-reset when remaining hits 0', async () => {
    const issues = makeDocs(40, 'zed', NOW_S - 10, 'I_');
    const { upstream, source } = await start(issues, [], { token: null });
    const handler = githubHandler(issues);
    let calls = 0;
    upstream.setHandler((request) => {
      const response = handler(request);
      if (++calls === 1) response.headers = { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1) };
      return response;
    });
    const { error } = await drain(source.poll(context(['zed']), new Map()));
    expect(error).toBeNull();
    const [first, second] = upstream.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
  });

  it('retries a rate-limit 403 after Retry-After but fails at once on a plain 403', async () => {
    const issues = makeDocs(2, 'zed', NOW_S - 10, 'I_');
    const { upstream, source } = await start(issues, [], { token: null });
    upstream.queue({ status: 403, headers: { 'retry-after': '1' }, body: { message: 'You have exceeded a secondary rate limit' } });
    const ok = await drain(source.poll(context(['zed']), new Map()));
    expect(ok.error).toBeNull();
    expect(ids(ok.batches)).toHaveLength(2);
    expect((upstream.requests[1]?.at ?? 0) - (upstream.requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    upstream.queue({ status: 403, body: { message: 'Forbidden' } });
    const before = upstream.requests.length;
    const failed = await drain(source.poll(context(['zed']), new Map()));
    expect(failed.error).toBeInstanceOf(UpstreamError);
    expect((failed.error as UpstreamError).status).toBe(403);
    expect(upstream.requests.length - before).toBe(1);
  });

  it('rides out 429 with Retry-After, 500 and a response slower than the timeout', async () => {
    const issues = makeDocs(40, 'aider', NOW_S - 10, 'I_');
    const { upstream, source } = await start(issues, [], { token: null });
    upstream.queue(
      { status: 500, body: 'boom' },
      { delayMs: 700, body: {} },
      { status: 429, headers: { 'retry-after': '0' }, body: 'later' },
    );
    const { batches, error } = await drain(source.poll(context(['aider']), new Map()));
    expect(error).toBeNull();
    const got = ids(batches);
    expect(got.sort()).toEqual(issues.map((d) => d.id).sort());
    expect(upstream.requests.length).toBeGreaterThanOrEqual(5);
  });

  it('dies on truncated JSON at page 3 and resumes there without loss or repeats', async () => {
    const issues = makeDocs(80, 'aider', NOW_S - 10, 'I_');
    const { upstream, source } = await start(issues, [], { token: null });
    const handler = githubHandler(issues);
    let calls = 0;
    upstream.setHandler((request) => (++calls === 3 ? { body: '{"total_count": 80, "items": [{"node' } : handler(request)));
    const ctx = context(['aider']);
    const first = await drain(source.poll(ctx, new Map()));
    expect((first.error as Error).message).toMatch(/malformed JSON/);
    expect(first.batches).toHaveLength(2);
    const second = await drain(source.poll(ctx, lastCursors(first.batches)));
    expect(second.error).toBeNull();
    const all = [...ids(first.batches), ...ids(second.batches)];
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(issues.map((d) => d.id).sort());
  });

  it('asks again when a page comes back incomplete instead of taking it as the end', async () => {
    const issues = makeDocs(50, 'zed', NOW_S - 10, 'I_');
    const { upstream, source } = await start(issues, [], { token: null });
    upstream.queue({ body: { total_count: 50, incomplete_results: true, items: issues.slice(0, 7).map(toIssue) } });
    const { batches, error } = await drain(source.poll(context(['zed']), new Map()));
    expect(error).toBeNull();
    expect(ids(batches).sort()).toEqual(issues.map((d) => d.id).sort());
  });

  it('fails on a wrong envelope, and rejects a bad item while keeping the rest', async () => {
    const { upstream, source } = await start(makeDocs(2, 'zed', NOW_S - 10, 'I_'), [], { token: null });
    upstream.queue({ body: { message: 'Validation Failed', errors: [] } });
    const wrong = await drain(source.poll(context(['zed']), new Map()));
    expect((wrong.error as Error).message).toMatch(/unexpected response shape at total_count/);
    expect(wrong.batches).toEqual([]);
    const incomplete = {
      body: {
        total_count: 2,
        incomplete_results: true,
        items: [toIssue({ id: 'I_ok', createdS: NOW_S - 5, text: 'zed <b>rocks</b>' }), { node_id: 'I_bad', title: 'no dates' }],
      },
    };
    upstream.queue(incomplete, incomplete, incomplete);
    const logs: LoggedLine[] = [];
    const mixed = await drain(source.poll(context(['zed'], logs), new Map()));
    expect(ids(mixed.batches)).toEqual(['I_ok']);
    expect(mixed.batches[0]?.posts[0]?.title).toBe('zed rocks');
    expect(mixed.batches[0]?.rejected).toEqual([{ externalId: 'I_bad', reason: expect.any(String) }]);
    expect(logs.some((l) => l.level === 'warn' && /incomplete/.test(l.msg))).toBe(true);
  });

  it('yields an issue repeated on the next page once and keeps to the rate limit', async () => {
    const issues = makeDocs(100, 'zed', NOW_S - 10, 'I_');
    const { upstream, source } = await start(issues, [], { token: null, rateLimit: { minTimeMs: 50 }, perPage: 20 });
    const handler = githubHandler(issues);
    let calls = 0;
    upstream.setHandler((request) => {
      const response = handler(request);
      if (++calls === 3) (response.body as { items: unknown[] }).items.splice(1, 0, toIssue(issues[3]!));
      return response;
    });
    const { batches } = await drain(source.poll(context(['zed']), new Map()));
    const got = ids(batches);
    expect(got).toHaveLength(100);
    expect(new Set(got).size).toBe(100);
    // 50 ms spacing allows 3 starts in any 150 ms, one more at the edge; unthrottled, they would bunch up.
    expect(upstream.requests.length).toBeGreaterThanOrEqual(6);
    expect(maxRequestsInWindow(upstream.requests, 150)).toBeLessThanOrEqual(4);
  });
});

describe('createGithubSource backfill', () => {
  const window = { since: new Date('2025-01-01T00:00:00Z'), until: new Date('2026-01-01T00:00:00Z') };
  const untilS = window.until.getTime() / 1000;

  it('walks more than 1,000 issues and discussions in the window, halving discussion slices over the cap', async () => {
    const issues = makeDocs(1100, 'gemini cli', untilS - 1, 'I_', 20_000);
    const discussions = makeDocs(1300, 'gemini cli', untilS - 1, 'D_', 20_000);
    const outside = [{ id: 'I_late', createdS: untilS, text: 'gemini cli late' }];
    const { upstream, source } = await start([...issues, ...outside], discussions, { rateLimit: { minTimeMs: 0 }, perPage: 100 });
    const { batches, error } = await drain(source.backfill!(context(['gemini cli']), window, new Map()));
    expect(error).toBeNull();
    const got = ids(batches);
    expect(new Set(got).size).toBe(got.length);
    expect(got.sort()).toEqual([...issues, ...discussions].map((d) => d.id).sort());
    const progress = batches.map((b) => b.progress ?? -1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1);
    const overCap = upstream.requests.filter((r) => r.path === '/graphql' && JSON.parse(r.body).variables.after === null);
    expect(overCap.length).toBeGreaterThan(1);
    expect(batches.some((b) => b.queryKey === toGithubBackfillKey('discussions', 'gemini cli', window))).toBe(true);
  });

  it('resumes a discussion slice from its stored GraphQL cursor', async () => {
    const discussions = makeDocs(70, 'zed', untilS - 100, 'D_', 3600);
    const { upstream, source } = await start([], discussions, { perPage: 30 });
    const handler = githubHandler([], discussions);
    let graphqlCalls = 0;
    upstream.setHandler((request) =>
      request.path === '/graphql' && ++graphqlCalls === 2 ? { status: 401, body: { message: 'Bad credentials' } } : handler(request),
    );
    const ctx = context(['zed']);
    const first = await drain(source.backfill!(ctx, window, new Map()));
    expect((first.error as UpstreamError).status).toBe(401);
    const key = toGithubBackfillKey('discussions', 'zed', window);
    expect(lastCursors(first.batches).get(key)).toMatchObject({ after: '30', done: false });
    const second = await drain(source.backfill!(ctx, window, lastCursors(first.batches)));
    expect(second.error).toBeNull();
    const all = [...ids(first.batches), ...ids(second.batches)];
    expect(all.sort()).toEqual(discussions.map((d) => d.id).sort());
    const resumedCall = upstream.requests.filter((r) => r.path === '/graphql').at(-2);
    expect(JSON.parse(resumedCall!.body).variables.after).toBe('30');
  });
});

describe('createGithubSource issue comments', () => {
  const noDiscussions = (phrases: string[]) =>
    new Map(phrases.map((p) => [toGithubQueryKey('discussions', p), { hw: NOW_S, recent: {}, walk: null }]));
  const isComments = (r: FakeRequest) => r.path.endsWith('/comments');
  const issuesWithComments = (): Doc[] => [
    { id: 'I_7', createdS: NOW_S - 100, text: 'zed crashes on save with aider', comments: 2 },
    { id: 'I_8', createdS: NOW_S - 200, text: 'zed and aider together', comments: 0 },
  ];
  const commentsOf7: CommentsByIssue = { 7: [toComment(7, 1, 'Still broken in **Zed** 0.150', 3), toComment(7, 2, 'me too', 0)] };

  it('with a token fetches comments of issues that have some, once, and yields those mentioning a term beside their issue', async () => {
    const { upstream, source } = await start(issuesWithComments(), [], {}, commentsOf7);
    const { batches, error } = await drain(source.poll(context(['zed', 'aider']), noDiscussions(['zed', 'aider'])));
    expect(error).toBeNull();
    expect(ids(batches)).toEqual(['I_7', 'I_8', 'IC_7_1']);
    expect(batches[0]?.queryKey).toBe(toGithubQueryKey('issues', 'zed'));
    const calls = upstream.requests.filter(isComments);
    expect(calls.map((r) => r.path)).toEqual(['/repos/o/r/issues/7/comments']);
    expect(calls[0]?.query.get('per_page')).toBe('100');
    expect(calls[0]?.query.get('since')).toBe(new Date((NOW_S - 86_400 - 600) * 1000).toISOString());
    expect(calls[0]?.headers.authorization).toBe('Bearer ghp_test');
    const comment = batches[0]?.posts.find((p) => p.externalId === 'IC_7_1');
    expect(comment).toMatchObject({
      url: 'https://github.com/o/r/issues/7#issuecomment-1',
      title: 'zed crashes on save with aider',
      parentId: 'I_7',
      threadId: 'o/r#7',
      score: 3,
      body: 'Still broken in **Zed** 0.150',
    });
    expect(comment?.createdAt.toISOString()).toBe(new Date((NOW_S - 30) * 1000).toISOString());
  });

  it('fetches no comments without a token or with fetchComments off', async () => {
    for (const extra of [{ token: null }, { fetchComments: false }] satisfies Array<Partial<GithubSourceOptions>>) {
      const { upstream, source } = await start(issuesWithComments(), [], extra, commentsOf7);
      const { batches, error } = await drain(source.poll(context(['zed']), noDiscussions(['zed'])));
      expect(error).toBeNull();
      expect(ids(batches)).toEqual(['I_7', 'I_8']);
      expect(upstream.requests.filter(isComments)).toEqual([]);
    }
  });

  it('keeps the issue and its batch cursor when the comments request fails with 500, and logs a warning', async () => {
    const logs: LoggedLine[] = [];
    const issues = issuesWithComments();
    const { upstream, source } = await start(issues, [], {}, commentsOf7);
    const handler = githubHandler(issues, [], commentsOf7);
    upstream.setHandler((request) => (isComments(request) ? { status: 500, body: 'boom' } : handler(request)));
    const ctx = context(['zed'], logs);
    const first = await drain(source.poll(ctx, noDiscussions(['zed'])));
    expect(first.error).toBeNull();
    expect(ids(first.batches)).toEqual(['I_7', 'I_8']);
    expect(upstream.requests.filter(isComments).length).toBeGreaterThanOrEqual(1);
    const issueBatches = first.batches.filter((b) => b.queryKey === toGithubQueryKey('issues', 'zed'));
    expect(issueBatches.map((b) => b.posts.map((p) => p.externalId))).toEqual([['I_7', 'I_8']]);
    expect(issueBatches[0]?.cursor).toMatchObject({ hw: NOW_S - 100, walk: null });
    expect(logs.some((l) => l.level === 'warn' && /comments could not be fetched/.test(l.msg))).toBe(true);
    const second = await drain(source.poll(ctx, lastCursors(first.batches)));
    expect(second.error).toBeNull();
    expect(ids(second.batches)).toEqual([]);
  });

  it('spaces comment requests by the core rate limit, apart from the search limiter', async () => {
    const issues = makeDocs(5, 'zed', NOW_S - 100, 'I_').map((d) => ({ ...d, id: d.id.replace('I_', 'I_1') }));
    const { upstream, source } = await start(issues, [], { coreRateLimit: { minTimeMs: 120 } });
    const { batches, error } = await drain(source.poll(context(['zed']), noDiscussions(['zed'])));
    expect(error).toBeNull();
    expect(ids(batches)).toHaveLength(5);
    const calls = upstream.requests.filter(isComments);
    expect(calls).toHaveLength(5);
    expect(maxRequestsInWindow(calls, 100)).toBe(1);
    expect(3_600_000 / GITHUB_CORE_RATE_LIMIT.minTimeMs).toBeLessThanOrEqual(5_000);
  });
});

describe('createGithubSource comment revisits', () => {
  const HOUR = 3600;
  const DAY = 86_400;
  const noDiscussions = (phrases: string[]) =>
    new Map<string, CursorValue>(
      phrases.map((p) => [toGithubQueryKey('discussions', p), { hw: NOW_S + 30 * DAY, recent: {}, walk: null }]),
    );
  const withBatches = (base: ReadonlyMap<string, CursorValue>, batches: SourceBatch[]) => new Map([...base, ...lastCursors(batches)]);
  const commentCalls = (requests: FakeRequest[]) => requests.filter((r) => r.path.endsWith('/comments'));
  const issueNumbers = (requests: FakeRequest[]) => commentCalls(requests).map((r) => Number(/issues\/(\d+)\//.exec(r.path)?.[1]));
  const trackedOf = (batches: SourceBatch[], phrase: string) => {
    const cursor = lastCursors(batches).get(toGithubQueryKey('issues', phrase)) as { tracked: Array<{ thread: string; read: number }> };
    return cursor.tracked;
  };
  const isoMs = (s: number) => new Date(s * 1000).toISOString();

  it('collects a comment written after the first poll, reading since the previous read and dropping one naming no term', async () => {
    const issues: Doc[] = [{ id: 'I_7', createdS: NOW_S - 100, text: 'zed crashes on save', comments: 1 }];
    const comments: CommentsByIssue = { 7: [toComment(7, 1, 'zed 0.150 too', 0)] };
    const { upstream, source } = await start(issues, [], {}, comments);
    const first = await drain(source.poll(contextAt(NOW_S, ['zed']), noDiscussions(['zed'])));
    expect(ids(first.batches)).toEqual(['I_7', 'IC_7_1']);
    expect(trackedOf(first.batches, 'zed')).toEqual([
      { thread: 'o/r#7', id: 'I_7', title: 'zed crashes on save', created: NOW_S - 100, read: NOW_S },
    ]);

    comments[7]!.push(toComment(7, 2, 'Fixed in **Zed** 0.151', 2, NOW_S + HOUR / 2), toComment(7, 3, 'thanks!', 0, NOW_S + HOUR / 2));
    const before = upstream.requests.length;
    const second = await drain(source.poll(contextAt(NOW_S + HOUR, ['zed']), withBatches(noDiscussions(['zed']), first.batches)));
    expect(second.error).toBeNull();
    expect(ids(second.batches)).toEqual(['IC_7_2']);
    const revisit = second.batches.find((b) => b.posts.some((p) => p.externalId === 'IC_7_2'));
    expect(revisit).toMatchObject({ queryKey: toGithubQueryKey('issues', 'zed'), fetched: 2 });
    expect(revisit?.posts[0]).toMatchObject({ parentId: 'I_7', threadId: 'o/r#7', title: 'zed crashes on save', score: 2 });
    const calls = commentCalls(upstream.requests.slice(before));
    expect(calls.map((r) => r.query.get('since'))).toEqual([isoMs(NOW_S)]);
    expect(trackedOf(second.batches, 'zed')[0]?.read).toBe(NOW_S + HOUR);

    const third = await drain(
      source.poll(contextAt(NOW_S + 2 * HOUR, ['zed']), withBatches(noDiscussions(['zed']), [...first.batches, ...second.batches])),
    );
    expect(ids(third.batches)).toEqual([]);
    expect(commentCalls(upstream.requests).at(-1)?.query.get('since')).toBe(isoMs(NOW_S + HOUR));
  });

  it('revisits at most revisitsPerPoll issues a poll, least recently read first, in rotation', async () => {
    const issues: Doc[] = [1, 2, 3, 4, 5].map((n) => ({ id: `I_${n}`, createdS: NOW_S - n * 60, text: `aider issue ${n}`, comments: 0 }));
    const { upstream, source } = await start(issues, [], { revisitsPerPoll: 2 });
    let cursors = noDiscussions(['aider']);
    const turns: number[][] = [];
    for (let poll = 0; poll < 5; poll++) {
      const before = upstream.requests.length;
      const { batches, error } = await drain(source.poll(contextAt(NOW_S + poll * HOUR, ['aider']), cursors));
      expect(error).toBeNull();
      turns.push(issueNumbers(upstream.requests.slice(before)));
      cursors = withBatches(cursors, batches);
    }
    // The first poll finds the issues (no comments yet, so nothing to read); then two a poll, oldest read first.
    expect(turns).toEqual([[], [1, 2], [3, 4], [5, 1], [2, 3]]);
    const firstRevisit = commentCalls(upstream.requests)[0];
    expect(firstRevisit?.query.get('since')).toBe(isoMs(NOW_S - 60));
  });

  it('stops revisiting issues older than revisitWindowMs and keeps at most maxTracked, the newest', async () => {
    const issues: Doc[] = [
      { id: 'I_1', createdS: NOW_S - 100, text: 'zed one', comments: 0 },
      { id: 'I_2', createdS: NOW_S - 3 * DAY, text: 'zed two', comments: 0 },
      { id: 'I_3', createdS: NOW_S - 2 * DAY - 100, text: 'zed three', comments: 0 },
    ];
    const { upstream, source } = await start(issues, [], { firstPollLookbackMs: 4 * DAY * 1000, maxTracked: 2 });
    const first = await drain(source.poll(contextAt(NOW_S, ['zed']), noDiscussions(['zed'])));
    expect(ids(first.batches).sort()).toEqual(['I_1', 'I_2', 'I_3']);
    expect(trackedOf(first.batches, 'zed').map((t) => t.thread)).toEqual(['o/r#1', 'o/r#3']);
    // Five days on, issue 3 is just over seven days old: past the window, it is neither read nor kept.
    const second = await drain(source.poll(contextAt(NOW_S + 5 * DAY, ['zed']), withBatches(noDiscussions(['zed']), first.batches)));
    expect(second.error).toBeNull();
    expect(issueNumbers(upstream.requests)).toEqual([1]);
    expect(trackedOf(second.batches, 'zed').map((t) => t.thread)).toEqual(['o/r#1']);
  });

  it('resumes from the cursor of every batch of a poll with revisits, nothing lost and nothing repeated', async () => {
    const zed = (n: number, createdS: number, comments = 1): Doc => ({ id: `I_${n}`, createdS, text: `zed issue ${n}`, comments });
    const issues: Doc[] = [
      zed(1, NOW_S - 100),
      zed(2, NOW_S - 200),
      zed(3, NOW_S - 300),
      { id: 'I_4', createdS: NOW_S - 150, text: 'aider issue 4', comments: 1 },
    ];
    const comments: CommentsByIssue = {
      1: [toComment(1, 1, 'zed here', 0)],
      2: [toComment(2, 1, 'no term', 0)],
      3: [toComment(3, 1, 'zed there', 0)],
      4: [toComment(4, 1, 'aider too', 0)],
    };
    const { source } = await start(issues, [], { perPage: 2, revisitsPerPoll: 20 }, comments);
    const base0 = noDiscussions(['zed', 'aider']);
    const first = await drain(source.poll(contextAt(NOW_S, ['zed', 'aider']), base0));
    expect(first.error).toBeNull();
    const base = withBatches(base0, first.batches);

    const later = NOW_S + HOUR;
    issues.push(zed(5, later - 600), zed(6, later - 700), zed(7, later - 800), {
      id: 'I_8',
      createdS: later - 650,
      text: 'aider issue 8',
      comments: 1,
    });
    comments[1]!.push(toComment(1, 2, 'zed again', 0, later - 900), toComment(1, 3, 'nope', 0, later - 900));
    comments[3]!.push(toComment(3, 2, 'still zed', 0, later - 900));
    comments[4]!.push(toComment(4, 2, 'aider again', 0, later - 900));
    comments[5] = [toComment(5, 1, 'zed on a new issue', 0, later - 500)];
    comments[8] = [toComment(8, 1, 'aider on a new issue', 0, later - 500)];
    const ctx = contextAt(later, ['zed', 'aider']);
    const full = await drain(source.poll(ctx, base));
    expect(full.error).toBeNull();
    const expected = ['I_5', 'I_6', 'I_7', 'I_8', 'IC_1_2', 'IC_3_2', 'IC_4_2', 'IC_5_1', 'IC_8_1'].sort();
    expect(ids(full.batches).sort()).toEqual(expected);
    expect(full.batches.length).toBeGreaterThanOrEqual(4);
    for (let k = 1; k < full.batches.length; k++) {
      const prefix = full.batches.slice(0, k);
      const rest = await drain(source.poll(ctx, withBatches(base, prefix)));
      expect(rest.error).toBeNull();
      const all = [...ids(prefix), ...ids(rest.batches)];
      expect(all.sort()).toEqual(expected);
    }
  });

  it('logs a failed revisit and moves on, reading that issue from the same time on a later poll', async () => {
    const logs: LoggedLine[] = [];
    const issues: Doc[] = [1, 2, 3].map((n) => ({ id: `I_${n}`, createdS: NOW_S - n * 60, text: `zed issue ${n}`, comments: 0 }));
    const comments: CommentsByIssue = {};
    const { upstream, source } = await start(issues, [], { retries: 1, revisitsPerPoll: 20 }, comments);
    const first = await drain(source.poll(contextAt(NOW_S, ['zed']), noDiscussions(['zed'])));
    for (const n of [1, 2, 3]) comments[n] = [toComment(n, 1, `zed comment ${n}`, 0, NOW_S + 60)];
    const handler = githubHandler(issues, [], comments);
    upstream.setHandler((request) => (request.path === '/repos/o/r/issues/1/comments' ? { status: 500, body: 'boom' } : handler(request)));
    const base = withBatches(noDiscussions(['zed']), first.batches);
    const second = await drain(source.poll(contextAt(NOW_S + HOUR, ['zed'], logs), base));
    expect(second.error).toBeNull();
    expect(ids(second.batches)).toEqual(['IC_2_1', 'IC_3_1']);
    expect(warningsIn(logs).some((m) => /could not be re-read/.test(m))).toBe(true);
    expect(trackedOf(second.batches, 'zed')).toMatchObject([
      { thread: 'o/r#1', read: NOW_S - 60 },
      { thread: 'o/r#2', read: NOW_S + HOUR },
      { thread: 'o/r#3', read: NOW_S + HOUR },
    ]);
    upstream.setHandler(handler);
    const third = await drain(source.poll(contextAt(NOW_S + 2 * HOUR, ['zed']), withBatches(base, second.batches)));
    expect(ids(third.batches)).toEqual(['IC_1_1']);
    expect(
      commentCalls(upstream.requests).find((r) => r.path.includes('/issues/1/') && r.query.get('since') === isoMs(NOW_S - 60)),
    ).toBeDefined();
  });

  it('after a full page of comments, reads on from the last one created instead of skipping the rest', async () => {
    const issues: Doc[] = [{ id: 'I_7', createdS: NOW_S - 100, text: 'zed issue', comments: 0 }];
    const comments: CommentsByIssue = {};
    const { upstream, source } = await start(issues, [], {}, comments);
    const first = await drain(source.poll(contextAt(NOW_S, ['zed']), noDiscussions(['zed'])));
    comments[7] = Array.from({ length: 130 }, (_, i) => toComment(7, i + 1, `zed reply ${i + 1}`, 0, NOW_S + 10 * (i + 1)));
    const base = withBatches(noDiscussions(['zed']), first.batches);
    const second = await drain(source.poll(contextAt(NOW_S + HOUR, ['zed']), base));
    expect(ids(second.batches)).toHaveLength(100);
    expect(trackedOf(second.batches, 'zed')[0]?.read).toBe(NOW_S + 1000);
    const third = await drain(source.poll(contextAt(NOW_S + 2 * HOUR, ['zed']), withBatches(base, second.batches)));
    expect(commentCalls(upstream.requests).at(-1)?.query.get('since')).toBe(isoMs(NOW_S + 1000));
    expect(new Set([...ids(second.batches), ...ids(third.batches)]).size).toBe(130);
    expect(trackedOf(third.batches, 'zed')[0]?.read).toBe(NOW_S + 2 * HOUR);
  });

  it('tracks and revisits nothing without a token', async () => {
    const issues: Doc[] = [{ id: 'I_7', createdS: NOW_S - 100, text: 'zed issue', comments: 1 }];
    const comments: CommentsByIssue = { 7: [toComment(7, 1, 'zed comment', 0)] };
    const { upstream, source } = await start(issues, [], { token: null }, comments);
    const first = await drain(source.poll(contextAt(NOW_S, ['zed']), new Map()));
    expect(trackedOf(first.batches, 'zed')).toEqual([]);
    comments[7]!.push(toComment(7, 2, 'zed later', 0, NOW_S + 60));
    const second = await drain(source.poll(contextAt(NOW_S + HOUR, ['zed']), lastCursors(first.batches)));
    expect(second.error).toBeNull();
    expect(ids([...first.batches, ...second.batches])).toEqual(['I_7']);
    expect(commentCalls(upstream.requests)).toEqual([]);
  });

  it('reports a malformed tracked list and keeps the search position of the cursor', async () => {
    const logs: LoggedLine[] = [];
    const { upstream, source } = await start([{ id: 'I_7', createdS: NOW_S - 100, text: 'zed issue', comments: 0 }]);
    const stored = new Map([
      ...noDiscussions(['zed']),
      [toGithubQueryKey('issues', 'zed'), { hw: NOW_S - 1000, recent: {}, walk: null, tracked: [{ thread: 7 }] }],
    ]);
    const { batches, error } = await drain(source.poll(contextAt(NOW_S, ['zed'], logs), stored));
    expect(error).toBeNull();
    expect(warningsIn(logs).some((m) => /wrong shape/.test(m))).toBe(true);
    expect(upstream.requests[0]?.query.get('q')).toContain(`created:${iso(NOW_S - 1600)}..`);
    expect(ids(batches)).toEqual(['I_7']);
    expect(trackedOf(batches, 'zed').map((t) => t.thread)).toEqual(['o/r#7']);
  });
});
