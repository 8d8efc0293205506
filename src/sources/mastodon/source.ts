import type { NormalizedPost } from '../../core/post.ts';
import { computeProgress, type Share } from '../batching.ts';
import { isCursorObject, readWindowCursor } from '../cursor.ts';
import { UpstreamError } from '../http.ts';
import type { BackfillWindow, CollectContext, CursorValue, Rejection, Source, SourceBatch } from '../types.ts';
import { MASTODON_PAGE_LIMIT, MastodonClient, type MastodonClientOptions, type MastodonInstance, type TimelinePage } from './client.ts';
import { compareIds, deriveHashtags, mapStatus } from './mapper.ts';

export interface MastodonSourceOptions extends MastodonClientOptions {
  instances: Array<string | MastodonInstance>;
  /** Pages of one hashtag one poll may read; the cursor carries on from there next time. */
  maxPagesPerPoll?: number;
  /** The first poll of a hashtag keeps statuses this recent from the newest page. */
  initialLookbackMs?: number;
}

interface PageResult {
  posts: NormalizedPost[];
  rejected: Rejection[];
  maxId: string | null;
  minId: string | null;
  oldest: Date | null;
}

interface Query {
  client: MastodonClient;
  tag: string;
  queryKey: string;
}

const DAY_MS = 86_400_000;

export function createMastodonSource(options: MastodonSourceOptions): Source {
  const clients = options.instances.map(
    (instance) => new MastodonClient(typeof instance === 'string' ? { url: instance } : instance, options),
  );
  const maxPages = options.maxPagesPerPoll ?? 10;
  const lookbackMs = options.initialLookbackMs ?? DAY_MS;

  function mapPage(page: TimelinePage, instanceUrl: string, runSeen: Set<string>, keep: (createdAt: Date) => boolean): PageResult {
    const result: PageResult = { posts: [], rejected: [], maxId: null, minId: null, oldest: null };
    for (const raw of page.statuses) {
      const mapped = mapStatus(raw, instanceUrl);
      if (mapped.id !== null) {
        if (result.maxId === null || compareIds(mapped.id, result.maxId) > 0) result.maxId = mapped.id;
        if (result.minId === null || compareIds(mapped.id, result.minId) < 0) result.minId = mapped.id;
      }
      if (mapped.kind === 'rejected') {
        result.rejected.push(mapped.rejection);
        continue;
      }
      const { post } = mapped;
      if (!result.oldest || post.createdAt < result.oldest) result.oldest = post.createdAt;
      if (!keep(post.createdAt) || runSeen.has(post.externalId)) continue;
      runSeen.add(post.externalId);
      result.posts.push(post);
    }
    return result;
  }

  /** Newer statuses with min_id, oldest page first, so every yielded cursor is a safe resume point. */
  async function* pollTag(ctx: CollectContext, query: Query, stored: string | null, runSeen: Set<string>): AsyncGenerator<SourceBatch> {
    const { client, tag, queryKey } = query;
    if (stored === null) {
      const lookbackStart = new Date(ctx.now().getTime() - lookbackMs);
      const page = await client.tagTimeline(tag, {}, ctx.signal);
      const result = mapPage(page, client.instance.url, runSeen, (at) => at >= lookbackStart);
      // An empty first page means the tag has no statuses yet, so everything after id 0 is new.
      yield buildBatch(queryKey, page, result, { minId: result.maxId ?? '0' });
      return;
    }
    let minId = stored;
    for (let pages = 0; pages < maxPages; pages++) {
      const page = await client.tagTimeline(tag, { minId }, ctx.signal);
      const result = mapPage(page, client.instance.url, runSeen, () => true);
      const next = [result.maxId, page.prevMinId, minId]
        .filter((id): id is string => id !== null)
        .reduce((a, b) => (compareIds(a, b) >= 0 ? a : b));
      if (page.statuses.length === 0 && pages > 0) return;
      yield buildBatch(queryKey, page, result, { minId: next });
      if (page.statuses.length < MASTODON_PAGE_LIMIT || next === minId) return;
      minId = next;
    }
  }

  async function* backfillTag(
    ctx: CollectContext,
    query: Query,
    window: BackfillWindow,
    stored: CursorValue | undefined,
    runSeen: Set<string>,
    share: Share,
  ): AsyncGenerator<SourceBatch> {
    const { client, tag } = query;
    const queryKey = `backfill:${query.queryKey}`;
    const since = window.since.toISOString();
    const until = window.until.toISOString();
    const resumed = readBackfillCursor(stored, since, until);
    if (resumed?.done) return;
    let maxId = resumed?.maxId ?? null;
    const range = { since: window.since.getTime(), until: window.until.getTime() };
    for (;;) {
      const page = await client.tagTimeline(tag, maxId === null ? {} : { maxId }, ctx.signal);
      const result = mapPage(page, client.instance.url, runSeen, (at) => at >= window.since && at < window.until);
      const nextMax = result.minId ?? page.nextMaxId;
      const done = page.statuses.length === 0 || nextMax === null || (result.oldest !== null && result.oldest < window.since);
      const progress = computeProgress(share, range, result.oldest?.getTime() ?? null, done);
      yield { ...buildBatch(queryKey, page, result, { since, until, maxId: nextMax ?? maxId, done }), progress };
      if (done) return;
      maxId = nextMax;
    }
  }

  function buildQueries(ctx: CollectContext): Query[] {
    const tags = [...new Set(ctx.terms.flatMap((term) => deriveHashtags(term.phrases)))];
    return clients.flatMap((client) => tags.map((tag) => ({ client, tag, queryKey: `${new URL(client.instance.url).host}/tags/${tag}` })));
  }

  /** Instances are independent servers: each is tried, and the failures are thrown together at the end. */
  async function* eachQuery(
    ctx: CollectContext,
    run: (query: Query, index: number, count: number) => AsyncGenerator<SourceBatch>,
  ): AsyncGenerator<SourceBatch> {
    const queries = buildQueries(ctx);
    const failed = new Map<string, string>();
    for (const [index, query] of queries.entries()) {
      if (ctx.signal.aborted) return;
      if (failed.has(query.client.instance.url)) continue;
      try {
        yield* run(query, index, queries.length);
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        const message = error instanceof Error ? error.message : String(error);
        ctx.log.warn({ instance: query.client.instance.url, tag: query.tag, err: message }, 'mastodon query failed');
        failed.set(query.client.instance.url, `#${query.tag}: ${message}`);
      }
    }
    if (failed.size > 0) {
      const list = [...failed].map(([url, why]) => `${url} ${why}`).join('; ');
      throw new UpstreamError(`${failed.size} of ${clients.length} instances failed: ${list}`, {
        url: [...failed.keys()][0] ?? 'mastodon',
        retryable: false,
      });
    }
  }

  return {
    name: 'mastodon',
    skipReason: () => (clients.length === 0 ? 'no Mastodon instances configured' : null),
    probeUrls: () => clients.map((client) => client.instance.url),

    poll(ctx, cursors) {
      const runSeen = new Set<string>();
      return eachQuery(ctx, (query) => pollTag(ctx, query, readPollCursor(cursors.get(query.queryKey)), runSeen));
    },

    backfill(ctx, window, cursors) {
      const runSeen = new Set<string>();
      return eachQuery(ctx, (query, index, count) =>
        backfillTag(ctx, query, window, cursors.get(`backfill:${query.queryKey}`), runSeen, { index, count }),
      );
    },
  };
}

function buildBatch(queryKey: string, page: TimelinePage, result: PageResult, cursor: CursorValue): SourceBatch {
  return { queryKey, posts: result.posts, events: [], rejected: result.rejected, fetched: page.statuses.length, cursor };
}

function readPollCursor(value: CursorValue | undefined): string | null {
  if (!isCursorObject(value)) return null;
  return typeof value.minId === 'string' && /^\d+$/.test(value.minId) ? value.minId : null;
}

function readBackfillCursor(value: CursorValue | undefined, since: string, until: string): { maxId: string | null; done: boolean } | null {
  const fields = readWindowCursor(value, since, until);
  return fields && { maxId: typeof fields.maxId === 'string' ? fields.maxId : null, done: fields.done === true };
}
