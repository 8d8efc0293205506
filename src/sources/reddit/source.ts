import { z } from 'zod';
import type { NormalizedPost } from '../../core/post.ts';
import { collectPosts, computeProgress, toBatch } from '../batching.ts';
import { IdTimes, keepSince, readCursor } from '../cursor.ts';
import { UpstreamError } from '../http.ts';
import { revisitDue, RevisitCursorFields, trimRevisits, type RevisitOptions, type TreeRead } from '../revisits.ts';
import { compilePhraseMatcher, listPhrases } from '../terms.ts';
import type {
  BackfillWindow,
  CollectContext,
  CursorValue,
  Rejection,
  SearchTerm,
  Source,
  SourceBatch,
  SourceHttpOptions,
} from '../types.ts';
import { REDDIT_OAUTH_URL, RedditClient, type TimeFilter } from './client.ts';
import { flattenRedditComments, mapRedditThing } from './mapper.ts';

/**
 * Revisit defaults: a 48-hour window, 200 posts tracked per query, trees not read again within 10
 * minutes, and 3 trees per query and poll with OAuth (about 2 s a query at 100/min) but none
 * anonymously, where 10/min leaves no room.
 */
export interface RedditSourceOptions extends SourceHttpOptions, RevisitOptions {
  /** App-only OAuth; without both, anonymous `.json` is tried as best effort (10/min, may get 403). */
  clientId?: string | null;
  clientSecret?: string | null;
  oauthBaseUrl?: string;
  /** Search only these subreddits; empty searches all of Reddit. */
  subreddits?: string[];
  /** Listing page size (max 100). */
  limit?: number;
  firstPollLookbackMs?: number;
  /** Each poll reads this far below its high-water mark for posts the search index took late. */
  overlapMs?: number;
  /** On poll, also read each new post's comment tree (one request a post) and keep comments naming a term. Default true. */
  fetchComments?: boolean;
}

/**
 * High-water second, the ids (with their seconds) stored inside the overlap below it, and an unfinished
 * walk. Polls read down into the overlap because search indexing lags; `recent` keeps repeats out.
 * `tracked` (post id to created second) are the posts whose comment trees are read again, and
 * `revisited` when each tree was last read or tried (none: never read, so it goes first).
 */
const RedditPollCursor = z.object({
  hw: z.number().int(),
  recent: IdTimes,
  walk: z.object({ after: z.string(), top: z.number().int(), added: IdTimes }).nullable(),
  ...RevisitCursorFields,
});
type RedditPollCursor = z.infer<typeof RedditPollCursor>;
const RedditBackfillCursor = z.object({ after: z.string().nullable(), oldest: z.number().int(), done: z.boolean() });
type RedditBackfillCursor = z.infer<typeof RedditBackfillCursor>;

/** Reddit stops every listing, search included, at about this many items. */
export const REDDIT_LISTING_CAP = 1000;
/** Reddit's query length limit; longer OR-lists are cut to the phrases that fit. */
const MAX_QUERY_LENGTH = 512;

export function toRedditQueryKey(term: SearchTerm): string {
  return `search:${term.slug}`;
}

export function toRedditBackfillKey(term: SearchTerm, window: BackfillWindow): string {
  return `backfill:${window.since.toISOString()}..${window.until.toISOString()}:${term.slug}`;
}

/** One search per term: its phrases quoted and OR-ed. */
export function buildRedditQuery(term: SearchTerm): string {
  const quoted = [...new Set(term.phrases.map((p) => p.replace(/"/g, ' ').trim().replace(/\s+/g, ' ').toLowerCase()).filter(Boolean))].map(
    (p) => `"${p}"`,
  );
  let query = '';
  for (const phrase of quoted) {
    const next = query ? `${query} OR ${phrase}` : phrase;
    if (next.length > MAX_QUERY_LENGTH) break;
    query = next;
  }
  return query;
}

/** The narrowest `t=` window that still reaches back `ageS` seconds (with five minutes to spare). */
export function chooseTimeFilter(ageS: number): TimeFilter {
  const age = ageS + 300;
  if (age <= 3600) return 'hour';
  if (age <= 86_400) return 'day';
  if (age <= 7 * 86_400) return 'week';
  if (age <= 28 * 86_400) return 'month';
  if (age <= 365 * 86_400) return 'year';
  return 'all';
}

interface Run {
  ctx: CollectContext;
  seenIds: Set<string>;
  /** True when a comment body names any tracked term. */
  mentionsTerm: (text: string) => boolean;
}

interface CommentYield {
  posts: NormalizedPost[];
  rejected: Rejection[];
  fetched: number;
  /** Posts whose tree was read, or had no comments to read. */
  read: string[];
}

export function createRedditSource(options: RedditSourceOptions): Source {
  const client = new RedditClient({
    ...options,
    clientId: options.clientId || null,
    clientSecret: options.clientSecret || null,
    oauthBaseUrl: options.oauthBaseUrl ?? REDDIT_OAUTH_URL,
  });
  const subreddits = options.subreddits ?? [];
  const limit = Math.min(100, Math.max(1, options.limit ?? 100));
  const lookbackS = Math.floor((options.firstPollLookbackMs ?? 24 * 3600_000) / 1000);
  const overlapS = Math.max(0, Math.floor((options.overlapMs ?? 10 * 60_000) / 1000));
  const fetchComments = options.fetchComments ?? true;
  const revisitWindowS = Math.floor((options.revisitWindowMs ?? 48 * 3600_000) / 1000);
  const maxTracked = Math.max(0, Math.floor(options.maxTracked ?? 200));
  const revisitsPerPoll = Math.max(0, Math.floor(options.revisitsPerPoll ?? (client.authenticated ? 3 : 0)));
  const revisitAfterS = Math.max(0, Math.floor((options.revisitAfterMs ?? 10 * 60_000) / 1000));
  const revisiting = fetchComments && maxTracked > 0 && revisitsPerPoll > 0;

  /**
   * The comments naming a term in the tree of post `postId` (`t3_...`), best effort: a failure is logged,
   * never thrown. Only the first `limit=100` of a tree are read; `more` stubs are not expanded.
   */
  async function readTree(
    run: Run,
    queryKey: string,
    postId: string,
    title: string | null,
    stage: 'first read' | 'revisit',
  ): Promise<TreeRead> {
    let tree;
    try {
      const [head, comments] = await client.getComments(postId.slice(3), run.ctx.signal);
      const post = head.data.children.map(mapRedditThing).find((r) => r.kind === 'post');
      tree = flattenRedditComments(comments, title ?? (post?.kind === 'post' ? post.post.title : null));
    } catch (error) {
      if (run.ctx.signal.aborted) throw error;
      const gone = error instanceof UpstreamError && error.status === 404;
      const next =
        stage === 'first read'
          ? 'keeping the post; its tree is read again on a later poll'
          : gone
            ? 'the post is gone; no longer revisited'
            : 'moving on to the next tracked post';
      run.ctx.log.warn(
        { queryKey, post: postId, stage, err: error instanceof Error ? error.message : String(error) },
        `Reddit comments request failed; ${next}`,
      );
      return { kind: gone ? 'gone' : 'failed' };
    }
    if (tree.moreStubs > 0) {
      run.ctx.log.debug(
        { queryKey, post: postId, stubs: tree.moreStubs, ids: tree.moreIds },
        'Reddit comment tree truncated by "more" stubs; those branches are not fetched',
      );
    }
    const mentioning = tree.items.filter((r) => r.kind !== 'post' || run.mentionsTerm(r.post.body));
    return { kind: 'read', ...collectPosts(mentioning, run.seenIds), fetched: tree.items.length };
  }

  /** Comments naming a term under each new post; a post whose tree failed still lands (and is not in `read`). */
  async function collectComments(run: Run, queryKey: string, posts: readonly NormalizedPost[]): Promise<CommentYield> {
    const found: CommentYield = { posts: [], rejected: [], fetched: 0, read: [] };
    for (const post of posts) {
      if (!post.externalId.startsWith('t3_')) continue;
      if (post.comments === 0) {
        found.read.push(post.externalId);
        continue;
      }
      const tree = await readTree(run, queryKey, post.externalId, post.title, 'first read');
      if (tree.kind !== 'read') continue;
      found.read.push(post.externalId);
      found.fetched += tree.fetched;
      found.posts.push(...tree.posts);
      found.rejected.push(...tree.rejected);
    }
    return found;
  }

  /** Newest first via `after`; stops at the first item older than the overlap below the high-water second. */
  async function* pollTerm(run: Run, term: SearchTerm, stored: CursorValue | undefined): AsyncGenerator<SourceBatch> {
    const queryKey = toRedditQueryKey(term);
    const q = buildRedditQuery(term);
    if (!q) return;
    const nowS = Math.floor(run.ctx.now().getTime() / 1000);
    const cursor: RedditPollCursor = readCursor(RedditPollCursor, stored, run.ctx, queryKey) ?? {
      hw: nowS - lookbackS,
      recent: {},
      walk: null,
      tracked: {},
      revisited: {},
    };
    let watch = revisiting ? trimRevisits(cursor, nowS - revisitWindowS, maxTracked) : { tracked: {}, revisited: {} };
    const readThisPoll = new Set<string>();
    let last: RedditPollCursor | null = null;
    const lower = cursor.hw - overlapS;
    let top = cursor.walk?.top ?? cursor.hw;
    let added: IdTimes = cursor.walk?.added ?? {};
    let after = cursor.walk?.after ?? null;
    const t = chooseTimeFilter(nowS - lower);
    let resuming = after !== null;
    for (let fetched = 0; ;) {
      const listing = await client.search({ q, t, after, limit, subreddits, signal: run.ctx.signal });
      if (resuming && listing.data.children.length === 0) {
        // The stored `after` post vanished (deleted) and the listing ends there; walk again from the top.
        run.ctx.log.warn({ queryKey, after }, 'stored Reddit page anchor returned nothing; restarting this walk from the newest post');
        resuming = false;
        after = null;
        continue;
      }
      resuming = false;
      const mapped = listing.data.children.map(mapRedditThing);
      fetched += mapped.length;
      let reachedOld = false;
      const kept = mapped.filter((r) => {
        if (r.kind === 'rejected') return true;
        if (r.createdAtS < lower) {
          reachedOld = true;
          return false;
        }
        return !Object.hasOwn(cursor.recent, r.kind === 'post' ? r.post.externalId : r.externalId);
      });
      for (const r of kept) {
        if (r.kind === 'rejected') continue;
        top = Math.max(top, r.createdAtS);
        added[r.kind === 'post' ? r.post.externalId : r.externalId] = r.createdAtS;
      }
      added = keepSince(added, top - overlapS);
      after = listing.data.after;
      const done = reachedOld || after === null || mapped.length === 0;
      if (done && !reachedOld && fetched >= REDDIT_LISTING_CAP) {
        run.ctx.log.warn(
          { queryKey, fetched },
          'Reddit listing ended at its ~1,000-item cap before reaching the last poll; older posts in the gap are unreachable',
        );
      }
      const { posts, rejected } = collectPosts(kept, run.seenIds);
      // Comments ride in their post's batch, so the cursor never passes a post whose comments are unstored.
      const comments = fetchComments ? await collectComments(run, queryKey, posts) : { posts: [], rejected: [], fetched: 0, read: [] };
      if (revisiting) {
        const tracked = { ...watch.tracked };
        const revisited = { ...watch.revisited };
        for (const post of posts) {
          if (!post.externalId.startsWith('t3_')) continue;
          tracked[post.externalId] = Math.floor(post.createdAt.getTime() / 1000);
          readThisPoll.add(post.externalId);
        }
        for (const id of comments.read) revisited[id] = nowS;
        watch = trimRevisits({ tracked, revisited }, nowS - revisitWindowS, maxTracked);
      }
      const next: RedditPollCursor = done
        ? { hw: top, recent: keepSince({ ...cursor.recent, ...added }, top - overlapS), walk: null, ...watch }
        : { hw: cursor.hw, recent: cursor.recent, walk: { after: after as string, top, added }, ...watch };
      last = next;
      yield {
        queryKey,
        posts: [...posts, ...comments.posts],
        events: [],
        rejected: [...rejected, ...comments.rejected],
        fetched: kept.length + comments.fetched,
        cursor: next,
      };
      if (done) break;
    }
    if (!revisiting || !last) return;
    const revisitS = Math.floor(run.ctx.now().getTime() / 1000);
    const round = await revisitDue(last, readThisPoll, revisitS, { afterS: revisitAfterS, perPoll: revisitsPerPoll }, (id) =>
      readTree(run, queryKey, id, null, 'revisit'),
    );
    if (round) yield toBatch(queryKey, round.found, round.cursor);
  }

  return {
    name: 'reddit',
    skipReason: () => null,
    probeUrls: () => [options.baseUrl],

    async *poll(ctx, cursors) {
      if (!client.authenticated)
        ctx.log.info({ source: 'reddit' }, 'no REDDIT_CLIENT_ID/SECRET: trying anonymous .json at 10/min (Reddit may answer 403)');
      const run: Run = { ctx, seenIds: new Set(), mentionsTerm: compilePhraseMatcher(listPhrases(ctx.terms)) };
      for (const term of ctx.terms) yield* pollTerm(run, term, cursors.get(toRedditQueryKey(term)));
    },

    async *backfill(ctx, window, cursors) {
      const run: Run = { ctx, seenIds: new Set(), mentionsTerm: () => false };
      const sinceS = Math.floor(window.since.getTime() / 1000);
      const untilS = Math.ceil(window.until.getTime() / 1000);
      const t = chooseTimeFilter(Math.floor(ctx.now().getTime() / 1000) - sinceS);
      const terms = ctx.terms.filter((term) => buildRedditQuery(term) !== '');
      ctx.log.info(
        { source: 'reddit', cap: REDDIT_LISTING_CAP },
        'Reddit search reaches only the newest ~1,000 posts per query; a backfill cannot go further back than that',
      );
      for (const [index, term] of terms.entries()) {
        const queryKey = toRedditBackfillKey(term, window);
        let cursor: RedditBackfillCursor = readCursor(RedditBackfillCursor, cursors.get(queryKey), ctx, queryKey) ?? {
          after: null,
          oldest: untilS,
          done: false,
        };
        let pages = 0;
        while (!cursor.done) {
          const listing = await client.search({ q: buildRedditQuery(term), t, after: cursor.after, limit, subreddits, signal: ctx.signal });
          pages++;
          const mapped = listing.data.children.map(mapRedditThing);
          let oldest = cursor.oldest;
          let reachedSince = false;
          const kept = mapped.filter((r) => {
            if (r.kind === 'rejected') return true;
            oldest = Math.min(oldest, r.createdAtS);
            if (r.createdAtS < sinceS) reachedSince = true;
            return r.createdAtS >= sinceS && r.createdAtS < untilS;
          });
          const after = listing.data.after;
          const done = reachedSince || after === null || mapped.length === 0;
          if (done && !reachedSince) {
            ctx.log.warn(
              { queryKey, reachedBack: new Date(oldest * 1000).toISOString(), pages },
              'Reddit listing ended at its ~1,000-item cap before the start of the window; older posts are not reachable through the API',
            );
          }
          cursor = { after, oldest, done };
          const { posts, rejected } = collectPosts(kept, run.seenIds);
          yield {
            queryKey,
            posts,
            events: [],
            rejected,
            fetched: kept.length,
            cursor,
            progress: computeProgress({ index, count: terms.length }, { since: sinceS, until: untilS }, oldest, done),
          };
        }
      }
    },
  };
}
