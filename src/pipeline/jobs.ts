import { z } from 'zod';
import { CollectorSource } from '../core/post.ts';
import { ImportLine } from './import-posts.ts';

/**
 * The work VibeCheck does, as coarse jobs with typed payloads. The in-process scheduler runs them
 * today; a Postgres-backed queue can run the same catalog across machines.
 */
export const JOB_CATALOG = {
  'source.poll': {
    payload: z.object({ source: CollectorSource }),
    timeoutMs: 30 * 60_000,
    retries: 0,
    /** Never two polls of one source at once. */
    concurrencyKey: (p: { source: string }) => `source:${p.source}`,
  },
  'source.backfill': {
    payload: z.object({ source: CollectorSource, since: z.coerce.date(), until: z.coerce.date() }),
    timeoutMs: 6 * 3_600_000,
    retries: 3,
    concurrencyKey: (p: { source: string }) => `source:${p.source}`,
  },
  /** Link, score and store a batch of posts given in the import format; parallel-safe (upserts). */
  'posts.ingest': {
    payload: z.object({ posts: z.array(ImportLine).min(1).max(1000) }),
    timeoutMs: 10 * 60_000,
    retries: 5,
    concurrencyKey: (): string | null => null,
  },
  'rollups.rebuild': {
    payload: z.object({ from: z.coerce.date(), to: z.coerce.date() }),
    timeoutMs: 30 * 60_000,
    retries: 3,
    concurrencyKey: () => 'rollups',
  },
  rescore: {
    payload: z.object({ since: z.coerce.date().nullable() }),
    timeoutMs: 6 * 3_600_000,
    retries: 3,
    concurrencyKey: () => 'rescore',
  },
  'spikes.detect': {
    payload: z.object({ days: z.number().int().min(1).max(365).default(14) }),
    timeoutMs: 10 * 60_000,
    retries: 2,
    concurrencyKey: () => 'spikes',
  },
  /** Judge every alert rule, then send what fired; one evaluation at a time (each rule is also row-locked). */
  'alerts.evaluate': {
    payload: z.object({}),
    timeoutMs: 10 * 60_000,
    retries: 1,
    concurrencyKey: () => 'alerts.evaluate',
  },
  /** Send due alerts from the outbox; parallel-safe (rows are claimed with SKIP LOCKED under a lease). */
  'alerts.deliver': {
    payload: z.object({}),
    timeoutMs: 5 * 60_000,
    retries: 0,
    concurrencyKey: (): string | null => null,
  },
} as const;

export type JobName = keyof typeof JOB_CATALOG;
export type JobPayload<N extends JobName> = z.infer<(typeof JOB_CATALOG)[N]['payload']>;
/** What a caller hands over: the payload schema's input (dates may be ISO strings, defaults left out). */
export type JobPayloadInput<N extends JobName> = z.input<(typeof JOB_CATALOG)[N]['payload']>;

export type JobHandlers = { [N in JobName]: (payload: JobPayload<N>, signal: AbortSignal) => Promise<unknown> };

/** The job's concurrency key; null when jobs of this kind may run side by side. */
export function concurrencyKeyOf<N extends JobName>(name: N, payload: JobPayload<N>): string | null {
  const keyOf = JOB_CATALOG[name].concurrencyKey as (p: JobPayload<N>) => string | null;
  return keyOf(payload);
}

/**
 * Runs catalog jobs in this process: payloads validated, one job per concurrency key at a time
 * (a second request for a busy key is refused, not queued), each bounded by its timeout.
 */
export class InProcessJobRunner {
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly controller = new AbortController();
  private unkeyed = 0;
  private readonly handlers: JobHandlers;

  constructor(handlers: JobHandlers) {
    this.handlers = handlers;
  }

  isBusy(key: string): boolean {
    return this.running.has(key);
  }

  /** Undefined when a job with the same concurrency key is already running. */
  run<N extends JobName>(name: N, payload: JobPayloadInput<N>): Promise<unknown> | undefined {
    const spec = JOB_CATALOG[name];
    const parsed = spec.payload.parse(payload) as JobPayload<N>;
    const key = concurrencyKeyOf(name, parsed) ?? `${name}:${++this.unkeyed}`;
    if (this.running.has(key) || this.controller.signal.aborted) return undefined;
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(spec.timeoutMs)]);
    const handler = this.handlers[name] as (p: JobPayload<N>, s: AbortSignal) => Promise<unknown>;
    const job = handler(parsed, signal).finally(() => this.running.delete(key));
    this.running.set(key, job);
    return job;
  }

  /** Signals every running job to stop and waits for them to wind down. */
  async stop(): Promise<void> {
    this.controller.abort(new Error('shutting down'));
    await Promise.allSettled([...this.running.values()]);
  }
}
