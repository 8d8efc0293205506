import type { NormalizedPost } from '../../core/post.ts';
import { computeProgress, resumeThenWalk, toBatch, type Share } from '../batching.ts';
import { isCursorObject, readWindowCursor } from '../cursor.ts';
import { listPhrases, quotePhrase } from '../terms.ts';
import type { BackfillWindow, CollectContext, CursorValue, Rejection, SearchTerm, Source, SourceBatch, SourceHttpOptions } from '../types.ts';
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
}

/** An instant (ISO, ms) and the posts already taken at exactly that instant. */
interface Mark {
  at: string;
  uris: string[];
}

/**
 * Pages are walked newest first by `until` (exclusive) rather than the opaque search cursor, so a
 * stored walk resumes exactly: `until` is the oldest instant reached plus 1 ms, `edge` the posts
 * already taken at that instant. `hwm` is where the previous finished walk began.
 */
export interface BlueskyPollCursor {
  hwm: Mark | null;
  walk: { top: Mark; until: string; edge: string[] } | null;
}

interface PageResult {
  posts: NormalizedPost[];
  rejected: Rejection[];
  fetched: number;
  newest: Mark | null;
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

  async function readPage(
    ctx: CollectContext,
    api: BlueskyClient,
    q: string,
    range: { since: string; until: string | null },
    skip: (uri: string, at: string) => boolean,
    runSeen: Set<string>,
  ): Promise<PageResult> {
    const response = await api.searchPosts({ q, since: range.since, until: range.until ?? undefined, limit: pageLimit, signal: ctx.signal });
    const result: PageResult = {
      posts: [],
      rejected: [],
      fetched: response.posts.length,
      newest: null,
      oldest: null,
      full: response.posts.length >= pageLimit,
      more: response.cursor !== undefined,
    };
    for (const raw of response.posts) {
      const mapped = mapPostView(raw);
      if (mapped.sortAt) {
        const at = mapped.sortAt.toISOString();
        const uri = mapped.kind === 'post' ? mapped.post.externalId : (mapped.kind === 'rejected' ? mapped.rejection.externalId : null) ?? '';
        result.newest = extendMark(result.newest, at, uri, (a, b) => a > b);
        result.oldest = extendMark(result.oldest, at, uri, (a, b) => a < b);
        if (skip(uri, at)) continue;
      }
      if (mapped.kind === 'rejected') result.rejected.push(mapped.rejection);
      if (mapped.kind !== 'post' || runSeen.has(mapped.post.externalId)) continue;
      runSeen.add(mapped.post.externalId);
      result.posts.push(mapped.post);
    }
    return result;
  }

  async function* pollTerm(ctx: CollectContext, api: BlueskyClient, query: { queryKey: string; q: string }, stored: BlueskyPollCursor, runSeen: Set<string>): AsyncGenerator<SourceBatch> {
    const lookbackStart = new Date(ctx.now().getTime() - lookbackMs).toISOString();
    let pages = 0;

    async function* descend(start: { until: string | null; edge: string[]; top: Mark | null }, hwm: Mark | null): AsyncGenerator<SourceBatch, boolean> {
      let { until, edge, top } = start;
      for (;;) {
        if (pages >= maxPages) return false;
        const atEdge = new Set(edge);
        const skip = (uri: string, at: string): boolean => atEdge.has(uri) || (hwm !== null && (at < hwm.at || (at === hwm.at && hwm.uris.includes(uri))));
        const result = await readPage(ctx, api, query.q, { since: hwm?.at ?? lookbackStart, until }, skip, runSeen);
        pages++;
        top ??= pickNewerMark(result.newest, hwm);
        const nextUntil = result.oldest ? new Date(Date.parse(result.oldest.at) + 1).toISOString() : null;
        const stalled = nextUntil === null || (until !== null && nextUntil >= until);
        const reachedEnd = result.fetched === 0 || (!result.full && !result.more) || stalled;
        const cursor: BlueskyPollCursor =
          reachedEnd || !top || !result.oldest || nextUntil === null
            ? { hwm: top, walk: null }
            : { hwm, walk: { top, until: nextUntil, edge: result.oldest.uris } };
        yield toBatch(query.queryKey, result, serializeCursor(cursor));
        if (reachedEnd || !result.oldest) return true;
        until = nextUntil;
        edge = result.oldest.uris;
      }
    }

    yield* resumeThenWalk(stored, (resume, hwm) => descend(resume ? { ...resume } : { until: null, edge: [], top: null }, hwm));
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

    async *poll(ctx, cursors) {
      if (!client) return;
      const runSeen = new Set<string>();
      for (const query of buildQueries(ctx.terms)) {
        if (ctx.signal.aborted) return;
        yield* pollTerm(ctx, client, query, readPollCursor(cursors.get(query.queryKey)), runSeen);
      }
    },

    async *backfill(ctx, window, cursors) {
      if (!client) return;
      const runSeen = new Set<string>();
      const queries = buildQueries(ctx.terms);
      for (const [index, query] of queries.entries()) {
        if (ctx.signal.aborted) return;
        yield* backfillTerm(ctx, client, query, window, cursors.get(`backfill:${query.queryKey}`), runSeen, { index, count: queries.length });
      }
    },
  };
}

/**
 * One search per distinct phrase, quoted so multi-word names match as a phrase, keyed by that quoted
 * form. Every term's first phrase comes before any term's second, so its main name is searched first.
 */
export function buildQueries(terms: SearchTerm[]): Array<{ queryKey: string; q: string }> {
  const perTerm = terms.map((term) => listPhrases([term]));
  const depth = Math.max(0, ...perTerm.map((phrases) => phrases.length));
  const queries = new Set<string>();
  for (let rank = 0; rank < depth; rank++) {
    for (const phrases of perTerm) {
      const phrase = phrases[rank];
      if (phrase !== undefined && quotePhrase(phrase) !== '""') queries.add(quotePhrase(phrase));
    }
  }
  return [...queries].map((q) => ({ queryKey: q, q }));
}

function extendMark(mark: Mark | null, at: string, uri: string, better: (a: string, b: string) => boolean): Mark {
  if (!mark || better(at, mark.at)) return { at, uris: [uri] };
  if (at === mark.at && !mark.uris.includes(uri)) mark.uris.push(uri);
  return mark;
}

function pickNewerMark(found: Mark | null, hwm: Mark | null): Mark | null {
  if (!found) return hwm;
  if (!hwm || found.at > hwm.at) return found;
  return found.at === hwm.at ? { at: hwm.at, uris: [...new Set([...hwm.uris, ...found.uris])] } : hwm;
}

function serializeCursor(cursor: BlueskyPollCursor): CursorValue {
  const mark = (m: Mark): CursorValue => ({ at: m.at, uris: m.uris });
  return {
    hwm: cursor.hwm ? mark(cursor.hwm) : null,
    walk: cursor.walk ? { top: mark(cursor.walk.top), until: cursor.walk.until, edge: cursor.walk.edge } : null,
  };
}

function readStrings(value: CursorValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function readMark(value: CursorValue | undefined): Mark | null {
  if (!isCursorObject(value) || typeof value.at !== 'string') return null;
  return { at: value.at, uris: readStrings(value.uris) };
}

function readPollCursor(value: CursorValue | undefined): BlueskyPollCursor {
  if (!isCursorObject(value)) return { hwm: null, walk: null };
  const hwm = readMark(value.hwm);
  const walk = value.walk;
  if (isCursorObject(walk) && typeof walk.until === 'string') {
    const top = readMark(walk.top);
    if (top) return { hwm, walk: { top, until: walk.until, edge: readStrings(walk.edge) } };
  }
  return { hwm, walk: null };
}

function readBackfillCursor(value: CursorValue | undefined, since: string, until: string): { next: string; edge: string[]; done: boolean } | null {
  const fields = readWindowCursor(value, since, until);
  if (!fields || typeof fields.next !== 'string') return null;
  return { next: fields.next, edge: readStrings(fields.edge), done: fields.done === true };
}
