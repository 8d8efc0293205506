import type { NormalizedPost } from '../../core/post.ts';
import { computeProgress, resumeThenWalk, toBatch, type Share } from '../batching.ts';
import { isCursorObject, readPagedBackfillCursor, readPagedPollCursor, writePagedPollCursor, type PagedPollCursor } from '../cursor.ts';
import { createTermMatcher, type TermMatcher } from '../terms.ts';
import type { CollectContext, CursorValue, Rejection, Source, SourceBatch, SourceHttpOptions } from '../types.ts';
import { checkUserAgent, LobstersClient } from './client.ts';
import { mapComment, mapStory } from './mapper.ts';

export interface LobstersSourceOptions extends SourceHttpOptions {
  /** Tags polled as one combined feed (`/t/a,b.json`) besides /newest. */
  tags?: string[];
  /** Fetch `/s/{id}.json` for each matching story and yield its comments too. */
  fetchComments?: boolean;
  /** Story pages one feed may read in one poll; an unfinished walk resumes next time. */
  maxPagesPerPoll?: number;
  /** How far back the first poll of a feed reaches. */
  initialLookbackMs?: number;
  /** Matching stories are revisited for new comments (when /active.json shows more) for this long. */
  followCommentsForMs?: number;
  /** At most this many stories are followed for comments, newest first. */
  maxFollowedStories?: number;
}

/** A matching story whose later comments are still collected: comments seen so far and the newest one's time. */
export interface FollowedStory {
  id: string;
  createdMs: number;
  count: number;
  lastMs: number;
}

interface Mark {
  /** created_at in epoch ms, and the stories created at exactly that instant. */
  ms: number;
  ids: string[];
}

/** `hwm`: stories up to this mark are done. `walk`: a walk down from `top` whose next page is `page`. */
export type LobstersPollCursor = PagedPollCursor<Mark>;

interface PageResult {
  posts: NormalizedPost[];
  rejected: Rejection[];
  fetched: number;
  newest: Mark | null;
  oldestMs: number | null;
  empty: boolean;
}

const DAY_MS = 86_400_000;
const COMMENTS_KEY = 'comments';

export function createLobstersSource(options: LobstersSourceOptions): Source {
  const userAgentProblem = checkUserAgent(options.userAgent);
  const client = new LobstersClient(options);
  const feeds = ['newest', ...(options.tags && options.tags.length > 0 ? [`t/${options.tags.join(',')}`] : [])];
  const fetchComments = options.fetchComments ?? true;
  const maxPages = options.maxPagesPerPoll ?? 4;
  const lookbackMs = options.initialLookbackMs ?? DAY_MS;
  const followMs = options.followCommentsForMs ?? 3 * DAY_MS;
  const maxFollowed = options.maxFollowedStories ?? 30;

  /** Comments of `storyId` created after `afterMs`, into `into`; returns the newest comment time seen. */
  function takeComments(
    rawComments: unknown[],
    storyId: string,
    afterMs: number,
    runSeen: Set<string>,
    into: { posts: NormalizedPost[]; rejected: Rejection[] },
  ): number {
    let lastMs = afterMs;
    for (const rawComment of rawComments) {
      const comment = mapComment(rawComment, storyId);
      if (comment.kind === 'rejected') into.rejected.push(comment.rejection);
      if (comment.kind !== 'post') continue;
      const ms = comment.post.createdAt.getTime();
      lastMs = Math.max(lastMs, ms);
      if (ms <= afterMs || runSeen.has(comment.post.externalId)) continue;
      runSeen.add(comment.post.externalId);
      into.posts.push(comment.post);
    }
    return lastMs;
  }

  /** Maps one list page; matching stories bring their comments, so the batch is whole before it is yielded. */
  async function readPage(
    ctx: CollectContext,
    feed: string,
    page: number,
    matcher: TermMatcher,
    runSeen: Set<string>,
    keep: (ms: number, shortId: string) => boolean,
    followed: FollowedStory[] | null,
  ): Promise<PageResult> {
    const list = await client.storyPage(feed, page, ctx.signal);
    const result: PageResult = { posts: [], rejected: [], fetched: list.length, newest: null, oldestMs: null, empty: list.length === 0 };
    for (const raw of list) {
      const mapped = mapStory(raw);
      if (mapped.kind === 'rejected') {
        result.rejected.push(mapped.rejection);
        continue;
      }
      if (mapped.kind === 'dropped') continue;
      const { post, shortId } = mapped;
      const ms = post.createdAt.getTime();
      if (!result.newest || ms > result.newest.ms) result.newest = { ms, ids: [shortId] };
      else if (ms === result.newest.ms) result.newest.ids.push(shortId);
      result.oldestMs = Math.min(result.oldestMs ?? ms, ms);
      if (!keep(ms, shortId) || runSeen.has(post.externalId)) continue;
      if (matcher.match(`${post.title ?? ''}\n${post.body}`).length === 0) continue;
      runSeen.add(post.externalId);
      result.posts.push(post);
      if (!fetchComments) continue;
      let lastMs = ms;
      if ((post.comments ?? 1) > 0) {
        const story = await client.storyWithComments(shortId, ctx.signal);
        result.fetched += story.comments.length;
        lastMs = takeComments(story.comments, shortId, Number.NEGATIVE_INFINITY, runSeen, result);
      }
      followed?.push({ id: shortId, createdMs: ms, count: post.comments ?? 0, lastMs: Math.max(lastMs, ms) });
    }
    return result;
  }

  async function* pollFeed(
    ctx: CollectContext,
    feed: string,
    stored: LobstersPollCursor,
    matcher: TermMatcher,
    runSeen: Set<string>,
    followed: FollowedStory[],
  ): AsyncGenerator<SourceBatch> {
    const lookbackStart = ctx.now().getTime() - lookbackMs;
    let pages = 0;

    async function* descend(startPage: number, hwm: Mark | null, knownTop: Mark | null): AsyncGenerator<SourceBatch, boolean> {
      let top = knownTop;
      for (let page = startPage; ; page++) {
        if (pages >= maxPages) return false;
        const keep = (ms: number, id: string): boolean =>
          hwm ? ms > hwm.ms || (ms === hwm.ms && !hwm.ids.includes(id)) : ms >= lookbackStart;
        const result = await readPage(ctx, feed, page, matcher, runSeen, keep, followed);
        pages++;
        top ??= pickNewerMark(result.newest, hwm);
        const reachedEnd =
          result.empty || (result.oldestMs !== null && (hwm ? result.oldestMs <= hwm.ms : result.oldestMs < lookbackStart));
        const cursor: LobstersPollCursor = reachedEnd || !top ? { hwm: top, walk: null } : { hwm, walk: { top, page: page + 1 } };
        yield toBatch(feed, result, serializeCursor(cursor));
        if (reachedEnd) return true;
      }
    }

    yield* resumeThenWalk(stored, (resume, hwm) => descend(resume?.page ?? 1, hwm, resume?.top ?? null));
  }

  /**
   * Comments mostly arrive after a story was first seen: followed stories that /active.json shows with
   * more comments than taken are fetched again, one batch per story so each commit carries its cursor.
   */
  async function* followComments(
    ctx: CollectContext,
    stored: CursorValue | undefined,
    found: FollowedStory[],
    runSeen: Set<string>,
  ): AsyncGenerator<SourceBatch> {
    const now = ctx.now().getTime();
    const merged = new Map(readFollowCursor(stored).map((story) => [story.id, story]));
    for (const story of found) merged.set(story.id, story);
    const list = [...merged.values()]
      .filter((story) => now - story.createdMs <= followMs)
      .sort((a, b) => b.createdMs - a.createdMs)
      .slice(0, maxFollowed);
    const cursor = (): CursorValue => ({ stories: list.map((story) => ({ ...story })) });
    const empty = { queryKey: COMMENTS_KEY, posts: [], events: [], rejected: [], fetched: 0 };
    if (list.length === 0) {
      if (stored !== undefined || found.length > 0) yield { ...empty, cursor: cursor() };
      return;
    }
    const active = await client.storyPage('active', 1, ctx.signal);
    const counts = new Map<string, number>();
    for (const raw of active) {
      const mapped = mapStory(raw);
      if (mapped.kind === 'post') counts.set(mapped.shortId, mapped.post.comments ?? 0);
    }
    let yielded = false;
    for (const story of list) {
      const current = counts.get(story.id);
      if (current === undefined || current <= story.count) continue;
      const fetched = await client.storyWithComments(story.id, ctx.signal);
      const batch = { posts: [] as NormalizedPost[], rejected: [] as Rejection[] };
      story.lastMs = takeComments(fetched.comments, story.id, story.lastMs, runSeen, batch);
      story.count = current;
      yielded = true;
      yield {
        queryKey: COMMENTS_KEY,
        posts: batch.posts,
        events: [],
        rejected: batch.rejected,
        fetched: fetched.comments.length,
        cursor: cursor(),
      };
    }
    if (!yielded) yield { ...empty, cursor: cursor() };
  }

  async function* backfillFeed(
    ctx: CollectContext,
    feed: string,
    window: { since: Date; until: Date },
    stored: CursorValue | undefined,
    matcher: TermMatcher,
    runSeen: Set<string>,
    share: Share,
  ): AsyncGenerator<SourceBatch> {
    const queryKey = `backfill:${feed}`;
    const since = window.since.getTime();
    const until = window.until.getTime();
    const resumed = readPagedBackfillCursor(stored, window.since.toISOString(), window.until.toISOString());
    if (resumed?.done) return;
    for (let page = resumed?.page ?? 1; ; page++) {
      const result = await readPage(ctx, feed, page, matcher, runSeen, (ms) => ms >= since && ms < until, null);
      const done = result.empty || (result.oldestMs !== null && result.oldestMs < since);
      const cursor = { since: window.since.toISOString(), until: window.until.toISOString(), page: page + 1, done };
      yield toBatch(queryKey, result, cursor, computeProgress(share, { since, until }, result.oldestMs, done));
      if (done) return;
    }
  }

  return {
    name: 'lobsters',
    skipReason: () => userAgentProblem,
    probeUrls: () => [options.baseUrl],

    async *poll(ctx, cursors) {
      const matcher = createTermMatcher(ctx.terms);
      const runSeen = new Set<string>();
      const followed: FollowedStory[] = [];
      for (const feed of feeds) {
        if (ctx.signal.aborted) return;
        yield* pollFeed(ctx, feed, readPollCursor(cursors.get(feed)), matcher, runSeen, followed);
      }
      if (fetchComments && !ctx.signal.aborted) yield* followComments(ctx, cursors.get(COMMENTS_KEY), followed, runSeen);
    },

    async *backfill(ctx, window, cursors) {
      const matcher = createTermMatcher(ctx.terms);
      const runSeen = new Set<string>();
      for (const [index, feed] of feeds.entries()) {
        if (ctx.signal.aborted) return;
        yield* backfillFeed(ctx, feed, window, cursors.get(`backfill:${feed}`), matcher, runSeen, { index, count: feeds.length });
      }
    },
  };
}

function pickNewerMark(found: Mark | null, hwm: Mark | null): Mark | null {
  if (!found) return hwm;
  if (!hwm || found.ms > hwm.ms) return found;
  return found.ms === hwm.ms ? { ms: hwm.ms, ids: [...new Set([...hwm.ids, ...found.ids])] } : hwm;
}

function serializeCursor(cursor: LobstersPollCursor): CursorValue {
  return writePagedPollCursor(cursor, (mark) => ({ ms: mark.ms, ids: mark.ids }));
}

function readMark(value: CursorValue | undefined): Mark | null {
  if (!isCursorObject(value)) return null;
  const { ms, ids } = value;
  if (typeof ms !== 'number' || !Array.isArray(ids)) return null;
  return { ms, ids: ids.filter((id): id is string => typeof id === 'string') };
}

function readPollCursor(value: CursorValue | undefined): LobstersPollCursor {
  return readPagedPollCursor(value, readMark);
}

function readFollowCursor(value: CursorValue | undefined): FollowedStory[] {
  if (!isCursorObject(value) || !Array.isArray(value.stories)) return [];
  return value.stories.flatMap((entry) => {
    if (!isCursorObject(entry)) return [];
    const { id, createdMs, count, lastMs } = entry;
    return typeof id === 'string' && typeof createdMs === 'number' && typeof count === 'number' && typeof lastMs === 'number'
      ? [{ id, createdMs, count, lastMs }]
      : [];
  });
}
