import { z } from 'zod';
import type { NormalizedPost } from '../../core/post.ts';
import { collectPosts, computeProgress, toBatch, type MappedItem } from '../batching.ts';
import { readCursor } from '../cursor.ts';
import { revisitDue, RevisitCursorFields, trimRevisits, type RevisitOptions, type RevisitState, type TreeRead } from '../revisits.ts';
import { UpstreamError } from '../http.ts';
import type { CollectContext, Rejection, Source } from '../types.ts';
import type { DevtoArticle } from './api-types.ts';
import { DevtoClient, type DevtoClientOptions } from './client.ts';
import { describeForMatching, flattenDevtoComments, mapDevtoArticle, parseDevtoArticle, readPublishedS, readTags } from './mapper.ts';
import { compilePhraseMatcher, listPhrases } from '../terms.ts';
import { compileArticleMatcher } from './terms.ts';

/**
 * Revisit defaults: a 72-hour window from publication, 200 articles tracked, trees not read again within
 * 30 minutes, and 5 trees a poll: one request each, plus one for the article's title when a tree holds a
 * comment to keep; about 2-4 s at 3/s.
 */
export interface DevtoSourceOptions extends DevtoClientOptions, RevisitOptions {
  /** Articles per list page (Forem allows up to 1000). */
  perPage?: number;
  firstPollLookbackMs?: number;
  /** A poll reads at most this many list pages; a longer gap is logged and skipped. */
  maxPollPages?: number;
  /** Also read each matching article's comment tree (one request an article) and keep comments naming a term. Default true. */
  fetchComments?: boolean;
}

/**
 * High-water second with the ids published in it, and an unfinished walk. `tracked` (article id to
 * published second) are the articles whose comment trees are read again, and `revisited` when each tree
 * was last read or tried (none: never read, so it goes first).
 */
const DevtoPollCursor = z.object({
  hw: z.number().int(),
  hwIds: z.array(z.string()),
  walk: z.object({ page: z.number().int().positive(), top: z.number().int(), topIds: z.array(z.string()) }).nullable(),
  ...RevisitCursorFields,
});
type DevtoPollCursor = z.infer<typeof DevtoPollCursor>;
const DevtoBackfillCursor = z.object({ page: z.number().int().positive(), oldest: z.number().int(), done: z.boolean() });
type DevtoBackfillCursor = z.infer<typeof DevtoBackfillCursor>;

/** One feed serves every term, so there is one cursor. */
export const DEVTO_QUERY_KEY = 'articles:latest';

export function toDevtoBackfillKey(window: { since: Date; until: Date }): string {
  return `backfill:${window.since.toISOString()}..${window.until.toISOString()}:articles`;
}

interface Run {
  ctx: CollectContext;
  seenIds: Set<string>;
  matches: (text: string, tags: readonly string[]) => boolean;
  /** True when a comment body names any tracked term. */
  mentions: (text: string) => boolean;
}

interface Fetched {
  posts: NormalizedPost[];
  rejected: Rejection[];
  /** Comments read from the trees, kept or not. */
  comments: number;
  /** Articles whose tree was read, or had no comments to read. */
  read: string[];
}

function newRun(ctx: CollectContext): Run {
  const phrases = listPhrases(ctx.terms);
  return { ctx, seenIds: new Set(), matches: compileArticleMatcher(phrases), mentions: compilePhraseMatcher(phrases) };
}

export function createDevtoSource(options: DevtoSourceOptions): Source {
  const client = new DevtoClient(options);
  const perPage = Math.min(1000, Math.max(1, options.perPage ?? 100));
  const lookbackS = Math.floor((options.firstPollLookbackMs ?? 24 * 3600_000) / 1000);
  const maxPollPages = options.maxPollPages ?? 50;

  const fetchComments = options.fetchComments ?? true;
  const revisitWindowS = Math.floor((options.revisitWindowMs ?? 72 * 3600_000) / 1000);
  const maxTracked = Math.max(0, Math.floor(options.maxTracked ?? 200));
  const revisitsPerPoll = Math.max(0, Math.floor(options.revisitsPerPoll ?? 5));
  const revisitAfterS = Math.max(0, Math.floor((options.revisitAfterMs ?? 30 * 60_000) / 1000));
  const revisiting = fetchComments && maxTracked > 0 && revisitsPerPoll > 0;

  /**
   * Full text only for the articles that mention a term: one extra request each, inside the 3/s budget;
   * then their comments naming a term, after the articles so they commit with the same cursor.
   */
  async function fetchPosts(run: Run, wanted: DevtoArticle[]): Promise<Fetched> {
    const posts: NormalizedPost[] = [];
    const rejected: Rejection[] = [];
    for (const listed of wanted) {
      const id = String(listed.id);
      if (run.seenIds.has(id)) continue;
      const raw = await client.getArticle(listed.id, run.ctx.signal);
      if (raw === null) {
        run.ctx.log.debug({ id }, 'article gone before its full text was fetched');
        continue;
      }
      const full = parseDevtoArticle(raw);
      if (full.kind === 'rejected') {
        rejected.push(full.rejection);
        continue;
      }
      run.seenIds.add(id);
      posts.push(mapDevtoArticle(full.article));
    }
    const found = fetchComments ? await collectComments(run, posts) : { posts: [], rejected: [], comments: 0, read: [] };
    return { posts: [...posts, ...found.posts], rejected: [...rejected, ...found.rejected], comments: found.comments, read: found.read };
  }

  /** Comments naming a term under each new article; an article whose tree failed is kept (and is not in `read`). */
  async function collectComments(run: Run, articles: readonly NormalizedPost[]): Promise<Fetched> {
    const found: Fetched = { posts: [], rejected: [], comments: 0, read: [] };
    for (const article of articles) {
      if (article.comments !== 0) {
        const tree = await readTree(run, article.externalId, article.title, 'first read');
        if (tree.kind !== 'read') continue;
        found.posts.push(...tree.posts);
        found.rejected.push(...tree.rejected);
        found.comments += tree.fetched;
      }
      found.read.push(article.externalId);
    }
    return found;
  }

  /**
   * The comments naming a term in one article's tree, best effort: a failure is logged, never thrown (only
   * an abort ends the run). A revisit knows no title; the article is fetched for it only when a comment is kept.
   */
  async function readTree(
    run: Run,
    articleId: string,
    title: string | null | undefined,
    stage: 'first read' | 'revisit',
  ): Promise<TreeRead> {
    const fail = (error: unknown, what: string): TreeRead => {
      if (run.ctx.signal.aborted) throw error;
      const gone = error instanceof UpstreamError && error.status === 404;
      const next =
        stage === 'first read'
          ? 'keeping the article without its comments'
          : gone
            ? 'the article is gone; no longer revisited'
            : 'moving on to the next tracked article';
      run.ctx.log.warn(
        { article: articleId, stage, err: error instanceof Error ? error.message : String(error) },
        `Dev.to ${what} request failed; ${next}`,
      );
      return { kind: gone ? 'gone' : 'failed' };
    };
    let roots: unknown[];
    try {
      roots = await client.listComments(Number(articleId), run.ctx.signal);
    } catch (error) {
      return fail(error, 'comments');
    }
    const mentioning = (items: MappedItem[]) => items.filter((item) => item.kind !== 'post' || run.mentions(item.post.body));
    let items = flattenDevtoComments(roots, { externalId: articleId, title: title ?? null });
    if (title === undefined && mentioning(items).some((item) => item.kind === 'post' && !run.seenIds.has(item.post.externalId))) {
      let raw: unknown;
      try {
        raw = await client.getArticle(Number(articleId), run.ctx.signal);
      } catch (error) {
        return fail(error, 'article');
      }
      if (raw === null)
        return fail(
          new UpstreamError('HTTP 404: article gone', { status: 404, url: `/articles/${articleId}`, retryable: false }),
          'article',
        );
      const parsed = parseDevtoArticle(raw);
      const known = parsed.kind === 'article' ? mapDevtoArticle(parsed.article).title : null;
      items = flattenDevtoComments(roots, { externalId: articleId, title: known });
    }
    return { kind: 'read', ...collectPosts(mentioning(items), run.seenIds), fetched: items.length };
  }

  function select(run: Run, raws: unknown[]) {
    const articles: DevtoArticle[] = [];
    const rejected: Rejection[] = [];
    for (const raw of raws) {
      const parsed = parseDevtoArticle(raw);
      if (parsed.kind === 'rejected') rejected.push(parsed.rejection);
      else articles.push(parsed.article);
    }
    const isWanted = (a: DevtoArticle) => run.matches(describeForMatching(a), readTags(a));
    return { articles, rejected, isWanted };
  }

  return {
    name: 'devto',
    skipReason: () => null,
    probeUrls: () => [options.baseUrl],

    async *poll(ctx, cursors) {
      const run = newRun(ctx);
      if (ctx.terms.length === 0) return;
      const nowS = Math.floor(ctx.now().getTime() / 1000);
      const cursor: DevtoPollCursor = readCursor(DevtoPollCursor, cursors.get(DEVTO_QUERY_KEY), ctx, DEVTO_QUERY_KEY) ?? {
        hw: nowS - lookbackS,
        hwIds: [],
        walk: null,
        tracked: {},
        revisited: {},
      };
      let watch: RevisitState = revisiting ? trimRevisits(cursor, nowS - revisitWindowS, maxTracked) : { tracked: {}, revisited: {} };
      const readThisPoll = new Set<string>();
      const stale = new Set(cursor.hwIds);
      let top = cursor.walk?.top ?? cursor.hw;
      let topIds = cursor.walk?.topIds ?? cursor.hwIds;
      for (let page = cursor.walk?.page ?? 1; ; page++) {
        const raws = await client.listLatest(page, perPage, ctx.signal);
        const { articles, rejected, isWanted } = select(run, raws);
        let reachedOld = false;
        const fresh = articles.filter((a) => {
          const s = readPublishedS(a);
          if (s < cursor.hw) reachedOld = true;
          return s > cursor.hw || (s === cursor.hw && !stale.has(String(a.id)));
        });
        for (const a of fresh) {
          const s = readPublishedS(a);
          if (s > top) {
            top = s;
            topIds = [String(a.id)];
          } else if (s === top && !topIds.includes(String(a.id))) topIds = [...topIds, String(a.id)];
        }
        const wanted = fresh.filter(isWanted);
        const { posts, rejected: late, comments, read } = await fetchPosts(run, wanted);
        if (revisiting) {
          const tracked = { ...watch.tracked };
          const revisited = { ...watch.revisited };
          for (const post of posts) {
            if (post.parentId !== null) continue;
            tracked[post.externalId] = Math.floor(post.createdAt.getTime() / 1000);
            readThisPoll.add(post.externalId);
          }
          for (const id of read) revisited[id] = nowS;
          watch = trimRevisits({ tracked, revisited }, nowS - revisitWindowS, maxTracked);
        }
        // Only an empty page ends the feed: an instance may cap per_page below what was asked.
        const exhausted = raws.length === 0;
        const capped = !reachedOld && !exhausted && page >= maxPollPages;
        if (capped)
          ctx.log.warn(
            { pages: page, since: new Date(cursor.hw * 1000).toISOString() },
            'Dev.to poll hit its page limit before the last high-water mark; the rest of the gap is skipped',
          );
        const done = reachedOld || exhausted || capped;
        const next: DevtoPollCursor = done
          ? { hw: top, hwIds: topIds, walk: null, ...watch }
          : { hw: cursor.hw, hwIds: cursor.hwIds, walk: { page: page + 1, top, topIds }, ...watch };
        yield {
          queryKey: DEVTO_QUERY_KEY,
          posts,
          events: [],
          rejected: [...rejected, ...late],
          fetched: rejected.length + wanted.length + comments,
          cursor: next,
        };
        if (done) {
          const round = revisiting
            ? await revisitDue(
                next,
                readThisPoll,
                Math.floor(ctx.now().getTime() / 1000),
                { afterS: revisitAfterS, perPoll: revisitsPerPoll },
                (id) => readTree(run, id, undefined, 'revisit'),
              )
            : null;
          if (round) yield toBatch(DEVTO_QUERY_KEY, round.found, round.cursor);
          return;
        }
      }
    },

    async *backfill(ctx, window, cursors) {
      const run = newRun(ctx);
      if (ctx.terms.length === 0) return;
      const queryKey = toDevtoBackfillKey(window);
      const sinceS = Math.floor(window.since.getTime() / 1000);
      const untilS = Math.ceil(window.until.getTime() / 1000);
      let cursor: DevtoBackfillCursor = readCursor(DevtoBackfillCursor, cursors.get(queryKey), ctx, queryKey) ?? {
        page: 1,
        oldest: untilS,
        done: false,
      };
      while (!cursor.done) {
        const raws = await client.listLatest(cursor.page, perPage, ctx.signal);
        const { articles, rejected, isWanted } = select(run, raws);
        let oldest = cursor.oldest;
        let passedStart = false;
        const inWindow = articles.filter((a) => {
          const s = readPublishedS(a);
          if (s < untilS) oldest = Math.min(oldest, s);
          if (s < sinceS) passedStart = true;
          return s >= sinceS && s < untilS;
        });
        const wanted = inWindow.filter(isWanted);
        const { posts, rejected: late, comments } = await fetchPosts(run, wanted);
        const done = passedStart || raws.length === 0;
        cursor = { page: cursor.page + 1, oldest, done };
        const progress = computeProgress({ index: 0, count: 1 }, { since: sinceS, until: untilS }, oldest, done);
        yield {
          queryKey,
          posts,
          events: [],
          rejected: [...rejected, ...late],
          fetched: rejected.length + wanted.length + comments,
          cursor,
          progress,
        };
      }
    },
  };
}
