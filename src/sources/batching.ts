import type { NormalizedPost } from '../core/post.ts';
import { UpstreamError } from './http.ts';
import type { CollectContext, CursorValue, Rejection, SourceBatch } from './types.ts';

/** What a mapper makes of one upstream item: a post, a rejection, or an item dropped on purpose (deleted). */
export type MappedItem = { kind: 'post'; post: NormalizedPost } | { kind: 'rejected'; rejection: Rejection } | { kind: 'dropped' };

/** What one page of upstream items came to: new posts, rejections, and how many items were read. */
export interface PageYield {
  posts: NormalizedPost[];
  rejected: Rejection[];
  fetched: number;
}

/** This query's place in a run: query `index` of `count`, for progress. */
export interface Share {
  index: number;
  count: number;
}

/** Splits mapped items into posts and rejections; a post already taken in this run (`seenIds`) is left out. */
export function collectPosts(items: readonly MappedItem[], seenIds: Set<string>): { posts: NormalizedPost[]; rejected: Rejection[] } {
  const posts: NormalizedPost[] = [];
  const rejected: Rejection[] = [];
  for (const item of items) {
    if (item.kind === 'rejected') rejected.push(item.rejection);
    else if (item.kind === 'post' && !seenIds.has(item.post.externalId)) {
      seenIds.add(item.post.externalId);
      posts.push(item.post);
    }
  }
  return { posts, rejected };
}

/** The batch of one page: its posts and rejections under `queryKey`, committed with `cursor`. */
export function toBatch(queryKey: string, page: PageYield, cursor: CursorValue, progress?: number): SourceBatch {
  const batch: SourceBatch = { queryKey, posts: page.posts, events: [], rejected: page.rejected, fetched: page.fetched, cursor };
  if (progress !== undefined) batch.progress = progress;
  return batch;
}

/**
 * Progress of a backfill that walks down from `window.until` to `window.since` (any one time unit):
 * `reached` is the oldest instant seen so far (null: none yet), and the query's part is weighed by `share`.
 */
export function computeProgress(share: Share, window: { since: number; until: number }, reached: number | null, done: boolean): number {
  const span = Math.max(1, window.until - window.since);
  const walked = done ? 1 : reached === null ? 0 : Math.min(1, Math.max(0, (window.until - reached) / span));
  return (share.index + walked) / share.count;
}

/**
 * A poll that walks down from the newest item to a high-water mark: a walk left unfinished by the last
 * poll is completed first (down to the old mark), then a fresh walk runs down to that walk's top.
 * `descend` returns false when the poll's page budget ran out, which ends the poll there.
 */
export async function* resumeThenWalk<Mark, Walk extends { top: Mark }>(
  stored: { hwm: Mark | null; walk: Walk | null },
  descend: (resume: Walk | null, hwm: Mark | null) => AsyncGenerator<SourceBatch, boolean>,
): AsyncGenerator<SourceBatch> {
  let hwm = stored.hwm;
  if (stored.walk) {
    if (!(yield* descend(stored.walk, hwm))) return;
    hwm = stored.walk.top;
  }
  yield* descend(null, hwm);
}

/** How a source names its independent targets in logs and errors: `forum`, `forums`, `discourse`. */
export interface TargetNames {
  one: string;
  many: string;
  source: string;
}

/** Some of a run's independent targets failed: each one with its own message. */
export class TargetsFailedError extends UpstreamError {
  readonly failures: ReadonlyArray<{ target: string; message: string }>;

  constructor(message: string, details: { url: string; failures: Array<{ target: string; message: string }> }) {
    super(message, { url: details.url, retryable: false });
    this.name = 'TargetsFailedError';
    this.failures = details.failures;
  }
}

/**
 * Runs every target (a forum, a feed: independent sites) in turn. One that fails is logged and the
 * others still run; the failures are thrown together at the end. An abort ends the run at once.
 */
export async function* runEachTarget<T>(
  ctx: CollectContext,
  targets: readonly T[],
  urlOf: (target: T) => string,
  names: TargetNames,
  run: (target: T, index: number) => AsyncGenerator<SourceBatch>,
): AsyncGenerator<SourceBatch> {
  const failures: Array<{ target: string; message: string }> = [];
  for (const [index, target] of targets.entries()) {
    if (ctx.signal.aborted) return;
    try {
      yield* run(target, index);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      ctx.log.warn({ [names.one]: urlOf(target), err: message }, `${names.one} failed`);
      failures.push({ target: urlOf(target), message });
    }
  }
  if (failures.length > 0) {
    const first = targets[0];
    const listed = failures.map((f) => `${f.target}: ${f.message}`).join('; ');
    throw new TargetsFailedError(`${failures.length} of ${targets.length} ${names.many} failed: ${listed}`, {
      url: targets.length === 1 && first !== undefined ? urlOf(first) : `${names.source}:${names.many}`,
      failures,
    });
  }
}
