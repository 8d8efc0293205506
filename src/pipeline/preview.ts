import type { EventKind, NormalizedEvent, NormalizedPost } from '../core/post.ts';
import type { Logger } from '../config/logger.ts';
import { listEntities, type Executor } from '../db/queries/entities.ts';
import { TargetsFailedError } from '../sources/batching.ts';
import { UpstreamError } from '../sources/http.ts';
import { feedUrlOfQueryKey } from '../sources/rss/index.ts';
import type { SearchTerm, Source, SourceBatch, SourceLogger } from '../sources/types.ts';
import { createLinker, type Linker } from '../understand/linking/index.ts';
import { documentText } from './analyze.ts';
import { buildSearchTerms, type ConfiguredSource } from './sources.ts';

/** One item as `preview --json` prints it (interface.md), plus the event it would record. */
export interface PreviewItem {
  externalId: string;
  url: string | null;
  title: string | null;
  body: string;
  createdAt: string;
  author: string | null;
  /** Slugs the linker finds in the item, over the shipped registry. */
  entities: string[];
  /** `post`: stored as a post; `event`: recorded only as an event; `ignored`: read, but neither. */
  kind: 'post' | 'event' | 'ignored';
  /** The release or incident the item records, whatever its kind. */
  event: EventKind | null;
  /** The feed an rss item came from; null for other sources. */
  feed: string | null;
}

export interface PreviewError {
  /** The feed, forum, instance or query that failed. */
  where: string;
  message: string;
}

export interface PreviewRejection {
  where: string;
  externalId: string | null;
  reason: string;
}

export interface PreviewResult {
  items: PreviewItem[];
  errors: PreviewError[];
  rejected: PreviewRejection[];
}

export interface PreviewOptions {
  source: Source;
  terms: SearchTerm[];
  linker: Linker;
  log: SourceLogger;
  signal: AbortSignal;
  /** What `where` names when a whole poll fails (the query searched); the failing URL otherwise. */
  query?: string;
  /** Stop polling once this many items are in hand. */
  limit?: number;
  now?: () => Date;
}

/**
 * One poll of a source with no stored cursors, as the schedule would run it now, but nothing is
 * stored: every item read comes back with the entities it mentions and what a collection would make
 * of it, and every failure with where it happened. It never throws: a failure, or a stop, is a result.
 */
export async function previewSource(options: PreviewOptions): Promise<PreviewResult> {
  const { source, linker } = options;
  const result: PreviewResult = { items: [], errors: [], rejected: [] };
  const ctx = { terms: options.terms, signal: options.signal, log: options.log, now: options.now ?? (() => new Date()) };
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  try {
    for await (const batch of source.poll(ctx, new Map())) {
      const feed = source.name === 'rss' ? feedUrlOfQueryKey(batch.queryKey) : null;
      for (const rejection of batch.rejected) result.rejected.push({ where: feed ?? batch.queryKey, ...rejection });
      for (const item of listBatchItems(batch)) {
        if (result.items.length >= limit) break;
        result.items.push(toPreviewItem(item, linkEntities(linker, item.post), feed));
      }
      if (result.items.length >= limit) break;
    }
  } catch (error) {
    result.errors.push(
      ...(options.signal.aborted ? [{ where: source.name, message: 'interrupted' }] : describeFailure(error, source.name, options.query)),
    );
  }
  return result;
}

export interface SourcePreviewRequest {
  /** Look for this text instead of the tracked entities. */
  query?: string;
  limit: number;
  signal: AbortSignal;
}

/** A configured source's preview, or why there is none. */
export type SourcePreviewOutcome =
  { status: 'done'; result: PreviewResult } | { status: 'unknown' } | { status: 'skipped'; reason: string };

export type SourcePreviewer = (name: string, request: SourcePreviewRequest) => Promise<SourcePreviewOutcome>;

/**
 * Previews for a running server: one poll of a configured source as its schedule would run it now,
 * over the entities tracked in the database (with their edits), linked by the same linker, nothing
 * stored.
 */
export function createSourcePreviewer(db: Executor, sources: readonly ConfiguredSource[], log: Logger): SourcePreviewer {
  return async (name, request) => {
    const source = sources.find((s) => s.source.name === name)?.source;
    if (!source) return { status: 'unknown' };
    const skip = source.skipReason();
    if (skip) return { status: 'skipped', reason: skip };
    const entities = await listEntities(db);
    const result = await previewSource({
      source,
      terms: request.query ? [{ slug: 'query', phrases: [request.query] }] : buildSearchTerms(entities),
      linker: createLinker(entities),
      log: log.child({ source: name, command: 'preview' }),
      signal: request.signal,
      query: request.query,
      limit: request.limit,
    });
    return { status: 'done', result };
  };
}

interface BatchItem {
  post: NormalizedPost;
  kind: PreviewItem['kind'];
  event: EventKind | null;
}

/** A batch's items in upstream order when the source lists them all, else its posts then its events. */
export function listBatchItems(batch: SourceBatch): BatchItem[] {
  const eventOf = new Map(batch.events.map((e) => [e.externalId, e]));
  const kept = new Set(batch.posts.map((p) => p.externalId));
  if (batch.mapped) {
    return batch.mapped.map((post) => {
      const event = eventOf.get(post.externalId)?.kind ?? null;
      return { post, kind: kept.has(post.externalId) ? 'post' : event ? 'event' : 'ignored', event };
    });
  }
  const posts: BatchItem[] = batch.posts.map((post) => ({ post, kind: 'post', event: eventOf.get(post.externalId)?.kind ?? null }));
  const events: BatchItem[] = batch.events
    .filter((e) => !kept.has(e.externalId))
    .map((e) => ({ post: eventAsPost(e), kind: 'event', event: e.kind }));
  return [...posts, ...events];
}

function eventAsPost(event: NormalizedEvent): NormalizedPost {
  return {
    source: event.source,
    externalId: event.externalId,
    url: event.url,
    author: null,
    title: event.title,
    body: event.body ?? '',
    createdAt: event.occurredAt,
    score: null,
    comments: null,
    parentId: null,
    threadId: null,
  };
}

function toPreviewItem({ post, kind, event }: BatchItem, entities: string[], feed: string | null): PreviewItem {
  return {
    externalId: post.externalId,
    url: post.url,
    title: post.title,
    body: post.body,
    createdAt: post.createdAt.toISOString(),
    author: post.author,
    entities,
    kind,
    feed,
    event,
  };
}

function linkEntities(linker: Linker, post: NormalizedPost): string[] {
  return [...new Set(linker.link(documentText(post)).map((m) => m.slug))];
}

function describeFailure(error: unknown, sourceName: string, query: string | undefined): PreviewError[] {
  if (error instanceof TargetsFailedError) return error.failures.map((f) => ({ where: f.target, message: f.message }));
  const message = error instanceof Error ? error.message : String(error);
  const where = query ?? (error instanceof UpstreamError ? error.url : sourceName);
  return [{ where, message }];
}
