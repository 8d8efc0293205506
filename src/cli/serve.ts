import type { Command } from 'commander';
import { createApp } from '../api/app.ts';
import { startHttpServer } from '../api/server.ts';
import { InProcessJobRunner } from '../pipeline/jobs.ts';
import { checkReady, openRuntime } from '../pipeline/runtime.ts';
import { startScheduler, type Scheduler } from '../pipeline/scheduler.ts';
import { buildSources } from '../pipeline/sources.ts';
import { createJobHandlers } from '../pipeline/worker.ts';
import { loadSettings } from './context.ts';
import { parsePort } from './options.ts';
import { untilSignal } from './signals.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('migrate, seed entities, serve the API and dashboard, and run the collection schedule')
    .option('--port <n>', 'port to listen on (default PORT or 8080)', parsePort)
    .option('--no-collect', 'serve only; do not run the collection schedule')
    .action(async (options: { port?: number; collect: boolean }) => {
      const { settings, log } = loadSettings();
      const runtime = await openRuntime(settings, log);
      const { db } = runtime.database;
      const sources = buildSources(settings);
      const app = createApp({
        db,
        settings,
        log,
        sources: sources.map((s) => ({ name: s.source.name, enabled: s.enabled, intervalMs: s.intervalMs, skipReason: s.source.skipReason() })),
        checkReady: () => checkReady(runtime.database),
      });
      const server = await startHttpServer(app, settings.host, options.port ?? settings.port).catch(async (error: unknown) => {
        await runtime.close();
        throw error;
      });
      let scheduler: Scheduler | undefined;
      if (options.collect) {
        scheduler = startScheduler(sources, new InProcessJobRunner(createJobHandlers(db, sources, log, runtime.aspectTier)), log);
      }
      log.info({ url: server.url, database: runtime.database.kind, collect: options.collect }, 'serving');
      process.stdout.write(`VibeCheck is running at ${server.url}\n`);

      await untilSignal(log);
      await server.close();
      await scheduler?.stop();
      await runtime.close();
      log.info('stopped');
    });
}
