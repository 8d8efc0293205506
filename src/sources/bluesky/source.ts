import { z } from 'zod';
import type { NormalizedPost } from '../../core/post.ts';
import { computeProgress, toBatch, type Share } from '../batching.ts';
import { IdTimes, keepSince, readCursor, readWindowCursor } from '../cursor.ts';
import { rankQuotedPhrases } from '../terms.ts';
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
import { BlueskyClient } from './client.ts';
import { mapPostView } from './mapper.ts';

export interface BlueskySourceOptions extends SourceHttpOptions {
  handle?: string;
  /** An app password (Settings -> App passwords), never the account password. */
  appPassword?: string;
  /** Posts per search page, 1..100. */
  pageLimit?: number;
  /** Search pages one term may read in one poll; an unfinished walk resumes next time. */
  maxPagesPerPoll?: number;
  /** How far back the first poll of a term reaches. */
  initialLookbackMs?: number;
  /** Each poll reads this far below its high-water mark, for posts the search index took late. */
  overlapMs?: number;
}

/** An instant (ISO, ms) and the posts already taken at exactly that instant. */
interface Mark {
  at: string;
  uris: string[];
}

/**
 * Pages are walked newest first by `until` (exclusive) rather than the opaque search cursor, so a
 * stored walk resumes exactly: `until` is the oldest instant reached plus 1 ms, `edge` the posts
 * already taken at that instant. `hwm` is the newest instant of the last finished walk; each walk
 * reads down to `overlapMs` below it, and `recent` (uri -> sortAt ms) holds what was taken inside
 * that overlap so only posts the index took late come through again. `added` collects a walk's own.
 */
const BlueskyPollCursor = z.object({
  hwm: z.string().nullable(),
  recent: IdTimes,
  walk: z.object({ top: z.string(), until: z.string(), edge: z.array(z.string()), added: IdTimes }).nullable(),
});
type BlueskyPollCursor = z.infer<typeof BlueskyPollCursor>;
type Walk = NonNullable<BlueskyPollCursor['walk']>;
type Base = Omit<BlueskyPollCursor, 'walk'>;

interface PageResult {
  posts: NormalizedPost[];
  rejected: Rejection[];
  fetched: number;
  /** Items that passed `skip`, by uri, with their sortAt in ms. */
  taken: IdTimes;
  /** The newest sortAt on the page (ISO). */
  newest: string | null;
  oldest: Mark | null;
  full: boolean;
  more: boolean;
}

const DAY_MS = 86_400_000;

export function createBlueskySource(options: BlueskySourceOptions): Source {
  const missing = !options.handle || !options.appPassword;
  const client = missing ? null : new BlueskyClient({ handle: options.handle ?? '', appPassword: options.appPassword ?? '' }, options);
  const pageLimit = Math.min(100, Math.max(1, options.pageLimit ?? 100));
  const maxPages = options.maxPagesPerPoll ?? 10;
  const lookbackMs = options.initialLookbackMs ?? DAY_MS;
  const overlapMs = Math.max(0, options.overlapMs ?? 10 * 60_000);

  async function readPage(
    ctx: CollectContext,
    api: BlueskyClient,
    q: string,
    range: { since: string; until: string | null },
    skip: (uri: string, at: string) => boolean,
    runSeen: Set<string>,
  ): Promise<PageResult> {
    const response = await api.searchPosts({
      q,
      since: range.since,
      until: range.until ?? undefined,
      limit: pageLimit,
      signal: ctx.signal,
    });
    const result: PageResult = {
      posts: [],
      rejected: [],
      fetched: response.posts.length,
      taken: {},
      newest: null,
      oldest: null,
      full: response.posts.length >= pageLimit,
      more: response.cursor !== undefined,
    };
    for (const raw of response.posts) {
      const mapped = mapPostView(raw);
      if (mapped.sortAt) {
        const at = mapped.sortAt.toISOString();
        const uri =
          mapped.kind === 'post' ? mapped.post.externalId : ((mapped.kind === 'rejected' ? mapped.rejection.externalId : null) ?? '');
        if (result.newest === null || at > result.newest) result.newest = at;
        result.oldest = extendOldest(result.oldest, at, uri);
        if (skip(uri, at)) continue;
        if (uri) result.taken[uri] = mapped.sortAt.getTime();
      }
      if (mapped.kind === 'rejected') result.rejected.push(mapped.rejection);
      if (mapped.kind !== 'post' || runSeen.has(mapped.post.externalId)) continue;
      runSeen.add(mapped.post.externalId);
      result.posts.push(mapped.post);
    }
    return result;
  }

  async function* pollTerm(
    ctx: CollectContext,
    api: BlueskyClient,
    query: { queryKey: string; q: string },
    stored: BlueskyPollCursor,
    runSeen: Set<string>,
  ): AsyncGenerator<SourceBatch> {
    const lookbackStart = new Date(ctx.now().getTime() - lookbackMs).toISOString();
    let pages = 0;

    /** Walks down from `walk` (null: from the newest post) to the overlap below `base.hwm`; null when the page budget ran out. */
    async function* descend(base: Base, walk: Walk | null): AsyncGenerator<SourceBatch, Base | null> {
      const since = base.hwm === null ? lookbackStart : new Date(Date.parse(base.hwm) - overlapMs).toISOString();
      let until = walk?.until ?? null;
      let edge = walk?.edge ?? [];
      let top = walk?.top ?? null;
      let added = walk?.added ?? {};
      for (;;) {
        if (pages >= maxPages) return null;
        const atEdge = new Set(edge);
        const skip = (uri: string, at: string): boolean => atEdge.has(uri) || Object.hasOwn(base.recent, uri) || at < since;
        const result = await readPage(ctx, api, query.q, { since, until }, skip, runSeen);
        pages++;
        top ??= pickLater(result.newest, base.hwm);
        const floor = top === null ? 0 : Date.parse(top) - overlapMs;
        added = keepSince({ ...added, ...result.taken }, floor);
        const nextUntil = result.oldest ? new Date(Date.parse(result.oldest.at) + 1).toISOString() : null;
        const stalled = nextUntil === null || (until !== null && nextUntil >= until);
        const reachedEnd = result.fetched === 0 || (!result.full && !result.more) || stalled;
        if (reachedEnd || top === null || !result.oldest || nextUntil === null) {
          const finished: Base = { hwm: top, recent: keepSince({ ...base.recent, ...added }, floor) };
          yield toBatch(query.queryKey, result, { ...finished, walk: null });
          return finished;
        }
        yield toBatch(query.queryKey, result, { ...base, walk: { top, until: nextUntil, edge: result.oldest.uris, added } });
        until = nextUntil;
        edge = result.oldest.uris;
      }
    }

    let base: Base | null = { hwm: stored.hwm, recent: stored.recent };
    if (stored.walk) base = yield* descend(base, stored.walk);
    if (base) yield* descend(base, null);
  }

  async function* backfillTerm(
    ctx: CollectContext,
    api: BlueskyClient,
    query: { queryKey: string; q: string },
    window: BackfillWindow,
    stored: CursorValue | undefined,
    runSeen: Set<string>,
    share: Share,
  ): AsyncGenerator<SourceBatch> {
    const queryKey = `backfill:${query.queryKey}`;
    const since = window.since.toISOString();
    const until = window.until.toISOString();
    const resumed = readBackfillCursor(stored, since, until);
    if (resumed?.done) return;
    let next = resumed?.next ?? until;
    let edge = resumed?.edge ?? [];
    const range = { since: window.since.getTime(), until: window.until.getTime() };
    for (;;) {
      const atEdge = new Set(edge);
      const result = await readPage(ctx, api, query.q, { since, until: next }, (uri) => atEdge.has(uri), runSeen);
      const nextUntil = result.oldest ? new Date(Date.parse(result.oldest.at) + 1).toISOString() : null;
      const done = result.fetched === 0 || (!result.full && !result.more) || nextUntil === null || nextUntil >= next;
      const cursor = { since, until, next: nextUntil ?? next, edge: result.oldest?.uris ?? [], done };
      yield toBatch(queryKey, result, cursor, computeProgress(share, range, result.oldest ? Date.parse(result.oldest.at) : null, done));
      if (done || nextUntil === null) return;
      next = nextUntil;
      edge = result.oldest?.uris ?? [];
    }
  }

  return {
    name: 'bluesky',
    skipReason: () => (missing ? 'Bluesky needs a handle and an app password (BLUESKY_HANDLE, BLUESKY_APP_PASSWORD)' : null),
    probeUrls: () => [options.baseUrl],

    async *poll(ctx, cursors) {
      if (!client) return;
      const runSeen = new Set<string>();
      for (const query of buildQueries(ctx.terms)) {
        if (ctx.signal.aborted) return;
        const stored = readCursor(BlueskyPollCursor, cursors.get(query.queryKey), ctx, query.queryKey) ?? {
          hwm: null,
          recent: {},
          walk: null,
        };
        yield* pollTerm(ctx, client, query, stored, runSeen);
      }
    },

    async *backfill(ctx, window, cursors) {
      if (!client) return;
      const runSeen = new Set<string>();
      const queries = buildQueries(ctx.terms);
      for (const [index, query] of queries.entries()) {
        if (ctx.signal.aborted) return;
        yield* backfillTerm(ctx, client, query, window, cursors.get(`backfill:${query.queryKey}`), runSeen, {
          index,
          count: queries.length,
        });
      }
    },
  };
}

/**
 * One search per distinct phrase, quoted so multi-word names match as a phrase, keyed by that quoted
 * form. Every term's first phrase comes before any term's second, so its main name is searched first.
 */
export function buildQueries(terms: SearchTerm[]): Array<{ queryKey: string; q: string }> {
  return rankQuotedPhrases(terms)
    .flat()
    .map((q) => ({ queryKey: q, q }));
}

/** The oldest instant seen so far and every post at exactly that instant. */
function extendOldest(mark: Mark | null, at: string, uri: string): Mark {
  if (!mark || at < mark.at) return { at, uris: [uri] };
  if (at === mark.at && !mark.uris.includes(uri)) mark.uris.push(uri);
  return mark;
}

/** The later of two ISO instants, so a high-water mark never moves back. */
function pickLater(found: string | null, hwm: string | null): string | null {
  if (found === null) return hwm;
  return hwm === null || found > hwm ? found : hwm;
}

function readStrings(value: CursorValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function readBackfillCursor(
  value: CursorValue | undefined,
  since: string,
  until: string,
): { next: string; edge: string[]; done: boolean } | null {
  const fields = readWindowCursor(value, since, until);
  if (!fields || typeof fields.next !== 'string') return null;
  return { next: fields.next, edge: readStrings(fields.edge), done: fields.done === true };
}
