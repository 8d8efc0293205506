import type { NormalizedPost } from '../../core/post.ts';
import { computeProgress, resumeThenWalk, toBatch, type Share } from '../batching.ts';
import { isCursorObject, readPagedBackfillCursor, readPagedPollCursor, writePagedPollCursor, type PagedPollCursor } from '../cursor.ts';
import { rankQuotedPhrases } from '../terms.ts';
import type { BackfillWindow, CollectContext, CursorValue, Rejection, SearchTerm, SourceBatch } from '../types.ts';
import { DiscourseSearchPost, DiscourseSearchTopic } from './api-types.ts';
import type { DiscourseClient } from './client.ts';
import { mapDiscoursePost, readPostId } from './mapper.ts';

/** Search mode keeps the largest post id (and its date, for `after:`) of the last finished walk. */
export type DiscourseSearchCursor = PagedPollCursor<{ id: number; at: string }>;

interface SearchPage {
  posts: NormalizedPost[];
  rejected: Rejection[];
  fetched: number;
  newest: { id: number; at: string } | null;
  minId: number | null;
  oldest: Date | null;
  more: boolean;
}

const DAY_MS = 86_400_000;
const SEARCH_PAGE_SIZE = 50;

/** `after:` and `before:` take whole days; a day of slack either side, then exact filtering here. */
const formatDay = (date: Date): string => date.toISOString().slice(0, 10);

export interface SearchQuery {
  queryKey: string;
  /** The phrase quoted, so Discourse matches its words together. */
  quoted: string;
}

/**
 * One search per distinct phrase of the terms, keyed per forum by its quoted form. Every term's first
 * phrase comes before any term's second, so main names are searched before aliases.
 */
export function buildSearchQueries(forumUrl: string, terms: SearchTerm[]): SearchQuery[] {
  return rankQuotedPhrases(terms)
    .flat()
    .map((quoted) => ({ queryKey: `forum:${forumUrl}:search:${quoted}`, quoted }));
}

/** One search page, its hits replaced by the full posts (fetched per topic) so bodies are not truncated blurbs. */
async function readSearchPage(
  ctx: CollectContext,
  client: DiscourseClient,
  q: string,
  page: number,
  keep: (id: number, createdAt: Date) => boolean,
  runSeen: Set<string>,
): Promise<SearchPage> {
  const response = await client.search(q, page, ctx.signal);
  const result: SearchPage = {
    posts: [],
    rejected: [],
    fetched: response.posts.length,
    newest: null,
    minId: null,
    oldest: null,
    more: false,
  };
  result.more = response.grouped_search_result?.more_full_page_results ?? response.posts.length >= SEARCH_PAGE_SIZE;
  const topics = new Map<number, DiscourseSearchTopic>();
  for (const raw of response.topics) {
    const topic = DiscourseSearchTopic.safeParse(raw);
    if (topic.success) topics.set(topic.data.id, topic.data);
  }
  const wanted = new Map<number, number[]>();
  const host = new URL(client.forum.url).host;
  for (const raw of response.posts) {
    const hit = DiscourseSearchPost.safeParse(raw);
    const createdAt = hit.success ? new Date(hit.data.created_at) : null;
    if (!hit.success || !createdAt || Number.isNaN(createdAt.getTime())) {
      const id = readPostId(raw);
      result.rejected.push({
        externalId: id === null ? null : `${host}:${id}`,
        reason: 'invalid search hit (id, topic_id, post_number or created_at)',
      });
      continue;
    }
    const { id, topic_id: topicId } = hit.data;
    if (!result.newest || id > result.newest.id) result.newest = { id, at: createdAt.toISOString() };
    result.minId = Math.min(result.minId ?? id, id);
    if (!result.oldest || createdAt < result.oldest) result.oldest = createdAt;
    if (!keep(id, createdAt) || runSeen.has(`${host}:${id}`)) continue;
    wanted.set(topicId, [...(wanted.get(topicId) ?? []), id]);
  }
  for (const [topicId, ids] of wanted) {
    const topic = topics.get(topicId);
    const full = await client.topicPosts(topicId, ids, ctx.signal);
    for (const raw of full.post_stream.posts) {
      const id = readPostId(raw);
      if (id === null || !ids.includes(id)) continue;
      const enriched = typeof raw === 'object' && raw !== null ? { topic_title: topic?.title, topic_slug: topic?.slug, ...raw } : raw;
      const mapped = mapDiscoursePost(enriched, client.forum.url);
      if (mapped.kind === 'rejected') result.rejected.push(mapped.rejection);
      if (mapped.kind !== 'post' || runSeen.has(mapped.post.externalId)) continue;
      runSeen.add(mapped.post.externalId);
      result.posts.push(mapped.post);
    }
  }
  return result;
}

/** Newest first by `order:latest`, down to the high-water post id; an unfinished walk resumes at its page. */
export async function* pollSearchPhrase(
  ctx: CollectContext,
  client: DiscourseClient,
  query: SearchQuery,
  stored: DiscourseSearchCursor,
  maxPages: number,
  lookbackMs: number,
  runSeen: Set<string>,
): AsyncGenerator<SourceBatch> {
  const lookbackStart = new Date(ctx.now().getTime() - lookbackMs);
  let pages = 0;

  async function* descend(
    startPage: number,
    hwm: DiscourseSearchCursor['hwm'],
    knownTop: DiscourseSearchCursor['hwm'],
  ): AsyncGenerator<SourceBatch, boolean> {
    let top = knownTop;
    const from = hwm ? new Date(hwm.at) : lookbackStart;
    const q = `${query.quoted} after:${formatDay(new Date(from.getTime() - DAY_MS))} order:latest`;
    for (let page = startPage; ; page++) {
      if (pages >= maxPages) return false;
      const keep = (id: number, createdAt: Date): boolean => (hwm ? id > hwm.id : createdAt >= lookbackStart);
      const result = await readSearchPage(ctx, client, q, page, keep, runSeen);
      pages++;
      if (!top) top = result.newest && (!hwm || result.newest.id > hwm.id) ? result.newest : hwm;
      const passedMark = hwm ? result.minId !== null && result.minId <= hwm.id : result.oldest !== null && result.oldest < lookbackStart;
      const reachedEnd = result.fetched === 0 || !result.more || passedMark;
      const cursor: DiscourseSearchCursor = reachedEnd || !top ? { hwm: top, walk: null } : { hwm, walk: { top, page: page + 1 } };
      yield toBatch(query.queryKey, result, serializeCursor(cursor));
      if (reachedEnd) return true;
    }
  }

  yield* resumeThenWalk(stored, (resume, hwm) => descend(resume?.page ?? 1, hwm, resume?.top ?? null));
}

/** The window as `after:`/`before:` days, pages walked in order and filtered to the exact instants. */
export async function* backfillSearchPhrase(
  ctx: CollectContext,
  client: DiscourseClient,
  query: SearchQuery,
  window: BackfillWindow,
  stored: CursorValue | undefined,
  runSeen: Set<string>,
  share: Share,
): AsyncGenerator<SourceBatch> {
  const queryKey = `backfill:${query.queryKey}`;
  const since = window.since.toISOString();
  const until = window.until.toISOString();
  const resumed = readPagedBackfillCursor(stored, since, until);
  if (resumed?.done) return;
  const q = `${query.quoted} after:${formatDay(new Date(window.since.getTime() - DAY_MS))} before:${formatDay(new Date(window.until.getTime() + DAY_MS))} order:latest`;
  const range = { since: window.since.getTime(), until: window.until.getTime() };
  for (let page = resumed?.page ?? 1; ; page++) {
    const keep = (_id: number, createdAt: Date): boolean => createdAt >= window.since && createdAt < window.until;
    const result = await readSearchPage(ctx, client, q, page, keep, runSeen);
    const done = result.fetched === 0 || !result.more || (result.oldest !== null && result.oldest < window.since);
    yield toBatch(
      queryKey,
      result,
      { since, until, page: page + 1, done },
      computeProgress(share, range, result.oldest?.getTime() ?? null, done),
    );
    if (done) return;
  }
}

function serializeCursor(cursor: DiscourseSearchCursor): CursorValue {
  return writePagedPollCursor(cursor, (mark) => ({ ...mark }));
}

function readMark(value: CursorValue | undefined): { id: number; at: string } | null {
  if (!isCursorObject(value)) return null;
  return typeof value.id === 'number' && typeof value.at === 'string' ? { id: value.id, at: value.at } : null;
}

export function readSearchCursor(value: CursorValue | undefined): DiscourseSearchCursor {
  return readPagedPollCursor(value, readMark);
}
