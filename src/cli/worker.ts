import { createServer, type Server } from 'node:http';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { ConfigError } from '../config/settings.ts';
import type { Logger } from '../config/logger.ts';
import { createMetrics, type Metrics } from '../pipeline/metrics.ts';
import { JOB_NAMES, openJobQueue, readQueueDepth, startQueueWorker } from '../pipeline/queue.ts';
import type { JobName } from '../pipeline/jobs.ts';
import { startQueuedSchedule } from '../pipeline/scheduler.ts';
import { buildSources } from '../pipeline/sources.ts';
import { createJobHandlers } from '../pipeline/worker.ts';
import { ingestTiers } from '../pipeline/ingest.ts';
import { loadSettings, withRuntime } from './context.ts';
import { parsePort } from './options.ts';
import { untilSignal } from './signals.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';

/** GET /metrics on its own port; resolves once listening, rejects with the reason it cannot listen. */
function serveMetrics(metrics: Metrics, host: string, port: number, log: Logger): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    metrics.render().then(
      (text) => res.writeHead(200, { 'Content-Type': metrics.contentType }).end(text),
      (error: unknown) => {
        log.error({ err: error }, 'could not render metrics');
        res.writeHead(500).end('internal error');
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `--metrics-port ${port}: the port is in use on ${host}`
            : `--metrics-port ${port}: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    server.listen(port, host, () => {
      server.on('error', (error) => log.error({ err: error }, 'metrics server error'));
      resolve(server);
    });
  });
}

export function parseQueueNames(value: string): JobName[] {
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(JOB_NAMES as string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`unknown job type ${unknown.join(', ')}; expected some of ${JOB_NAMES.join(', ')}`);
  }
  return names as JobName[];
}

function parseCount(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number ${min}-${max}`);
    return n;
  };
}

interface WorkerOptions {
  queues?: JobName[];
  batchSize: number;
  pollSeconds: number;
  maintenanceSeconds: number;
  graceSeconds: number;
  metricsPort?: number;
  schedule?: boolean;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(COMMAND_SUMMARIES.worker)
    .option('--queues <names>', `only these job types, comma-separated (${JOB_NAMES.join(', ')})`, parseQueueNames)
    .option('--batch-size <n>', 'jobs fetched at once per job type and run side by side', parseCount(1, 200), 20)
    .option('--poll-seconds <s>', 'wait after finding a queue empty', parseCount(1, 600), 2)
    .option('--maintenance-seconds <s>', 'how often expired jobs (of crashed workers) are sent back for retry', parseCount(1, 3600), 60)
    .option(
      '--grace-seconds <s>',
      'on SIGTERM, let running jobs finish this long before abandoning them to a retry',
      parseCount(0, 3600),
      25,
    )
    .option('--schedule', 'also enqueue source polls on their intervals (safe in every worker: duplicates are dropped)')
    .option('--metrics-port <n>', 'serve Prometheus /metrics on HOST at this port', parsePort)
    .action(async (options: WorkerOptions) => {
      if (!loadSettings().settings.databaseUrl) {
        throw new ConfigError(
          'the embedded database runs its jobs inside `vibecheck serve`; set DATABASE_URL to a PostgreSQL server to run separate workers',
        );
      }
      await withRuntime(
        async (runtime) => {
          const { settings, log } = runtime;
          const databaseUrl = settings.databaseUrl!;
          const { db } = runtime.database;
          const sources = buildSources(settings);
          const metrics = createMetrics();
          metrics.setQueueDepthReader(() => readQueueDepth(db));
          // Listening before any job is taken: a port in use ends the command with that error, not a crash mid-work.
          const metricsServer =
            options.metricsPort === undefined ? undefined : await serveMetrics(metrics, settings.host, options.metricsPort, log);
          const queue = await openJobQueue({ databaseUrl, log, maintenanceSeconds: options.maintenanceSeconds });
          const handlers = createJobHandlers(db, sources, log, {
            ...ingestTiers(runtime),
            metrics,
            alerts: { publicUrl: settings.publicUrl, smtp: settings.smtp },
            throwOnFailedRun: true,
          });
          const worker = startQueueWorker(queue, db, handlers, log, {
            queues: options.queues,
            batchSize: options.batchSize,
            pollSeconds: options.pollSeconds,
            metrics,
          });
          const scheduler = options.schedule ? startQueuedSchedule(queue, sources, log) : undefined;
          process.stdout.write(`VibeCheck worker is running (${(options.queues ?? JOB_NAMES).join(', ')})\n`);
          await untilSignal(log);
          await scheduler?.stop();
          await worker.stop(options.graceSeconds * 1000);
          // A scrape is no work to finish: its connections (kept alive by Prometheus) would hold the process.
          metricsServer?.close();
          metricsServer?.closeAllConnections();
          await queue.stop();
          log.info('worker stopped');
        },
        { seed: false },
      );
    });
}
