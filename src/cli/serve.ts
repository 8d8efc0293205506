import type { Command } from 'commander';
import { createApp } from '../api/app.ts';
import { startHttpServer } from '../api/server.ts';
import { checkReady, openRuntime } from '../pipeline/runtime.ts';
import { loadSettings } from './context.ts';
import { parsePort } from './options.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('migrate, seed entities, serve the API and dashboard, and run the collection schedule')
    .option('--port <n>', 'port to listen on (default PORT or 8080)', parsePort)
    .option('--no-collect', 'serve only; do not run the collection schedule')
    .action(async (options: { port?: number; collect: boolean }) => {
      const { settings, log } = loadSettings();
      const runtime = await openRuntime(settings, log);
      const app = createApp({
        db: runtime.database.db,
        settings,
        log,
        checkReady: () => checkReady(runtime.database),
      });
      const server = await startHttpServer(app, settings.host, options.port ?? settings.port).catch(async (error: unknown) => {
        await runtime.close();
        throw error;
      });
      log.info({ url: server.url, database: runtime.database.kind, collect: options.collect }, 'serving');
      process.stdout.write(`VibeCheck is running at ${server.url}\n`);

      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: string): void => {
          if (stopping) {
            log.warn({ signal }, 'second signal: exiting now');
            process.exit(130);
          }
          stopping = true;
          log.info({ signal }, 'shutting down: finishing in-flight work');
          void (async () => {
            await server.close();
            await runtime.close();
            log.info('stopped');
            resolve();
          })();
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}
