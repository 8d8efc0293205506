import type { Logger } from '../config/logger.ts';
import type { JobName, JobPayloadInput } from './jobs.ts';
import type { JobQueue } from './queue.ts';
import type { ConfiguredSource } from './sources.ts';

export interface Scheduler {
  stop(): Promise<void>;
}

/** Where a due job goes: run here (InProcessJobRunner) or onto the queue (`queueJobs`). */
export interface JobRunner {
  /** Undefined when a job with the same concurrency key is already running. */
  run<N extends JobName>(name: N, payload: JobPayloadInput<N>): Promise<unknown> | undefined;
  stop(): Promise<void>;
}

/** A job the scheduler starts again `intervalMs` after the previous one ended. */
export interface PeriodicJob<N extends JobName = JobName> {
  label: string;
  name: N;
  payload: JobPayloadInput<N>;
  intervalMs: number;
}

/**
 * Spike detection judges complete UTC days; an hourly run finds a new day soon after it closes.
 * Alert rules are judged every 5 minutes (shift and aspect windows move by the hour, mentions arrive
 * with each poll); the outbox is swept every 30 s for retries that came due.
 */
/** The days each scheduled spike detection judges; older history needs `vibecheck spikes`. */
export const SCHEDULED_SPIKE_DAYS = 14;

export const MAINTENANCE_JOBS: PeriodicJob[] = [
  { label: 'spikes', name: 'spikes.detect', payload: { days: SCHEDULED_SPIKE_DAYS }, intervalMs: 3_600_000 },
  { label: 'alerts', name: 'alerts.evaluate', payload: {}, intervalMs: 5 * 60_000 },
  { label: 'alert deliveries', name: 'alerts.deliver', payload: {}, intervalMs: 30_000 },
];

/** Every enabled source's poll, then the maintenance jobs. */
export function listPeriodicJobs(sources: ConfiguredSource[]): PeriodicJob[] {
  const polls = sources
    .filter((s) => s.enabled)
    .map((s): PeriodicJob<'source.poll'> => ({
      label: s.source.name,
      name: 'source.poll',
      payload: { source: s.source.name },
      intervalMs: s.intervalMs,
    }));
  return [...polls, ...MAINTENANCE_JOBS];
}

/**
 * Due jobs go onto the queue, at most one per job and interval slot whoever enqueues it, so any
 * number of schedulers may run; the worker's advisory lock keeps two polls of a source from overlapping.
 */
export function queueJobs(queue: JobQueue, jobs: PeriodicJob[]): JobRunner {
  const intervalOf = (name: JobName, payload: unknown): number =>
    jobs.find((j) => j.name === name && JSON.stringify(j.payload) === JSON.stringify(payload))?.intervalMs ?? 60_000;
  return {
    run: (name, payload) => queue.enqueue(name, payload, { throttleSeconds: Math.max(1, Math.round(intervalOf(name, payload) / 1000)) }),
    stop: async () => undefined,
  };
}

/**
 * Starts each periodic job on its own interval. A job starts again only after its previous run ended
 * (or was enqueued) and its interval passed, so one source is never polled twice at once.
 */
export function startScheduler(jobs: PeriodicJob[], runner: JobRunner, log: Logger, initialDelayMs = 2_000): Scheduler {
  const timers = new Map<string, NodeJS.Timeout>();
  let stopped = false;
  const schedule = (job: PeriodicJob, delayMs: number): void => {
    if (stopped) return;
    const timer = setTimeout(() => {
      const run = runner.run(job.name, job.payload);
      if (!run) log.debug({ job: job.label }, 'previous run still going');
      void (run ?? Promise.resolve())
        .catch((error: unknown) => log.error({ err: error, job: job.label }, 'scheduled job crashed'))
        .finally(() => schedule(job, job.intervalMs));
    }, delayMs);
    timer.unref();
    timers.set(job.label, timer);
  };
  // Staggered first runs keep start-up from hitting every API in the same second.
  jobs.forEach((job, index) => schedule(job, initialDelayMs + index * 1_000));
  log.info({ jobs: jobs.map((j) => `${j.label}/${Math.round(j.intervalMs / 60_000)}m`) }, 'schedule started');
  return {
    stop: async () => {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      await runner.stop();
    },
  };
}

/** The schedule of a process on a server: every periodic job of these sources goes onto the queue. */
export function startQueuedSchedule(queue: JobQueue, sources: ConfiguredSource[], log: Logger): Scheduler {
  const jobs = listPeriodicJobs(sources);
  return startScheduler(jobs, queueJobs(queue, jobs), log);
}
