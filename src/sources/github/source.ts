import { z } from 'zod';
import { collectPosts, type PageYield } from '../batching.ts';
import { IdTimes, isCursorObject, keepSince, readCursor } from '../cursor.ts';
import { UpstreamError } from '../http.ts';
import type { NormalizedPost } from '../../core/post.ts';
import type { RateLimit } from '../http.ts';
import type { BackfillWindow, CollectContext, CursorValue, Source, SourceBatch, SourceHttpOptions } from '../types.ts';
import { GithubClient } from './client.ts';
import {
  mapGithubComment,
  mapGithubDiscussion,
  mapGithubIssue,
  parseIssueThread,
  type GithubCommentParent,
  type GithubMapResult,
} from './mapper.ts';
import { compilePhraseMatcher, listPhrases, quotePhrase } from '../terms.ts';
import { toSearchTime } from './terms.ts';

export interface GithubSourceOptions extends SourceHttpOptions {
  /** A PAT raises search to 30/min and enables Discussions (GraphQL needs a token). */
  token?: string | null;
  /** Defaults to `<baseUrl>/graphql`. */
  graphqlUrl?: string;
  /** Results per request: per_page for REST, first for GraphQL (1..100). */
  perPage?: number;
  /** Extra qualifiers for issue search; pull requests are left out by default. */
  issueQualifiers?: string;
  firstPollLookbackMs?: number;
  /** Each poll re-reads this much below its high-water mark for items the search index took late. */
  overlapMs?: number;
  /** Fetch the comments of polled issues that have some (default true; needs a token: core REST is 60/h without). */
  fetchComments?: boolean;
  /** Spacing for core REST calls (comments); defaults to 750 ms, 4,800 an hour. */
  coreRateLimit?: RateLimit;
  /** How long after its creation a polled issue's comments are re-read (default 7 days). */
  revisitWindowMs?: number;
  /** Issues remembered per query for revisits, newest kept (default 300). */
  maxTracked?: number;
  /**
   * Comment re-reads per query and poll, least recently read first. Default 2: with one query per
   * phrase (a few hundred), that is most of what the core-REST spacing allows in a 15-minute poll.
   */
  revisitsPerPoll?: number;
}

const IssueWalk = z.object({ upper: z.number().int(), seen: z.array(z.string()) });
type IssueWalk = z.infer<typeof IssueWalk>;
const SliceWalk = z.object({ hi: z.number().int(), span: z.number().int().positive(), after: z.string().nullable() });
type SliceWalk = z.infer<typeof SliceWalk>;
const Top = z.object({ top: z.number().int(), added: IdTimes });

/**
 * Poll cursors: the high-water second, the ids (with their seconds) stored inside the overlap below it,
 * and an unfinished walk. Polls re-read the overlap because the search index can lag behind creation.
 */
const IssueSearchCursor = z.object({ hw: z.number().int(), recent: IdTimes, walk: IssueWalk.extend(Top.shape).nullable() });
const DiscussionPollCursor = z.object({ hw: z.number().int(), recent: IdTimes, walk: SliceWalk.extend(Top.shape).nullable() });
type DiscussionPollCursor = z.infer<typeof DiscussionPollCursor>;

/** An issue a poll yielded, whose later comments are re-read: `read` is the `since` of its next read. */
const TrackedIssue = z.object({
  thread: z.string(),
  id: z.string(),
  title: z.string().nullable(),
  created: z.number().int(),
  read: z.number().int(),
});
type TrackedIssue = z.infer<typeof TrackedIssue>;
/** In rotation order, the least recently read first; stored beside the search fields of the issue cursor. */
const TrackedIssues = z.array(TrackedIssue);
type IssuePollCursor = z.infer<typeof IssueSearchCursor> & { tracked: TrackedIssue[] };
const IssueBackfillCursor = IssueWalk.extend({ done: z.boolean() });
const DiscussionBackfillCursor = SliceWalk.extend({ done: z.boolean() });

const INCOMPLETE_RETRIES = 2;
const COMMENTS_PER_PAGE = 100;
/** GitHub search never returns more than this per query. */
const SEARCH_CAP = 1000;

type Kind = 'issues' | 'discussions';

export function toGithubQueryKey(kind: Kind, phrase: string): string {
  return `${kind}:${quotePhrase(phrase)}`;
}

export function toGithubBackfillKey(kind: Kind, phrase: string, window: BackfillWindow): string {
  return `backfill:${kind}:${window.since.toISOString()}..${window.until.toISOString()}:${quotePhrase(phrase)}`;
}

interface Page {
  results: GithubMapResult[];
  fetched: number;
  done: boolean;
}

interface Run {
  ctx: CollectContext;
  seenIds: Set<string>;
  mentions: (text: string) => boolean;
}

export function createGithubSource(options: GithubSourceOptions): Source {
  const token = options.token || null;
  const client = new GithubClient({
    ...options,
    token,
    graphqlUrl: options.graphqlUrl ?? `${options.baseUrl.replace(/\/+$/, '')}/graphql`,
  });
  const perPage = Math.min(100, Math.max(1, options.perPage ?? 100));
  const qualifiers = options.issueQualifiers ?? 'is:issue in:title,body';
  const lookbackS = Math.floor((options.firstPollLookbackMs ?? 24 * 3600_000) / 1000);
  const overlapS = Math.max(0, Math.floor((options.overlapMs ?? 10 * 60_000) / 1000));
  const commentsOn = token !== null && (options.fetchComments ?? true);
  const revisitWindowS = Math.floor((options.revisitWindowMs ?? 7 * 24 * 3600_000) / 1000);
  const maxTracked = Math.max(0, options.maxTracked ?? 300);
  const revisitsPerPoll = Math.max(0, options.revisitsPerPoll ?? 2);
  const newRun = (ctx: CollectContext): Run => ({ ctx, seenIds: new Set(), mentions: compilePhraseMatcher(listPhrases(ctx.terms)) });

  /**
   * One issue's comments updated at or after `sinceS` naming a term, or null when the request failed (logged
   * as `failure`). Comments come in ascending id order, so after a full page the next read should start
   * no later than the last one's creation (`nextS`); otherwise at `readS`.
   */
  async function readComments(
    run: Run,
    parent: GithubCommentParent,
    sinceS: number,
    readS: number,
    failure: string,
  ): Promise<{ found: GithubMapResult[]; fetched: number; nextS: number } | null> {
    const thread = parseIssueThread(parent.threadId);
    if (!thread) return null;
    try {
      const items = await client.listIssueComments(thread.repo, thread.number, new Date(sinceS * 1000), COMMENTS_PER_PAGE, run.ctx.signal);
      const found: GithubMapResult[] = [];
      let lastCreatedS = sinceS;
      for (const item of items) {
        const mapped = mapGithubComment(item, parent);
        if (mapped.kind === 'post') lastCreatedS = mapped.createdAtS;
        if (mapped.kind === 'rejected' || run.mentions(mapped.post.body)) found.push(mapped);
      }
      const full = items.length >= COMMENTS_PER_PAGE;
      return { found, fetched: items.length, nextS: full ? Math.min(readS, Math.max(sinceS, lastCreatedS)) : readS };
    } catch (error) {
      if (run.ctx.signal.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      run.ctx.log.warn({ issue: parent.threadId, err: message }, failure);
      return null;
    }
  }

  /**
   * Comments that mention a term, for the issues of one page, so they commit with their issue's cursor,
   * and the page's issues to track. A failed comments request is logged and its issue kept (the issue
   * matters more than its replies); its tracked read time stays at its creation so a revisit reads them all.
   */
  async function collectComments(
    run: Run,
    issues: NormalizedPost[],
    sinceS: number,
    pollS: number,
  ): Promise<PageYield & { tracked: TrackedIssue[] }> {
    const found: GithubMapResult[] = [];
    const tracked: TrackedIssue[] = [];
    let fetched = 0;
    for (const issue of issues) {
      if (!issue.threadId || !parseIssueThread(issue.threadId)) continue;
      const created = Math.floor(issue.createdAt.getTime() / 1000);
      const entry = { thread: issue.threadId, id: issue.externalId, title: issue.title, created, read: created };
      tracked.push(entry);
      if ((issue.comments ?? 0) <= 0) continue;
      const result = await readComments(
        run,
        issue,
        sinceS,
        pollS,
        'GitHub issue comments could not be fetched; keeping the issue without them',
      );
      if (!result) continue;
      found.push(...result.found);
      fetched += result.fetched;
      entry.read = Math.max(created, result.nextS);
    }
    return { ...collectPosts(found, run.seenIds), fetched, tracked };
  }

  /**
   * Re-reads the comments of the tracked issues at the front of the rotation (none added by this poll)
   * since each one's last read, and moves them to the back; a failed one keeps its read time.
   */
  async function revisitComments(
    run: Run,
    tracked: TrackedIssue[],
    fresh: ReadonlySet<string>,
  ): Promise<(PageYield & { tracked: TrackedIssue[] }) | null> {
    const due = tracked.filter((entry) => !fresh.has(entry.thread)).slice(0, revisitsPerPoll);
    if (due.length === 0) return null;
    const found: GithubMapResult[] = [];
    const visited = new Map<string, TrackedIssue>();
    let fetched = 0;
    for (const entry of due) {
      const readS = Math.max(entry.read, Math.floor(run.ctx.now().getTime() / 1000));
      const parent = { externalId: entry.id, title: entry.title, threadId: entry.thread };
      const result = await readComments(
        run,
        parent,
        entry.read,
        readS,
        'GitHub issue comments could not be re-read; trying this issue again on a later turn',
      );
      visited.set(entry.thread, result ? { ...entry, read: result.nextS } : entry);
      if (!result) continue;
      found.push(...result.found);
      fetched += result.fetched;
    }
    const rest = tracked.filter((entry) => !visited.has(entry.thread));
    return { ...collectPosts(found, run.seenIds), fetched, tracked: [...rest, ...visited.values()] };
  }

  /**
   * Issue search newest first, always page 1, with the created: range's upper end lowered to the oldest
   * second seen; `seen` holds the ids already taken at that second. No window ever needs page 11.
   */
  async function* walkIssues(
    phrase: string,
    lower: number,
    start: IssueWalk,
    ctx: CollectContext,
  ): AsyncGenerator<Page & { state: IssueWalk }> {
    let state = start;
    for (;;) {
      const q = `${quotePhrase(phrase)} ${qualifiers} created:${toSearchTime(lower)}..${toSearchTime(state.upper)}`;
      let response = await client.searchIssues(q, perPage, ctx.signal);
      // A short incomplete page would look like the end of the range; ask again before believing it.
      for (let retry = 1; response.incomplete_results && retry <= INCOMPLETE_RETRIES; retry++) {
        response = await client.searchIssues(q, perPage, ctx.signal);
      }
      if (response.incomplete_results) ctx.log.warn({ q }, 'GitHub search timed out and returned incomplete results');
      const already = new Set(state.seen);
      const mapped = response.items.map(mapGithubIssue);
      const fresh = mapped.filter((r) => !(r.kind === 'post' && already.has(r.post.externalId)));
      if (response.items.length < perPage) {
        yield { results: fresh, fetched: fresh.length, done: true, state };
        return;
      }
      const times = mapped.flatMap((r) => (r.kind === 'post' ? [r.createdAtS] : []));
      if (times.length === 0)
        throw new UpstreamError(`a full page without one usable item for ${q}`, { url: '/search/issues', retryable: false });
      const oldest = Math.min(...times);
      const atOldest = mapped.flatMap((r) => (r.kind === 'post' && r.createdAtS === oldest ? [r.post.externalId] : []));
      let next: IssueWalk = { upper: oldest, seen: [...new Set([...(state.upper === oldest ? state.seen : []), ...atOldest])] };
      if (next.upper === state.upper && next.seen.length === state.seen.length) {
        ctx.log.warn({ q, second: oldest }, 'more results in one second than a page holds; stepping past it');
        next = { upper: oldest - 1, seen: [] };
      }
      yield { results: fresh, fetched: fresh.length, done: false, state: next };
      state = next;
    }
  }

  /**
   * Discussion search has no date order, so the range is cut into slices each under the 1,000 cap
   * (halving a slice whose count is over it) and every slice is paged through with its GraphQL cursor.
   */
  async function* walkDiscussions(
    phrase: string,
    lower: number,
    start: SliceWalk,
    ctx: CollectContext,
  ): AsyncGenerator<Page & { state: SliceWalk }> {
    let state = start;
    for (;;) {
      const lo = Math.max(lower, state.hi - state.span + 1);
      const q = `${quotePhrase(phrase)} created:${toSearchTime(lo)}..${toSearchTime(state.hi)}`;
      const page = await client.searchDiscussions(q, perPage, state.after, ctx.signal);
      if (state.after === null && page.discussionCount > SEARCH_CAP && state.hi > lo) {
        state = { ...state, span: Math.ceil((state.hi - lo + 1) / 2) };
        continue;
      }
      const results = page.nodes.map(mapGithubDiscussion);
      if (page.pageInfo.hasNextPage && page.pageInfo.endCursor) {
        state = { ...state, after: page.pageInfo.endCursor };
        yield { results, fetched: page.nodes.length, done: false, state };
        continue;
      }
      const done = lo <= lower;
      // A sparse slice lets the next one widen again, so one dense week does not shrink the whole walk.
      const span = page.discussionCount < SEARCH_CAP / 4 ? state.span * 2 : state.span;
      state = { hi: lo - 1, span, after: null };
      yield { results, fetched: page.nodes.length, done, state };
      if (done) return;
    }
  }

  /** Shared by both kinds: results already stored (in `recent`) are skipped, the new top and ids tracked. */
  function advance(results: GithubMapResult[], recent: IdTimes, acc: { top: number; added: IdTimes }): GithubMapResult[] {
    const kept = results.filter((r) => !(r.kind === 'post' && Object.hasOwn(recent, r.post.externalId)));
    for (const r of kept) {
      if (r.kind !== 'post') continue;
      acc.top = Math.max(acc.top, r.createdAtS);
      acc.added[r.post.externalId] = r.createdAtS;
    }
    acc.added = keepSince(acc.added, acc.top - overlapS);
    return kept;
  }

  function finish(recent: IdTimes, acc: { top: number; added: IdTimes }) {
    return { hw: acc.top, recent: keepSince({ ...recent, ...acc.added }, acc.top - overlapS), walk: null };
  }

  /** The stored issue cursor; a malformed tracked list is reported and dropped without losing the search position. */
  function readIssuePollCursor(stored: CursorValue | undefined, ctx: CollectContext, queryKey: string): IssuePollCursor | null {
    const search = readCursor(IssueSearchCursor, stored, ctx, queryKey);
    if (!search) return null;
    const tracked = isCursorObject(stored) ? readCursor(TrackedIssues, stored.tracked, ctx, queryKey) : null;
    return { ...search, tracked: tracked ?? [] };
  }

  async function* pollIssues(run: Run, phrase: string, stored: CursorValue | undefined): AsyncGenerator<SourceBatch> {
    const queryKey = toGithubQueryKey('issues', phrase);
    const nowS = Math.floor(run.ctx.now().getTime() / 1000);
    const cursor: IssuePollCursor = readIssuePollCursor(stored, run.ctx, queryKey) ?? {
      hw: nowS - lookbackS,
      recent: {},
      walk: null,
      tracked: [],
    };
    const acc = { top: cursor.walk?.top ?? cursor.hw, added: cursor.walk?.added ?? {} };
    const start = cursor.walk ? { upper: cursor.walk.upper, seen: cursor.walk.seen } : { upper: Math.max(nowS, cursor.hw), seen: [] };
    const lower = cursor.hw - overlapS;
    let tracked = commentsOn ? cursor.tracked.filter((entry) => entry.created >= nowS - revisitWindowS) : [];
    const fresh = new Set<string>();
    let last: IssuePollCursor = { ...cursor, tracked };
    for await (const page of walkIssues(phrase, lower, start, run.ctx)) {
      const kept = advance(page.results, cursor.recent, acc);
      const { posts, rejected } = collectPosts(kept, run.seenIds);
      const comments = commentsOn ? await collectComments(run, posts, lower, nowS) : { posts: [], rejected: [], fetched: 0, tracked: [] };
      for (const entry of comments.tracked) fresh.add(entry.thread);
      tracked = trackIssues(tracked, comments.tracked, maxTracked);
      const search = page.done ? finish(cursor.recent, acc) : { hw: cursor.hw, recent: cursor.recent, walk: { ...page.state, ...acc } };
      last = { ...search, tracked };
      yield {
        queryKey,
        posts: [...posts, ...comments.posts],
        events: [],
        rejected: [...rejected, ...comments.rejected],
        fetched: kept.length + comments.fetched,
        cursor: last,
      };
    }
    if (!commentsOn) return;
    const revisit = await revisitComments(run, tracked, fresh);
    if (revisit)
      yield {
        queryKey,
        posts: revisit.posts,
        events: [],
        rejected: revisit.rejected,
        fetched: revisit.fetched,
        cursor: { ...last, tracked: revisit.tracked },
      };
  }

  async function* pollDiscussions(run: Run, phrase: string, stored: CursorValue | undefined): AsyncGenerator<SourceBatch> {
    const queryKey = toGithubQueryKey('discussions', phrase);
    const nowS = Math.floor(run.ctx.now().getTime() / 1000);
    const cursor: DiscussionPollCursor = readCursor(DiscussionPollCursor, stored, run.ctx, queryKey) ?? {
      hw: nowS - lookbackS,
      recent: {},
      walk: null,
    };
    const acc = { top: cursor.walk?.top ?? cursor.hw, added: cursor.walk?.added ?? {} };
    const lower = cursor.hw - overlapS;
    const hi = Math.max(nowS, cursor.hw);
    const start: SliceWalk = cursor.walk
      ? { hi: cursor.walk.hi, span: cursor.walk.span, after: cursor.walk.after }
      : { hi, span: hi - lower + 1, after: null };
    for await (const page of walkDiscussions(phrase, lower, start, run.ctx)) {
      const kept = advance(page.results, cursor.recent, acc);
      const { posts, rejected } = collectPosts(kept, run.seenIds);
      const next: DiscussionPollCursor = page.done
        ? finish(cursor.recent, acc)
        : { hw: cursor.hw, recent: cursor.recent, walk: { ...page.state, ...acc } };
      yield { queryKey, posts, events: [], rejected, fetched: kept.length, cursor: next };
    }
  }

  return {
    name: 'github',
    skipReason: () => null,
    probeUrls: () => [options.baseUrl],

    async *poll(ctx, cursors) {
      const phrases = listPhrases(ctx.terms);
      const run = newRun(ctx);
      for (const phrase of phrases) {
        try {
          yield* pollIssues(run, phrase, cursors.get(toGithubQueryKey('issues', phrase)));
        } catch (error) {
          // 422 is GitHub refusing this one query (too long, bad syntax); the other phrases still run.
          if (!(error instanceof UpstreamError) || error.status !== 422) throw error;
          ctx.log.warn({ phrase, err: error }, 'GitHub rejected the issue search for this phrase; skipping it');
        }
      }
      if (!token) {
        ctx.log.info({ source: 'github' }, 'Discussions skipped: GraphQL needs GITHUB_TOKEN (issue search ran at the anonymous 10/min)');
        return;
      }
      for (const phrase of phrases) yield* pollDiscussions(run, phrase, cursors.get(toGithubQueryKey('discussions', phrase)));
    },

    async *backfill(ctx, window, cursors) {
      const phrases = listPhrases(ctx.terms);
      const run = newRun(ctx);
      const lower = Math.floor(window.since.getTime() / 1000);
      const untilS = Math.ceil(window.until.getTime() / 1000) - 1;
      const span = Math.max(1, untilS - lower + 1);
      const kinds: Kind[] = token ? ['issues', 'discussions'] : ['issues'];
      if (!token) ctx.log.info({ source: 'github' }, 'Discussions skipped in backfill: GraphQL needs GITHUB_TOKEN');
      const total = phrases.length * kinds.length;
      let index = 0;
      for (const kind of kinds) {
        for (const phrase of phrases) {
          const queryKey = toGithubBackfillKey(kind, phrase, window);
          const share = (walkedUpTo: number, done: boolean) => (index + (done ? 1 : Math.min(1, (untilS - walkedUpTo) / span))) / total;
          if (kind === 'issues') {
            const cursor = readCursor(IssueBackfillCursor, cursors.get(queryKey), ctx, queryKey) ?? {
              upper: untilS,
              seen: [],
              done: false,
            };
            if (!cursor.done) {
              for await (const page of walkIssues(phrase, lower, cursor, ctx)) {
                const { posts, rejected } = collectPosts(page.results, run.seenIds);
                const next = { ...page.state, done: page.done };
                yield {
                  queryKey,
                  posts,
                  events: [],
                  rejected,
                  fetched: page.fetched,
                  cursor: next,
                  progress: share(page.state.upper, page.done),
                };
              }
            }
          } else {
            const cursor = readCursor(DiscussionBackfillCursor, cursors.get(queryKey), ctx, queryKey) ?? {
              hi: untilS,
              span,
              after: null,
              done: false,
            };
            if (!cursor.done) {
              for await (const page of walkDiscussions(phrase, lower, cursor, ctx)) {
                const { posts, rejected } = collectPosts(page.results, run.seenIds);
                const next = { ...page.state, done: page.done };
                yield {
                  queryKey,
                  posts,
                  events: [],
                  rejected,
                  fetched: page.fetched,
                  cursor: next,
                  progress: share(page.state.hi, page.done),
                };
              }
            }
          }
          index++;
        }
      }
    },
  };
}

/** `tracked` with the issues of `added` not yet in it appended, cut to the `max` newest by creation, order kept. */
function trackIssues(tracked: TrackedIssue[], added: TrackedIssue[], max: number): TrackedIssue[] {
  const byThread = new Map(tracked.map((entry) => [entry.thread, entry]));
  for (const entry of added) if (!byThread.has(entry.thread)) byThread.set(entry.thread, entry);
  const all = [...byThread.values()];
  if (all.length <= max) return all;
  const newest = new Set([...all].sort((a, b) => b.created - a.created || a.thread.localeCompare(b.thread)).slice(0, max));
  return all.filter((entry) => newest.has(entry));
}
