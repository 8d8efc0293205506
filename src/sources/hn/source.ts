import { z } from 'zod';
import { collectPosts } from '../batching.ts';
import { IdTimes, keepSince, readCursor } from '../cursor.ts';
import type { RateLimit } from '../http.ts';
import { UpstreamError } from '../http.ts';
import type { BackfillWindow, CollectContext, CursorValue, Source, SourceBatch, SourceHttpOptions } from '../types.ts';
import { AlgoliaHit } from './api-types.ts';
import { AlgoliaClient, FirebaseClient, HN_FIREBASE_URL } from './client.ts';
import { mapAlgoliaHit, mapFirebaseItem } from './mapper.ts';
import { compilePhraseMatcher, listPhrases, quotePhrase } from '../terms.ts';

export interface HnSourceOptions extends SourceHttpOptions {
  /** Firebase API used when Algolia fails; null turns the fallback off. */
  firebaseUrl?: string | null;
  firebaseRateLimit?: RateLimit;
  /** Hits per Algolia request (max 1000). */
  hitsPerPage?: number;
  /** How far back the first poll of a new query looks. */
  firstPollLookbackMs?: number;
  /** Each poll re-reads this much below its high-water mark for hits indexed late. */
  overlapMs?: number;
  /** Newest stories the fallback inspects per run. */
  maxFallbackItems?: number;
  /** Items fetched per fallback batch. */
  fallbackBatchSize?: number;
}

const WalkState = z.object({ upper: z.number().int(), seen: z.array(z.string()) });
type WalkState = z.infer<typeof WalkState>;

/**
 * Poll cursor: the high-water second, the ids (with their seconds) already stored inside the overlap
 * window below it, and an unfinished walk. Each poll re-reads the overlap so hits the index took late
 * are still found, while `recent` keeps the ones already stored from being yielded again.
 */
const HnPollCursor = z.object({
  hw: z.number().int(),
  recent: IdTimes,
  walk: WalkState.extend({ top: z.number().int(), added: IdTimes }).nullable(),
});
type HnPollCursor = z.infer<typeof HnPollCursor>;

const HnBackfillCursor = WalkState.extend({ done: z.boolean() });
type HnBackfillCursor = z.infer<typeof HnBackfillCursor>;

const HnFallbackCursor = z.object({ maxId: z.number().int() });

export const HN_FALLBACK_QUERY_KEY = 'firebase:newstories';

/** The query key of one phrase: its quoted form, as sent to Algolia. */
export function toHnQueryKey(phrase: string): string {
  return quotePhrase(phrase);
}

export function toHnBackfillKey(phrase: string, window: BackfillWindow): string {
  return `backfill:${window.since.toISOString()}..${window.until.toISOString()}:${quotePhrase(phrase)}`;
}

interface WalkPage {
  results: Array<{ hit: AlgoliaHit | null; raw: unknown }>;
  state: WalkState;
  done: boolean;
}

interface RunState {
  ctx: CollectContext;
  seenIds: Set<string>;
}

export function createHnSource(options: HnSourceOptions): Source {
  const algolia = new AlgoliaClient(options);
  const firebaseUrl = options.firebaseUrl === undefined ? HN_FIREBASE_URL : options.firebaseUrl;
  const firebase =
    firebaseUrl === null ? null : new FirebaseClient({ ...options, baseUrl: firebaseUrl, rateLimit: options.firebaseRateLimit });
  const hitsPerPage = Math.min(1000, Math.max(1, options.hitsPerPage ?? 100));
  const lookbackMs = options.firstPollLookbackMs ?? 24 * 3600_000;
  const overlapS = Math.max(0, Math.floor((options.overlapMs ?? 5 * 60_000) / 1000));
  const maxFallbackItems = options.maxFallbackItems ?? 200;
  const fallbackBatchSize = options.fallbackBatchSize ?? 25;

  /**
   * Walks a created_at_i range newest first, one page-0 request per step, lowering the upper bound to
   * the oldest second seen. `seen` holds the ids already taken at that second, so nothing repeats or
   * slips between steps, and no window ever needs more than the first page (the 1,000-hit cap).
   */
  async function* walkDown(query: string, lower: number, start: WalkState | null, ctx: CollectContext): AsyncGenerator<WalkPage> {
    let state: WalkState | null = start;
    for (;;) {
      const response = await algolia.searchByDate({
        query,
        lower,
        upper: state?.upper ?? null,
        hitsPerPage,
        signal: ctx.signal,
      });
      const already = new Set(state?.seen ?? []);
      const results = response.hits.map((raw) => {
        const parsed = AlgoliaHit.safeParse(raw);
        return { hit: parsed.success ? parsed.data : null, raw };
      });
      const fresh = results.filter((r) => !(r.hit && already.has(r.hit.objectID)));
      // A short page is the last one; compare with what Algolia says it served, in case it clamped the size.
      if (response.hits.length < Math.min(hitsPerPage, response.hitsPerPage)) {
        yield { results: fresh, state: state ?? { upper: lower, seen: [] }, done: true };
        return;
      }
      const times = results.flatMap((r) => (r.hit ? [r.hit.created_at_i] : []));
      if (times.length === 0) {
        throw new UpstreamError(`Algolia returned a full page with no usable hit for ${query}`, {
          url: 'search_by_date',
          retryable: false,
        });
      }
      const oldest = Math.min(...times);
      const atOldest = results.flatMap((r) => (r.hit && r.hit.created_at_i === oldest ? [r.hit.objectID] : []));
      let next: WalkState = {
        upper: oldest,
        seen: [...new Set([...(state && state.upper === oldest ? state.seen : []), ...atOldest])],
      };
      if (state && next.upper === state.upper && next.seen.length === state.seen.length) {
        ctx.log.warn({ query, second: oldest }, 'more hits in one second than a page holds; stepping past it');
        next = { upper: oldest - 1, seen: [] };
      }
      yield { results: fresh, state: next, done: false };
      state = next;
    }
  }

  async function* pollPhrase(run: RunState, phrase: string, stored: CursorValue | undefined): AsyncGenerator<SourceBatch> {
    const queryKey = toHnQueryKey(phrase);
    const cursor = readCursor(HnPollCursor, stored, run.ctx, queryKey) ?? {
      hw: Math.floor((run.ctx.now().getTime() - lookbackMs) / 1000),
      recent: {},
      walk: null,
    };
    let top = cursor.walk?.top ?? cursor.hw;
    let added: IdTimes = cursor.walk?.added ?? {};
    const start = cursor.walk ? { upper: cursor.walk.upper, seen: cursor.walk.seen } : null;
    // A hit dated ahead of now (a wrong clock upstream) must not lift the mark past now:
    // later polls would skip everything written until that date.
    const nowS = Math.floor(run.ctx.now().getTime() / 1000);
    for await (const page of walkDown(queryKey, cursor.hw - overlapS, start, run.ctx)) {
      const results = page.results.filter((r) => !(r.hit && Object.hasOwn(cursor.recent, r.hit.objectID)));
      for (const { hit } of results) {
        if (!hit) continue;
        top = Math.max(top, Math.min(hit.created_at_i, nowS));
        added[hit.objectID] = hit.created_at_i;
      }
      added = keepSince(added, top - overlapS);
      const { posts, rejected } = collectPosts(
        results.map((r) => mapAlgoliaHit(r.raw)),
        run.seenIds,
      );
      const next: HnPollCursor = page.done
        ? { hw: top, recent: keepSince({ ...cursor.recent, ...added }, top - overlapS), walk: null }
        : { hw: cursor.hw, recent: cursor.recent, walk: { ...page.state, top, added } };
      yield { queryKey, posts, events: [], rejected, fetched: results.length, cursor: next };
    }
  }

  async function* pollFallback(run: RunState, phrases: string[], stored: CursorValue | undefined): AsyncGenerator<SourceBatch> {
    if (!firebase) return;
    const matches = compilePhraseMatcher(phrases);
    const cursor = readCursor(HnFallbackCursor, stored, run.ctx, HN_FALLBACK_QUERY_KEY);
    const ids = await firebase.listNewStoryIds(run.ctx.signal);
    // Oldest first, so each batch's cursor (the highest id done) never skips an id still to fetch.
    const pending = ids
      .filter((id) => id > (cursor?.maxId ?? 0))
      .sort((a, b) => b - a)
      .slice(0, maxFallbackItems)
      .reverse();
    for (let i = 0; i < pending.length; i += fallbackBatchSize) {
      const chunk = pending.slice(i, i + fallbackBatchSize);
      const items = await Promise.all(chunk.map((id) => firebase.getItem(id, run.ctx.signal)));
      const wanted = items.filter((raw) => {
        const parsed = mapFirebaseItem(raw);
        return parsed.kind !== 'post' || matches(`${parsed.post.title ?? ''}\n${parsed.post.body}`);
      });
      const { posts, rejected } = collectPosts(
        wanted.map((raw) => mapFirebaseItem(raw)),
        run.seenIds,
      );
      yield {
        queryKey: HN_FALLBACK_QUERY_KEY,
        posts,
        events: [],
        rejected,
        fetched: wanted.length,
        cursor: { maxId: chunk.at(-1) ?? cursor?.maxId ?? 0 },
        progress: Math.min(1, (i + chunk.length) / pending.length),
      };
    }
  }

  return {
    name: 'hn',
    skipReason: () => null,
    probeUrls: () => [`${options.baseUrl}/search_by_date?hitsPerPage=1`],

    async *poll(ctx, cursors) {
      const phrases = listPhrases(ctx.terms);
      const run: RunState = { ctx, seenIds: new Set() };
      try {
        for (const phrase of phrases) yield* pollPhrase(run, phrase, cursors.get(toHnQueryKey(phrase)));
      } catch (error) {
        if (!firebase || ctx.signal.aborted || !(error instanceof UpstreamError)) throw error;
        ctx.log.warn({ err: error }, 'Algolia failed; collecting new stories from the Firebase API instead');
        yield* pollFallback(run, phrases, cursors.get(HN_FALLBACK_QUERY_KEY));
      }
    },

    async *backfill(ctx, window, cursors) {
      const phrases = listPhrases(ctx.terms);
      const run: RunState = { ctx, seenIds: new Set() };
      const lower = Math.floor(window.since.getTime() / 1000);
      const untilS = Math.ceil(window.until.getTime() / 1000) - 1;
      const span = Math.max(1, untilS - lower + 1);
      for (const [index, phrase] of phrases.entries()) {
        const queryKey = toHnBackfillKey(phrase, window);
        const cursor: HnBackfillCursor = readCursor(HnBackfillCursor, cursors.get(queryKey), ctx, queryKey) ?? {
          upper: untilS,
          seen: [],
          done: false,
        };
        if (cursor.done) continue;
        for await (const page of walkDown(quotePhrase(phrase), lower, { upper: cursor.upper, seen: cursor.seen }, ctx)) {
          const { posts, rejected } = collectPosts(
            page.results.map((r) => mapAlgoliaHit(r.raw)),
            run.seenIds,
          );
          const walked = page.done ? 1 : Math.min(1, (untilS - page.state.upper) / span);
          yield {
            queryKey,
            posts,
            events: [],
            rejected,
            fetched: page.results.length,
            cursor: { ...page.state, done: page.done },
            progress: (index + walked) / phrases.length,
          };
        }
      }
    },
  };
}
