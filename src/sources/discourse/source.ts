import type { NormalizedPost } from '../../core/post.ts';
import { computeProgress, resumeThenWalk, runEachTarget, toBatch, type Share } from '../batching.ts';
import { isCursorObject, readWindowCursor } from '../cursor.ts';
import { UpstreamError } from '../http.ts';
import { createTermMatcher, type TermMatcher } from '../terms.ts';
import type { CollectContext, CursorValue, Rejection, Source, SourceBatch } from '../types.ts';
import { DiscourseClient, type DiscourseClientOptions, type DiscourseForum } from './client.ts';
import { mapDiscoursePost, readPostId } from './mapper.ts';
import { backfillSearchPhrase, buildSearchQueries, pollSearchPhrase, readSearchCursor } from './search-mode.ts';

export interface DiscourseSourceOptions extends DiscourseClientOptions {
  forums: Array<string | DiscourseForum>;
  /** Pages of /posts.json one forum may read in one poll; an unfinished walk resumes next time. */
  maxPagesPerPoll?: number;
  /** How far back the first poll of a forum reaches. */
  initialLookbackMs?: number;
}

/**
 * `hwm`: every post with a larger id up to the last finished walk has been seen. `walk`: a walk down
 * from post `top` whose next request is `before` (inclusive, as Discourse reads it) and ends at `hwm`.
 */
export interface DiscoursePollCursor {
  hwm: number | null;
  walk: { top: number; before: number } | null;
}

interface PageResult {
  posts: NormalizedPost[];
  rejected: Rejection[];
  fetched: number;
  ids: number[];
  oldest: Date | null;
}

const DAY_MS = 86_400_000;

export function createDiscourseSource(options: DiscourseSourceOptions): Source {
  const forums = options.forums.map((forum) => (typeof forum === 'string' ? { url: forum } : forum));
  const clients = forums.map((forum) => new DiscourseClient(forum, options));
  const maxPages = options.maxPagesPerPoll ?? 20;
  const searchForums = new Set(forums.filter((forum) => forum.mode === 'search').map((forum) => forum.url));

  /**
   * Runs the /posts.json walk; when the forum refuses it (403/404) before anything was yielded, the
   * forum switches to search mode for the life of this source and the search walk runs instead.
   */
  async function* withSearchFallback(
    ctx: CollectContext,
    client: DiscourseClient,
    latest: () => AsyncGenerator<SourceBatch>,
    search: () => AsyncGenerator<SourceBatch>,
  ): AsyncGenerator<SourceBatch> {
    if (!searchForums.has(client.forum.url)) {
      let yielded = false;
      try {
        for await (const batch of latest()) {
          yielded = true;
          yield batch;
        }
        return;
      } catch (error) {
        const refused = error instanceof UpstreamError && (error.status === 403 || error.status === 404);
        if (yielded || !refused) throw error;
        searchForums.add(client.forum.url);
        ctx.log.warn({ forum: client.forum.url, status: error.status }, '/posts.json refused; using search for this forum');
      }
    }
    yield* search();
  }
  const lookbackMs = options.initialLookbackMs ?? DAY_MS;

  function mapPage(
    items: unknown[],
    forumUrl: string,
    matcher: TermMatcher,
    runSeen: Set<string>,
    keep: (id: number, createdAt: Date | null) => boolean,
  ): PageResult {
    const result: PageResult = { posts: [], rejected: [], fetched: items.length, ids: [], oldest: null };
    for (const raw of items) {
      const id = readPostId(raw);
      if (id !== null) result.ids.push(id);
      const mapped = mapDiscoursePost(raw, forumUrl);
      if (mapped.kind === 'rejected') {
        if (id === null || keep(id, null)) result.rejected.push(mapped.rejection);
        continue;
      }
      if (mapped.kind === 'dropped') continue;
      const { post } = mapped;
      if (!result.oldest || post.createdAt < result.oldest) result.oldest = post.createdAt;
      if (!keep(mapped.id, post.createdAt) || runSeen.has(post.externalId)) continue;
      if (matcher.match(`${mapped.topicTitle}\n${post.body}`).length === 0) continue;
      runSeen.add(post.externalId);
      result.posts.push(post);
    }
    return result;
  }

  async function* pollForum(
    ctx: CollectContext,
    client: DiscourseClient,
    stored: DiscoursePollCursor,
    matcher: TermMatcher,
    runSeen: Set<string>,
  ): AsyncGenerator<SourceBatch> {
    const queryKey = `forum:${client.forum.url}`;
    const lookbackStart = new Date(ctx.now().getTime() - lookbackMs);
    let pages = 0;

    /** Walks down from `before` until it meets `hwm` (or the lookback); false when the page budget ran out first. */
    async function* descend(
      start: { before: number | null; top: number | null },
      hwm: number | null,
    ): AsyncGenerator<SourceBatch, boolean> {
      let { before, top } = start;
      for (;;) {
        if (pages >= maxPages) return false;
        const page = await client.latestPosts(before, ctx.signal);
        pages++;
        const keep = (id: number, createdAt: Date | null): boolean =>
          hwm !== null ? id > hwm : createdAt === null || createdAt >= lookbackStart;
        const result = mapPage(page.latest_posts, client.forum.url, matcher, runSeen, keep);
        const minId = result.ids.length > 0 ? Math.min(...result.ids) : null;
        top ??= Math.max(hwm ?? 0, ...result.ids) || null;
        const reachedEnd =
          minId === null || minId <= 1 || (hwm !== null ? minId <= hwm : result.oldest !== null && result.oldest < lookbackStart);
        const cursor: DiscoursePollCursor =
          reachedEnd || top === null ? { hwm: top, walk: null } : { hwm, walk: { top, before: minId - 1 } };
        yield toBatch(queryKey, result, { ...cursor });
        if (reachedEnd) return true;
        before = minId - 1;
      }
    }

    yield* resumeThenWalk(stored, (resume, hwm) => descend({ before: resume?.before ?? null, top: resume?.top ?? null }, hwm));
  }

  async function* backfillForum(
    ctx: CollectContext,
    client: DiscourseClient,
    window: { since: Date; until: Date },
    stored: CursorValue | undefined,
    matcher: TermMatcher,
    runSeen: Set<string>,
    share: Share,
  ): AsyncGenerator<SourceBatch> {
    const queryKey = `backfill:forum:${client.forum.url}`;
    const since = window.since.toISOString();
    const until = window.until.toISOString();
    const resumed = readBackfillCursor(stored, since, until);
    if (resumed?.done) return;
    let before = resumed?.before ?? null;
    const range = { since: window.since.getTime(), until: window.until.getTime() };
    for (;;) {
      const page = await client.latestPosts(before, ctx.signal);
      const keep = (_id: number, createdAt: Date | null): boolean =>
        createdAt === null || (createdAt >= window.since && createdAt < window.until);
      const result = mapPage(page.latest_posts, client.forum.url, matcher, runSeen, keep);
      const minId = result.ids.length > 0 ? Math.min(...result.ids) : null;
      const done = minId === null || minId <= 1 || (result.oldest !== null && result.oldest < window.since);
      const cursor = { since, until, before: minId === null ? before : minId - 1, done };
      yield toBatch(queryKey, result, cursor, computeProgress(share, range, result.oldest?.getTime() ?? null, done));
      if (done) return;
      before = minId - 1;
    }
  }

  /** Forums are independent sites: each is tried, and the failures are thrown together at the end. */
  const eachForum = (ctx: CollectContext, run: (client: DiscourseClient, index: number) => AsyncGenerator<SourceBatch>) =>
    runEachTarget(ctx, clients, (client) => client.forum.url, { one: 'forum', many: 'forums', source: 'discourse' }, run);

  return {
    name: 'discourse',
    skipReason: () => (forums.length === 0 ? 'no Discourse forums configured' : null),
    probeUrls: () => forums.map((forum) => forum.url),

    poll(ctx, cursors) {
      const matcher = createTermMatcher(ctx.terms);
      const runSeen = new Set<string>();
      return eachForum(ctx, (client) =>
        withSearchFallback(
          ctx,
          client,
          () => pollForum(ctx, client, readPollCursor(cursors.get(`forum:${client.forum.url}`)), matcher, runSeen),
          async function* () {
            for (const query of buildSearchQueries(client.forum.url, ctx.terms)) {
              yield* pollSearchPhrase(ctx, client, query, readSearchCursor(cursors.get(query.queryKey)), maxPages, lookbackMs, runSeen);
            }
          },
        ),
      );
    },

    backfill(ctx, window, cursors) {
      const matcher = createTermMatcher(ctx.terms);
      const runSeen = new Set<string>();
      return eachForum(ctx, (client, index) =>
        withSearchFallback(
          ctx,
          client,
          () =>
            backfillForum(ctx, client, window, cursors.get(`backfill:forum:${client.forum.url}`), matcher, runSeen, {
              index,
              count: clients.length,
            }),
          async function* () {
            const queries = buildSearchQueries(client.forum.url, ctx.terms);
            for (const [phraseIndex, query] of queries.entries()) {
              const share = { index: index * queries.length + phraseIndex, count: clients.length * queries.length };
              yield* backfillSearchPhrase(ctx, client, query, window, cursors.get(`backfill:${query.queryKey}`), runSeen, share);
            }
          },
        ),
      );
    },
  };
}

function readPollCursor(value: CursorValue | undefined): DiscoursePollCursor {
  if (!isCursorObject(value)) return { hwm: null, walk: null };
  const hwm = typeof value.hwm === 'number' ? value.hwm : null;
  const walk = value.walk;
  if (isCursorObject(walk) && typeof walk.top === 'number' && typeof walk.before === 'number') {
    return { hwm, walk: { top: walk.top, before: walk.before } };
  }
  return { hwm, walk: null };
}

function readBackfillCursor(value: CursorValue | undefined, since: string, until: string): { before: number | null; done: boolean } | null {
  const fields = readWindowCursor(value, since, until);
  return fields && { before: typeof fields.before === 'number' ? fields.before : null, done: fields.done === true };
}
