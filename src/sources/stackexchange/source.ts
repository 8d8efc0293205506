import type { NormalizedPost } from '../../core/post.ts';
import { isCursorObject } from '../cursor.ts';
import { UpstreamError } from '../http.ts';
import type { BackfillWindow, CollectContext, CursorValue, Rejection, SearchTerm, Source, SourceBatch, SourceHttpOptions } from '../types.ts';
import { StackExchangeClient } from './client.ts';
import { mapQuestion } from './mapper.ts';

export interface StackExchangeSourceOptions extends SourceHttpOptions {
  /** App key (query parameter): 10,000 requests/day instead of 300. */
  key?: string;
  /** Sites to search, `stackoverflow` by default. */
  sites?: string[];
  pageSize?: number;
  /** Pages one query may read in one poll; the cursor resumes the rest next time. */
  maxPagesPerQuery?: number;
  /** How far back the first poll of a query looks. */
  initialLookbackMs?: number;
  /** Backfill walks history in fromdate/todate windows of this length. */
  backfillSliceMs?: number;
  /** Stop the run when quota_remaining falls to this many requests. */
  quotaReserve?: number;
}

/** Keyset position: questions created at or after `from` (unix s), minus those already yielded at `from`. */
export interface StackExchangeCursor {
  from: number;
  seen: number[];
}

interface BackfillCursor extends StackExchangeCursor {
  since: number;
  until: number;
}

interface Query {
  queryKey: string;
  site: string;
  q: string;
}

const DAY_MS = 86_400_000;

export function createStackExchangeSource(options: StackExchangeSourceOptions): Source {
  const client = new StackExchangeClient(options);
  const sites = options.sites ?? ['stackoverflow'];
  const pageSize = options.pageSize ?? 100;
  const maxPages = options.maxPagesPerQuery ?? 5;
  const lookbackMs = options.initialLookbackMs ?? DAY_MS;
  const sliceSeconds = Math.max(1, Math.floor((options.backfillSliceMs ?? 7 * DAY_MS) / 1000));
  const quotaReserve = options.quotaReserve ?? 0;

  async function* walk(
    ctx: CollectContext,
    query: Query,
    start: StackExchangeCursor,
    runSeen: Set<string>,
    bounds: {
      todate?: number;
      pageLimit: number;
      /** Where a finished walk resumes; without it, from the newest question seen. */
      end?: StackExchangeCursor;
      wrap: (c: StackExchangeCursor) => CursorValue;
      progress?: (c: StackExchangeCursor) => number;
    },
  ): AsyncGenerator<SourceBatch> {
    let cursor = start;
    let page = 1;
    for (let pages = 0; pages < bounds.pageLimit; pages++) {
      const wrapper = await client.searchPage({
        site: query.site,
        q: query.q,
        fromdate: cursor.from,
        todate: bounds.todate,
        page,
        pagesize: pageSize,
        signal: ctx.signal,
      });
      const posts: NormalizedPost[] = [];
      const rejected: Rejection[] = [];
      const boundary = new Set(cursor.seen);
      let next: StackExchangeCursor = { from: cursor.from, seen: [...cursor.seen] };
      for (const raw of wrapper.items) {
        const result = mapQuestion(raw, query.site);
        if (result.kind === 'rejected') {
          rejected.push(result.rejection);
          continue;
        }
        const { createdAtSeconds: at, questionId: id } = result;
        if (at > next.from) next = { from: at, seen: [id] };
        else if (at === next.from && !next.seen.includes(id)) next.seen.push(id);
        if (at === cursor.from && boundary.has(id)) continue;
        if (runSeen.has(result.post.externalId)) continue;
        runSeen.add(result.post.externalId);
        posts.push(result.post);
      }
      // A full page inside one second cannot move the keyset forward; page on from there instead.
      page = next.from === cursor.from ? page + 1 : 1;
      const finished = !wrapper.has_more;
      const committed = finished && bounds.end ? bounds.end : next;
      yield {
        queryKey: query.queryKey,
        posts,
        events: [],
        rejected,
        fetched: wrapper.items.length,
        cursor: bounds.wrap(committed),
        ...(bounds.progress ? { progress: bounds.progress(committed) } : {}),
      };
      cursor = next;
      checkQuota(client);
      if (finished) return;
    }
  }

  function checkQuota(c: StackExchangeClient): void {
    const quota = c.lastQuota();
    if (quota && quota.remaining <= quotaReserve) {
      throw new UpstreamError(`Stack Exchange quota exhausted: ${quota.remaining} of ${quota.max} requests left today`, {
        url: 'stackexchange:quota',
        retryable: false,
      });
    }
  }

  return {
    name: 'stackexchange',
    skipReason: () => (sites.length === 0 ? 'no Stack Exchange sites configured' : null),

    async *poll(ctx, cursors) {
      const runSeen = new Set<string>();
      for (const query of buildQueries(ctx.terms, sites)) {
        if (ctx.signal.aborted) return;
        const stored = readCursor(cursors.get(query.queryKey));
        const start = stored ?? { from: Math.floor((ctx.now().getTime() - lookbackMs) / 1000), seen: [] };
        yield* walk(ctx, query, start, runSeen, { pageLimit: maxPages, wrap: (c) => ({ from: c.from, seen: c.seen }) });
      }
    },

    async *backfill(ctx, window: BackfillWindow, cursors) {
      const runSeen = new Set<string>();
      const since = Math.floor(window.since.getTime() / 1000);
      const until = Math.floor(window.until.getTime() / 1000);
      const queries = buildQueries(ctx.terms, sites);
      for (const [index, base] of queries.entries()) {
        const query = { ...base, queryKey: `backfill:${base.queryKey}` };
        const stored = readBackfillCursor(cursors.get(query.queryKey));
        let position: StackExchangeCursor =
          stored && stored.since === since && stored.until === until ? { from: stored.from, seen: stored.seen } : { from: since, seen: [] };
        const wrap = (c: StackExchangeCursor): CursorValue => ({ since, until, from: c.from, seen: c.seen });
        const progress = (c: StackExchangeCursor): number => {
          const done = until > since ? Math.min(1, Math.max(0, (c.from - since) / (until - since))) : 1;
          return (index + done) / queries.length;
        };
        while (position.from < until) {
          if (ctx.signal.aborted) return;
          const sliceEnd = Math.min(position.from + sliceSeconds, until);
          const done: StackExchangeCursor = { from: sliceEnd, seen: [] };
          for await (const batch of walk(ctx, query, position, runSeen, {
            todate: sliceEnd - 1,
            pageLimit: Number.POSITIVE_INFINITY,
            end: done,
            wrap,
            progress,
          })) {
            position = readBackfillCursor(batch.cursor) ?? done;
            yield batch;
          }
          position = done;
        }
      }
    },
  };
}

/** One query per (site, term): the term's first phrase, quoted so multi-word names match as a phrase. */
export function buildQueries(terms: SearchTerm[], sites: string[]): Query[] {
  const queries: Query[] = [];
  for (const site of sites) {
    for (const term of terms) {
      const phrase = term.phrases[0]?.replace(/"/g, '').trim();
      if (!phrase) continue;
      queries.push({ queryKey: `${site}:${term.slug}`, site, q: `"${phrase}"` });
    }
  }
  return queries;
}

function readCursor(value: CursorValue | undefined): StackExchangeCursor | null {
  if (!isCursorObject(value)) return null;
  const { from, seen } = value;
  if (typeof from !== 'number' || !Array.isArray(seen)) return null;
  return { from, seen: seen.filter((id): id is number => typeof id === 'number') };
}

function readBackfillCursor(value: CursorValue | undefined): BackfillCursor | null {
  const base = readCursor(value);
  if (!base || !isCursorObject(value)) return null;
  const { since, until } = value;
  return typeof since === 'number' && typeof until === 'number' ? { ...base, since, until } : null;
}
