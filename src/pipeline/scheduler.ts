import type { Logger } from '../config/logger.ts';
import type { CollectorSource } from '../core/post.ts';
import type { JobQueue } from './queue.ts';
import type { ConfiguredSource } from './sources.ts';

export interface Scheduler {
  stop(): Promise<void>;
}

/** Where a due poll goes: run here (InProcessJobRunner) or onto the queue (`queuePolls`). */
export interface PollRunner {
  /** Undefined when the source is already being polled. */
  run(name: 'source.poll', payload: { source: CollectorSource }): Promise<unknown> | undefined;
  stop(): Promise<void>;
}

/**
 * Polls go onto the queue, at most one per source and interval slot whoever enqueues it, so any
 * number of schedulers may run; the worker's advisory lock keeps two polls of a source from overlapping.
 */
export function queuePolls(queue: JobQueue, sources: ConfiguredSource[]): PollRunner {
  const intervals = new Map(sources.map((s) => [s.source.name, s.intervalMs]));
  return {
    run: (name, payload) =>
      queue.enqueue(name, payload, { throttleSeconds: Math.max(1, Math.round((intervals.get(payload.source) ?? 60_000) / 1000)) }),
    stop: async () => undefined,
  };
}

/**
 * Polls each enabled source on its own interval. A source is polled again only after its previous
 * run ended (or was enqueued) and its interval passed, so one source never runs twice at once.
 */
export function startScheduler(sources: ConfiguredSource[], runner: PollRunner, log: Logger, initialDelayMs = 2_000): Scheduler {
  const timers = new Map<string, NodeJS.Timeout>();
  let stopped = false;
  const schedule = (entry: ConfiguredSource, delayMs: number): void => {
    if (stopped) return;
    const timer = setTimeout(() => {
      const job = runner.run('source.poll', { source: entry.source.name });
      if (!job) log.debug({ source: entry.source.name }, 'previous poll still running');
      void (job ?? Promise.resolve())
        .catch((error: unknown) => log.error({ err: error, source: entry.source.name }, 'poll crashed'))
        .finally(() => schedule(entry, entry.intervalMs));
    }, delayMs);
    timer.unref();
    timers.set(entry.source.name, timer);
  };
  const enabled = sources.filter((s) => s.enabled);
  // Staggered first runs keep start-up from hitting every API in the same second.
  enabled.forEach((entry, index) => schedule(entry, initialDelayMs + index * 1_000));
  log.info({ sources: enabled.map((s) => `${s.source.name}/${Math.round(s.intervalMs / 60_000)}m`) }, 'collection schedule started');
  return {
    stop: async () => {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      await runner.stop();
    },
  };
}
