import type { Command } from 'commander';
import { createApp } from '../api/app.ts';
import { warmDashboardReads } from '../api/views/warm-up.ts';
import { SERVE_RESPONSE_CACHE_MS } from '../api/response-cache.ts';
import { startHttpServer } from '../api/server.ts';
import { InProcessJobRunner } from '../pipeline/jobs.ts';
import { createMetrics } from '../pipeline/metrics.ts';
import { openJobQueue, readQueueDepth, startQueueWorker, type JobQueue, type QueueWorker } from '../pipeline/queue.ts';
import { createSourcePreviewer } from '../pipeline/preview.ts';
import { checkReady } from '../pipeline/runtime.ts';
import { listPeriodicJobs, startQueuedSchedule, startScheduler, type Scheduler } from '../pipeline/scheduler.ts';
import { buildSources } from '../pipeline/sources.ts';
import { createJobHandlers } from '../pipeline/worker.ts';
import { ingestTiers } from '../pipeline/ingest.ts';
import { openCommandRuntime } from './context.ts';
import { parsePort } from './options.ts';
import { untilSignal } from './signals.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(COMMAND_SUMMARIES.serve)
    .option('--port <n>', 'port to listen on (default PORT or 8080)', parsePort)
    .option('--no-collect', 'do not run the collection schedule')
    .option('--no-work', 'API only: no schedule and no jobs (run `vibecheck worker` processes for those)')
    .action(async (options: { port?: number; collect: boolean; work: boolean }) => {
      const runtime = await openCommandRuntime();
      const { settings, log } = runtime;
      const { db } = runtime.database;
      const sources = buildSources(settings);
      const metrics = createMetrics();
      const onServer = settings.databaseUrl !== undefined;
      if (onServer) metrics.setQueueDepthReader(() => readQueueDepth(db));
      const app = createApp({
        db,
        settings,
        log,
        metrics,
        responseCacheMs: SERVE_RESPONSE_CACHE_MS,
        sources: sources.map((s) => ({
          name: s.source.name,
          enabled: s.enabled,
          intervalMs: s.intervalMs,
          skipReason: s.source.skipReason(),
        })),
        previewSource: createSourcePreviewer(db, sources, log),
        collecting: options.collect && options.work,
        checkReady: () => checkReady(runtime.database),
        summarizer: runtime.summarizer,
      });
      // Before listening, so the first person to open the dashboard does not pay for a cold database.
      const warming = performance.now();
      await warmDashboardReads(db).then(
        () => log.debug({ ms: Math.round(performance.now() - warming) }, 'dashboard reads warmed'),
        (error: unknown) => log.warn({ err: error }, 'warming the dashboard reads failed; serving anyway'),
      );
      const server = await startHttpServer(app, settings.host, options.port ?? settings.port).catch(async (error: unknown) => {
        await runtime.close();
        throw error;
      });
      const handlers = createJobHandlers(db, sources, log, {
        ...ingestTiers(runtime),
        metrics,
        alerts: { publicUrl: settings.publicUrl, smtp: settings.smtp },
        throwOnFailedRun: onServer,
      });
      let scheduler: Scheduler | undefined;
      let queue: JobQueue | undefined;
      let worker: QueueWorker | undefined;
      if (options.work && settings.databaseUrl) {
        // On a server the schedule only enqueues; this process also works jobs, beside any `vibecheck worker`.
        queue = await openJobQueue({ databaseUrl: settings.databaseUrl, log });
        worker = startQueueWorker(queue, db, handlers, log, { metrics });
        if (options.collect) scheduler = startQueuedSchedule(queue, sources, log);
      } else if (options.work && options.collect) {
        scheduler = startScheduler(listPeriodicJobs(sources), new InProcessJobRunner(handlers), log);
      }
      log.info({ url: server.url, database: runtime.database.kind, collect: options.collect, work: options.work }, 'serving');
      process.stdout.write(`VibeCheck is running at ${server.url}\n`);

      await untilSignal(log);
      await server.close();
      await scheduler?.stop();
      await worker?.stop();
      await queue?.stop();
      await runtime.close();
      log.info('stopped');
    });
}
