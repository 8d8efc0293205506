import type { Logger } from '../config/logger.ts';
import type { ConfiguredSource } from './sources.ts';
import type { InProcessJobRunner } from './jobs.ts';

export interface Scheduler {
  stop(): Promise<void>;
}

/**
 * Polls each enabled source on its own interval. A source is polled again only after its previous
 * run ended and its interval passed, so one source never runs twice at once.
 */
export function startScheduler(sources: ConfiguredSource[], runner: InProcessJobRunner, log: Logger, initialDelayMs = 2_000): Scheduler {
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
