import { onTestFinished } from 'vitest';
import { startFakeUpstream, type FakeHandler, type FakeUpstream } from './fake-upstream.ts';
import type { CollectContext, CursorValue, SearchTerm, SourceBatch, SourceHttpOptions } from '../../src/sources/types.ts';

/** HTTP options that keep a source test fast: tight request spacing, a short timeout, short retry delays. */
export type FastHttpOptions = Required<Pick<SourceHttpOptions, 'rateLimit' | 'timeoutMs' | 'minRetryDelayMs' | 'maxRetryDelayMs'>>;

/** The fast HTTP options, as a fresh object so no two sources share one; `minTimeMs` spaces requests. */
export function fastHttp(minTimeMs = 5): FastHttpOptions {
  return { rateLimit: { minTimeMs }, timeoutMs: 300, minRetryDelayMs: 5, maxRetryDelayMs: 20 };
}

/** One line a test context's logger received. */
export interface LoggedLine {
  level: 'debug' | 'info' | 'warn';
  msg: string;
}

/** Search terms from `[slug, phrases]` pairs. */
export function termsOf(pairs: Array<[string, string[]]>): SearchTerm[] {
  return pairs.map(([slug, phrases]) => ({ slug, phrases }));
}

/** A CollectContext over `terms` whose clock stands at `now`; every log line is appended to `logs`. */
export function makeContext(terms: SearchTerm[], now: Date, logs: LoggedLine[] = []): CollectContext {
  const push = (level: LoggedLine['level']) => (_obj: object, msg?: string) => {
    logs.push({ level, msg: msg ?? '' });
  };
  return {
    terms,
    signal: new AbortController().signal,
    log: { debug: push('debug'), info: push('info'), warn: push('warn') },
    now: () => now,
  };
}

/** The messages of the warnings among `logs`. */
export function warningsIn(logs: LoggedLine[]): string[] {
  return logs.filter((line) => line.level === 'warn').map((line) => line.msg);
}

/** What a drained run produced: its batches, and the error that ended it (null when it finished). */
export interface Drained {
  batches: SourceBatch[];
  error: unknown;
}

/** Collects batches; with `limit`, stops after that many, as a collector killed right after a commit would. */
export async function drain(iterable: AsyncIterable<SourceBatch>, limit = Number.POSITIVE_INFINITY): Promise<Drained> {
  const batches: SourceBatch[] = [];
  try {
    for await (const batch of iterable) {
      batches.push(batch);
      if (batches.length >= limit) break;
    }
    return { batches, error: null };
  } catch (error) {
    return { batches, error };
  }
}

/** The external ids of every post in `batches`, in the order they were yielded. */
export function ids(batches: SourceBatch[]): string[] {
  return batches.flatMap((batch) => batch.posts.map((post) => post.externalId));
}

/** The cursor each query key was last left at: what the pipeline would have stored after these batches. */
export function lastCursors(batches: SourceBatch[]): Map<string, CursorValue> {
  return new Map(batches.map((batch) => [batch.queryKey, batch.cursor]));
}

/** Starts a fake upstream that closes when the running test finishes, passed or failed. */
export async function serveUpstream(handler: FakeHandler): Promise<FakeUpstream> {
  const upstream = await startFakeUpstream(handler);
  onTestFinished(() => upstream.close());
  return upstream;
}
