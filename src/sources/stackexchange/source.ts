import { z } from 'zod';
import type { NormalizedPost } from '../../core/post.ts';
import { collectPosts, type MappedItem } from '../batching.ts';
import { IdTimes, isCursorObject, keepSince, readCursor } from '../cursor.ts';
import { UpstreamError } from '../http.ts';
import { compilePhraseMatcher, listPhrases, quotePhrase, rankQuotedPhrases } from '../terms.ts';
import type { BackfillWindow, CollectContext, CursorValue, Rejection, SearchTerm, Source, SourceBatch, SourceHttpOptions } from '../types.ts';
import { ANSWERS_IDS_PER_REQUEST, StackExchangeClient } from './client.ts';
import { mapAnswer, mapQuestion, type AnswerParent } from './mapper.ts';

export interface StackExchangeSourceOptions extends SourceHttpOptions {
  /** App key (query parameter): 10,000 requests/day instead of 300. */
  key?: string;
  /** Sites to search, `stackoverflow` by default. */
  sites?: string[];
  /** Items per request, for searches and answers alike (at most 100). */
  pageSize?: number;
  /** Pages one query may read in one poll; the cursor resumes the rest next time. */
  maxPagesPerQuery?: number;
  /** How far back the first poll of a query looks. */
  initialLookbackMs?: number;
  /** Each poll starts this far below its stored position, for questions the search index took late. */
  overlapMs?: number;
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

/**
 * Poll position: the newest creation second yielded (`from`, never lowered), and the questions already
 * yielded (id -> second) from `from - overlap` on, so re-reading the overlap yields only late arrivals.
 */
const PollCursor = z.object({ from: z.number().int(), recent: IdTimes });
type PollCursor = z.infer<typeof PollCursor>;

interface Query {
  queryKey: string;
  site: string;
  q: string;
}

interface Run {
  ctx: CollectContext;
  /** External ids already yielded in this run, questions and answers. */
  seen: Set<string>;
  /** True when an answer's text names any tracked term. */
  mentions: (text: string) => boolean;
}

interface ScannedQuestion {
  post: NormalizedPost;
  at: number;
  id: number;
}

/** One search page: its questions (minus the keyset boundary), rejections, and where the scan goes next. */
interface ScannedPage {
  questions: ScannedQuestion[];
  rejected: Rejection[];
  fetched: number;
  next: StackExchangeCursor;
  finished: boolean;
}

interface AnswersRead {
  items: MappedItem[];
  fetched: number;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export function createStackExchangeSource(options: StackExchangeSourceOptions): Source {
  const client = new StackExchangeClient(options);
  const sites = options.sites ?? ['stackoverflow'];
  const pageSize = options.pageSize ?? 100;
  const maxPages = options.maxPagesPerQuery ?? 5;
  const lookbackMs = options.initialLookbackMs ?? DAY_MS;
  const overlapS = Math.max(0, Math.floor((options.overlapMs ?? 10 * MINUTE_MS) / 1000));
  const sliceSeconds = Math.max(1, Math.floor((options.backfillSliceMs ?? 7 * DAY_MS) / 1000));
  const quotaReserve = options.quotaReserve ?? 0;

  const newRun = (ctx: CollectContext): Run => ({ ctx, seen: new Set(), mentions: compilePhraseMatcher(listPhrases(ctx.terms)) });

  /** Search pages in creation order from `start`; stops the run once the quota reaches its reserve. */
  async function* scan(ctx: CollectContext, query: Query, start: StackExchangeCursor, todate: number | undefined, pageLimit: number): AsyncGenerator<ScannedPage> {
    let cursor = start;
    let page = 1;
    for (let pages = 0; pages < pageLimit; pages++) {
      const wrapper = await client.searchPage({ site: query.site, q: query.q, fromdate: cursor.from, todate, page, pagesize: pageSize, signal: ctx.signal });
      const questions: ScannedQuestion[] = [];
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
        questions.push({ post: result.post, at, id });
      }
      // A full page inside one second cannot move the keyset forward; page on from there instead.
      page = next.from === cursor.from ? page + 1 : 1;
      const finished = !wrapper.has_more;
      yield { questions, rejected, fetched: wrapper.items.length, next, finished };
      cursor = next;
      checkQuota();
      if (finished) return;
    }
  }

  function isQuotaLow(): boolean {
    const quota = client.lastQuota();
    return quota !== null && quota.remaining <= quotaReserve;
  }

  function checkQuota(): void {
    const quota = client.lastQuota();
    if (quota && isQuotaLow()) {
      throw new UpstreamError(`Stack Exchange quota exhausted: ${quota.remaining} of ${quota.max} requests left today`, {
        url: 'stackexchange:quota',
        retryable: false,
      });
    }
  }

  /**
   * The batch of one search page: its questions not yet yielded in this run, then their answers that
   * name a term, so both commit with `cursor`.
   */
  async function buildBatch(run: Run, query: Query, page: ScannedPage, fresh: ScannedQuestion[], cursor: CursorValue, progress?: number): Promise<SourceBatch> {
    const questions = fresh.filter((q) => {
      if (run.seen.has(q.post.externalId)) return false;
      run.seen.add(q.post.externalId);
      return true;
    });
    const answers = await collectAnswers(run, query.site, questions);
    return {
      queryKey: query.queryKey,
      posts: [...questions.map((q) => q.post), ...answers.posts],
      events: [],
      rejected: [...page.rejected, ...answers.rejected],
      fetched: page.fetched + answers.fetched,
      cursor,
      ...(progress === undefined ? {} : { progress }),
    };
  }

  /** Answers of the questions that have any, up to 100 questions a request; best effort, only an abort ends the run. */
  async function collectAnswers(run: Run, site: string, questions: readonly ScannedQuestion[]) {
    const asked = questions.filter((q) => (q.post.comments ?? 0) > 0);
    const parents = new Map<number, AnswerParent>(asked.map((q) => [q.id, { externalId: q.post.externalId, url: q.post.url, title: q.post.title }]));
    const items: MappedItem[] = [];
    let fetched = 0;
    for (let i = 0; i < asked.length; i += ANSWERS_IDS_PER_REQUEST) {
      const read = await readAnswers(run, site, asked.slice(i, i + ANSWERS_IDS_PER_REQUEST).map((q) => q.id), parents);
      items.push(...read.items);
      fetched += read.fetched;
    }
    const kept = items.filter((item) => item.kind !== 'post' || run.mentions(item.post.body));
    return { ...collectPosts(kept, run.seen), fetched };
  }

  async function readAnswers(run: Run, site: string, questionIds: number[], parents: ReadonlyMap<number, AnswerParent>): Promise<AnswersRead> {
    const items: MappedItem[] = [];
    let fetched = 0;
    for (let page = 1; ; page++) {
      if (isQuotaLow()) {
        run.ctx.log.warn({ site, questions: questionIds.length }, 'Stack Exchange quota at its reserve; keeping these questions without their answers');
        break;
      }
      try {
        const wrapper = await client.answersPage({ site, questionIds, page, pagesize: pageSize, signal: run.ctx.signal });
        fetched += wrapper.items.length;
        items.push(...wrapper.items.map((raw) => mapAnswer(raw, site, parents)));
        if (!wrapper.has_more) break;
      } catch (error) {
        if (run.ctx.signal.aborted) throw error;
        const message = error instanceof Error ? error.message : String(error);
        run.ctx.log.warn({ site, questions: questionIds, page, err: message }, 'Stack Exchange answers request failed; keeping the questions without those answers');
        break;
      }
    }
    return { items, fetched };
  }

  async function* pollQuery(run: Run, query: Query, stored: CursorValue | undefined): AsyncGenerator<SourceBatch> {
    const saved = readCursor(PollCursor, stored, run.ctx, query.queryKey);
    let mark: PollCursor = saved ?? { from: Math.floor((run.ctx.now().getTime() - lookbackMs) / 1000), recent: {} };
    const lower = saved ? saved.from - overlapS : mark.from;
    for await (const page of scan(run.ctx, query, { from: lower, seen: [] }, undefined, maxPages)) {
      const recent = { ...mark.recent };
      let from = mark.from;
      const fresh: ScannedQuestion[] = [];
      for (const question of page.questions) {
        from = Math.max(from, question.at);
        const key = String(question.id);
        if (recent[key] !== undefined) continue;
        recent[key] = question.at;
        fresh.push(question);
      }
      mark = { from, recent: keepSince(recent, from - overlapS) };
      yield await buildBatch(run, query, page, fresh, mark);
    }
  }

  return {
    name: 'stackexchange',
    skipReason: () => (sites.length === 0 ? 'no Stack Exchange sites configured' : null),

    async *poll(ctx, cursors) {
      const run = newRun(ctx);
      for (const query of buildQueries(ctx.terms, sites)) {
        if (ctx.signal.aborted) return;
        yield* pollQuery(run, query, cursors.get(query.queryKey));
      }
    },

    async *backfill(ctx, window: BackfillWindow, cursors) {
      const run = newRun(ctx);
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
          for await (const page of scan(ctx, query, position, sliceEnd - 1, Number.POSITIVE_INFINITY)) {
            const committed = page.finished ? done : page.next;
            yield await buildBatch(run, query, page, page.questions, wrap(committed), progress(committed));
            position = committed;
          }
          position = done;
        }
      }
    },
  };
}

/** The poll cursor key of one phrase on one site. */
export function toStackExchangeQueryKey(site: string, phrase: string): string {
  return `${site}:${quotePhrase(phrase)}`;
}

/**
 * One query per (site, distinct phrase), quoted so multi-word names match as a phrase. Every term's
 * first phrase comes before any term's second, so when the daily quota runs short the main names are served.
 */
export function buildQueries(terms: readonly SearchTerm[], sites: readonly string[]): Query[] {
  return rankQuotedPhrases(terms).flatMap((rank) =>
    sites.flatMap((site) => rank.map((q) => ({ queryKey: toStackExchangeQueryKey(site, q), site, q }))),
  );
}

function readPosition(value: CursorValue | undefined): StackExchangeCursor | null {
  if (!isCursorObject(value)) return null;
  const { from, seen } = value;
  if (typeof from !== 'number' || !Array.isArray(seen)) return null;
  return { from, seen: seen.filter((id): id is number => typeof id === 'number') };
}

function readBackfillCursor(value: CursorValue | undefined): BackfillCursor | null {
  const base = readPosition(value);
  if (!base || !isCursorObject(value)) return null;
  const { since, until } = value;
  return typeof since === 'number' && typeof until === 'number' ? { ...base, since, until } : null;
}
