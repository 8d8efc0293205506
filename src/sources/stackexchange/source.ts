import { z } from 'zod';
import type { NormalizedPost } from '../../core/post.ts';
import { collectPosts, type MappedItem } from '../batching.ts';
import { IdTimes, isCursorObject, keepSince, readCursor } from '../cursor.ts';
import { UpstreamError } from '../http.ts';
import { compilePhraseMatcher, listPhrases, quotePhrase, rankQuotedPhrases } from '../terms.ts';
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
import { ANSWERS_IDS_PER_REQUEST, StackExchangeClient } from './client.ts';
import { formatQuestionId, mapAnswer, mapQuestion, type AnswerParent } from './mapper.ts';

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
  /** How long a polled question's new answers keep being read. Default 7 days. */
  answersWindowMs?: number;
  /** Questions tracked per query, newest kept; at most 100 so one request covers them (0 turns late answers off). */
  maxTracked?: number;
  /** Least time between two reads of a query's late answers. Default 1 hour with a key, 6 hours without. */
  answersEveryMs?: number;
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
 * `tracked` (id -> creation second) are the questions whose later answers are read; every answer to them
 * created before `answersReadAt` (unix s, null while none is tracked) has been read. `origin` is the
 * site's web origin, taken from a question link, for answer links.
 */
const PollCursor = z.object({
  from: z.number().int(),
  recent: IdTimes,
  tracked: IdTimes.default({}),
  answersReadAt: z.number().int().nullable().default(null),
  origin: z.string().nullable().default(null),
});
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
  /** Why not every page was read (`quota` or the request's error), null when all were. */
  failure: string | null;
}

/** Answers first read with their questions' batch; `unread` lists the questions whose answers were not all read. */
interface FirstAnswers {
  posts: NormalizedPost[];
  rejected: Rejection[];
  fetched: number;
  unread: ScannedQuestion[];
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Late answers are read from a little before the last read, for answers the API lists late. */
const ANSWERS_OVERLAP_S = 5 * 60;

/** The tracked questions created at or after `since`, the newest `max` of them. */
function trimTracked(tracked: IdTimes, since: number, max: number): IdTimes {
  const kept = Object.entries(keepSince(tracked, since)).sort(([a, x], [b, y]) => y - x || Number(b) - Number(a));
  return Object.fromEntries(kept.slice(0, max));
}

/** The web origin of a question link, null when the link is not a URL. */
function readOrigin(link: string | null): string | null {
  return link && URL.canParse(link) ? new URL(link).origin : null;
}

export function createStackExchangeSource(options: StackExchangeSourceOptions): Source {
  const client = new StackExchangeClient(options);
  const sites = options.sites ?? ['stackoverflow'];
  const pageSize = options.pageSize ?? 100;
  const maxPages = options.maxPagesPerQuery ?? 5;
  const lookbackMs = options.initialLookbackMs ?? DAY_MS;
  const overlapS = Math.max(0, Math.floor((options.overlapMs ?? 10 * MINUTE_MS) / 1000));
  const sliceSeconds = Math.max(1, Math.floor((options.backfillSliceMs ?? 7 * DAY_MS) / 1000));
  const quotaReserve = options.quotaReserve ?? 0;
  const answersWindowS = Math.floor((options.answersWindowMs ?? 7 * DAY_MS) / 1000);
  const maxTracked = Math.min(ANSWERS_IDS_PER_REQUEST, Math.max(0, Math.floor(options.maxTracked ?? ANSWERS_IDS_PER_REQUEST)));
  const answersEveryS = Math.max(0, Math.floor((options.answersEveryMs ?? (options.key ? HOUR_MS : 6 * HOUR_MS)) / 1000));

  const newRun = (ctx: CollectContext): Run => ({ ctx, seen: new Set(), mentions: compilePhraseMatcher(listPhrases(ctx.terms)) });

  /** Search pages in creation order from `start`; stops the run once the quota reaches its reserve. */
  async function* scan(
    ctx: CollectContext,
    query: Query,
    start: StackExchangeCursor,
    todate: number | undefined,
    pageLimit: number,
  ): AsyncGenerator<ScannedPage> {
    let cursor = start;
    let page = 1;
    for (let pages = 0; pages < pageLimit; pages++) {
      const wrapper = await client.searchPage({
        site: query.site,
        q: query.q,
        fromdate: cursor.from,
        todate,
        page,
        pagesize: pageSize,
        signal: ctx.signal,
      });
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
  async function buildBatch(
    run: Run,
    query: Query,
    page: ScannedPage,
    fresh: ScannedQuestion[],
    cursor: CursorValue,
    progress?: number,
  ): Promise<SourceBatch> {
    const questions = takeUnseen(run, fresh);
    return toPageBatch(query, page, questions, await collectAnswers(run, query.site, questions), cursor, progress);
  }

  function takeUnseen(run: Run, fresh: readonly ScannedQuestion[]): ScannedQuestion[] {
    return fresh.filter((q) => {
      if (run.seen.has(q.post.externalId)) return false;
      run.seen.add(q.post.externalId);
      return true;
    });
  }

  function toPageBatch(
    query: Query,
    page: ScannedPage,
    questions: ScannedQuestion[],
    answers: FirstAnswers,
    cursor: CursorValue,
    progress?: number,
  ): SourceBatch {
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
  async function collectAnswers(run: Run, site: string, questions: readonly ScannedQuestion[]): Promise<FirstAnswers> {
    const asked = questions.filter((q) => (q.post.comments ?? 0) > 0);
    const parents = new Map<number, AnswerParent>(
      asked.map((q) => [q.id, { externalId: q.post.externalId, url: q.post.url, title: q.post.title }]),
    );
    const items: MappedItem[] = [];
    const unread: ScannedQuestion[] = [];
    let fetched = 0;
    for (let i = 0; i < asked.length; i += ANSWERS_IDS_PER_REQUEST) {
      const chunk = asked.slice(i, i + ANSWERS_IDS_PER_REQUEST);
      const read = await readAnswers(
        run,
        site,
        chunk.map((q) => q.id),
        parents,
      );
      items.push(...read.items);
      fetched += read.fetched;
      if (read.failure === null) continue;
      unread.push(...chunk);
      const questionIds = chunk.map((q) => q.id);
      if (read.failure === 'quota')
        run.ctx.log.warn(
          { site, questions: questionIds.length },
          'Stack Exchange quota at its reserve; keeping these questions without their answers',
        );
      else
        run.ctx.log.warn(
          { site, questions: questionIds, err: read.failure },
          'Stack Exchange answers request failed; keeping the questions without those answers',
        );
    }
    return { ...keepMentions(run, items), fetched, unread };
  }

  /** The answers that name a term and were not yet yielded in this run, and the rejections. */
  function keepMentions(run: Run, items: readonly MappedItem[]): { posts: NormalizedPost[]; rejected: Rejection[] } {
    return collectPosts(
      items.filter((item) => item.kind !== 'post' || run.mentions(item.post.body)),
      run.seen,
    );
  }

  /** Every page of the answers to `questionIds` (created at or after `fromdate` when given), until one fails or the quota reaches its reserve. */
  async function readAnswers(
    run: Run,
    site: string,
    questionIds: number[],
    parents: ReadonlyMap<number, AnswerParent>,
    fromdate?: number,
  ): Promise<AnswersRead> {
    const items: MappedItem[] = [];
    let fetched = 0;
    for (let page = 1; ; page++) {
      if (isQuotaLow()) return { items, fetched, failure: 'quota' };
      try {
        const wrapper = await client.answersPage({ site, questionIds, fromdate, page, pagesize: pageSize, signal: run.ctx.signal });
        fetched += wrapper.items.length;
        items.push(...wrapper.items.map((raw) => mapAnswer(raw, site, parents)));
        if (!wrapper.has_more) return { items, fetched, failure: null };
      } catch (error) {
        if (run.ctx.signal.aborted) throw error;
        return { items, fetched, failure: `page ${page}: ${error instanceof Error ? error.message : String(error)}` };
      }
    }
  }

  /**
   * The cursor after a page: its questions join the tracked ones (window and cap applied), and when the
   * answers of some could not be read, `answersReadAt` goes back to the oldest of them so the next late read covers them.
   */
  function advanceTracking(
    mark: PollCursor,
    yielded: readonly ScannedQuestion[],
    unread: readonly ScannedQuestion[],
    nowS: number,
  ): Pick<PollCursor, 'tracked' | 'answersReadAt' | 'origin'> {
    if (maxTracked === 0) return { tracked: {}, answersReadAt: null, origin: mark.origin };
    const tracked = { ...mark.tracked };
    for (const q of yielded) tracked[String(q.id)] = q.at;
    const kept = trimTracked(tracked, nowS - answersWindowS, maxTracked);
    let readAt = Object.keys(mark.tracked).length > 0 ? (mark.answersReadAt ?? nowS) : nowS;
    for (const q of unread) readAt = Math.min(readAt, q.at);
    const origin = yielded.map((q) => readOrigin(q.post.url)).find((o) => o !== null) ?? mark.origin;
    return { tracked: kept, answersReadAt: Object.keys(kept).length > 0 ? readAt : null, origin };
  }

  /**
   * One request (paged on has_more) for the answers created since the last read, minus an overlap, of
   * every tracked question; yields the ones naming a term in one batch whose cursor records the read.
   * A failed read is logged and leaves the read time, so the next poll asks again.
   */
  async function* readLateAnswers(run: Run, query: Query, mark: PollCursor, nowS: number): AsyncGenerator<SourceBatch> {
    const questionIds = Object.keys(mark.tracked).map(Number);
    if (questionIds.length === 0 || mark.answersReadAt === null || nowS - mark.answersReadAt < answersEveryS) return;
    const { site } = query;
    const parents = new Map<number, AnswerParent>(
      questionIds.map((id) => [
        id,
        { externalId: formatQuestionId(site, id), url: mark.origin ? `${mark.origin}/q/${id}` : null, title: null },
      ]),
    );
    const fromdate = mark.answersReadAt - ANSWERS_OVERLAP_S;
    const read = await readAnswers(run, site, questionIds, parents, fromdate);
    if (read.failure === 'quota')
      run.ctx.log.warn(
        { queryKey: query.queryKey, questions: questionIds.length },
        'Stack Exchange quota at its reserve; late answers left for a later poll',
      );
    else if (read.failure !== null)
      run.ctx.log.warn(
        { queryKey: query.queryKey, fromdate, err: read.failure },
        'Stack Exchange late answers request failed; asking again next poll',
      );
    if (read.fetched === 0 && read.failure !== null) return;
    const found = keepMentions(run, read.items);
    const cursor: PollCursor = read.failure === null ? { ...mark, answersReadAt: nowS } : mark;
    yield { queryKey: query.queryKey, posts: found.posts, events: [], rejected: found.rejected, fetched: read.fetched, cursor };
  }

  async function* pollQuery(run: Run, query: Query, stored: CursorValue | undefined): AsyncGenerator<SourceBatch> {
    const nowS = Math.floor(run.ctx.now().getTime() / 1000);
    const saved = readCursor(PollCursor, stored, run.ctx, query.queryKey);
    let mark: PollCursor = saved ?? {
      from: nowS - Math.floor(lookbackMs / 1000),
      recent: {},
      tracked: {},
      answersReadAt: null,
      origin: null,
    };
    mark = { ...mark, ...advanceTracking(mark, [], [], nowS) };
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
      const questions = takeUnseen(run, fresh);
      const answers = await collectAnswers(run, query.site, questions);
      mark = { ...mark, from, recent: keepSince(recent, from - overlapS), ...advanceTracking(mark, questions, answers.unread, nowS) };
      yield toPageBatch(query, page, questions, answers, mark);
    }
    yield* readLateAnswers(run, query, mark, nowS);
    checkQuota();
  }

  return {
    name: 'stackexchange',
    skipReason: () => (sites.length === 0 ? 'no Stack Exchange sites configured' : null),
    probeUrls: () => [`${options.baseUrl}/info?site=stackoverflow`],

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
