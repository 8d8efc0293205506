import type { CollectorSource, NormalizedEvent, NormalizedPost } from '../core/post.ts';
import type { HttpClient, RateLimit } from './http.ts';

/** What to look for: one entry per tracked entity, its searchable names. */
export interface SearchTerm {
  slug: string;
  /** Names as users write them ("Claude Code", "claude-code"); sources quote them as their API needs. */
  phrases: string[];
}

export interface SourceLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface CollectContext {
  terms: SearchTerm[];
  signal: AbortSignal;
  log: SourceLogger;
  now: () => Date;
}

/** An upstream item that could not be used, and why. It is reported, never stored. */
export interface Rejection {
  externalId: string | null;
  reason: string;
}

export type CursorValue = string | number | boolean | null | CursorValue[] | { [key: string]: CursorValue };

/**
 * One unit of progress. The pipeline stores `posts` and `events` and sets the cursor of
 * (source, queryKey) to `cursor` in ONE transaction, so a crash between batches loses nothing.
 */
export interface SourceBatch {
  queryKey: string;
  posts: NormalizedPost[];
  events: NormalizedEvent[];
  rejected: Rejection[];
  /** Items received from upstream before mapping (posts + rejected + dropped deletions). */
  fetched: number;
  cursor: CursorValue;
  /** Fraction of the work done, 0..1, when the source can tell (backfill windows). */
  progress?: number;
  /**
   * Every item mapped from upstream, in upstream order, kept as a post or not (an item that mentions
   * no tracked term). Only `preview` reads it; sources that filter nothing may leave it out.
   */
  mapped?: NormalizedPost[];
}

export interface BackfillWindow {
  since: Date;
  until: Date;
}

export interface Source {
  readonly name: CollectorSource;
  /** Null when the source can run; otherwise why it is skipped (missing credentials, no forums configured). */
  skipReason(): string | null;
  /** The URLs `vibecheck doctor` asks to see that the source's hosts answer: one per forum, instance or feed of a source of several. */
  probeUrls?(): string[];
  /** New items since the stored cursors (keyed by queryKey), newest work first is fine. */
  poll(ctx: CollectContext, cursors: ReadonlyMap<string, CursorValue>): AsyncIterable<SourceBatch>;
  /** Historical items created inside the window, resuming from the stored cursors. */
  backfill?(ctx: CollectContext, window: BackfillWindow, cursors: ReadonlyMap<string, CursorValue>): AsyncIterable<SourceBatch>;
}

export type { HttpClient };

/** What every source factory accepts; production passes the documented limits, tests shrink them. */
export interface SourceHttpOptions {
  baseUrl: string;
  userAgent?: string;
  rateLimit?: RateLimit;
  timeoutMs?: number;
  retries?: number;
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  maxRetryAfterMs?: number;
}
