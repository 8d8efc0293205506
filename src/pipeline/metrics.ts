import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { VIBECHECK_VERSION } from '../core/version.ts';

export type JobOutcome = 'completed' | 'failed' | 'skipped';

/** Queue depth per job type and state, read when /metrics is scraped. */
export type QueueDepthReader = () => Promise<Array<{ job: string; state: string; count: number }>>;

/**
 * The Prometheus metrics of one process. Counters are per process (scrape every serve and worker);
 * queue depth is read from the shared queue tables, so any one process reports it for all.
 */
export interface Metrics {
  registry: Registry;
  jobs: Counter<'job' | 'outcome'>;
  jobSeconds: Histogram<'job'>;
  postsStored: Counter<'source'>;
  sourceErrors: Counter<'source'>;
  httpSeconds: Histogram<'method' | 'route' | 'status'>;
  /** Adds a reader for vibecheck_queue_depth; without one the gauge stays empty. */
  setQueueDepthReader(reader: QueueDepthReader | undefined): void;
  /** The text exposition format. */
  render(): Promise<string>;
  contentType: string;
}

export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  // Under their standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes...): the
  // Node.js dashboards people import expect them so.
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'vibecheck_build_info',
    help: 'Always 1; the labels say which VibeCheck and Node.js this process runs',
    labelNames: ['version', 'node'],
    registers: [registry],
  }).set({ version: VIBECHECK_VERSION, node: process.versions.node }, 1);
  let readDepth: QueueDepthReader | undefined;
  new Gauge({
    name: 'vibecheck_queue_depth',
    help: 'Jobs in the queue per job type and state (created, retry, active)',
    labelNames: ['job', 'state'],
    registers: [registry],
    async collect() {
      if (!readDepth) return;
      this.reset();
      for (const row of await readDepth()) this.set({ job: row.job, state: row.state }, row.count);
    },
  });
  return {
    registry,
    jobs: new Counter({
      name: 'vibecheck_jobs_total',
      help: 'Jobs run by this process, per job type and outcome',
      labelNames: ['job', 'outcome'],
      registers: [registry],
    }),
    jobSeconds: new Histogram({
      name: 'vibecheck_job_duration_seconds',
      help: 'Time from a job starting to its outcome, per job type',
      labelNames: ['job'],
      buckets: [0.05, 0.25, 1, 5, 30, 120, 600, 3600],
      registers: [registry],
    }),
    postsStored: new Counter({
      name: 'vibecheck_posts_stored_total',
      help: 'New posts stored by this process, per source',
      labelNames: ['source'],
      registers: [registry],
    }),
    sourceErrors: new Counter({
      name: 'vibecheck_source_errors_total',
      help: 'Collection runs that failed, per source',
      labelNames: ['source'],
      registers: [registry],
    }),
    httpSeconds: new Histogram({
      name: 'vibecheck_http_request_duration_seconds',
      help: 'API request latency per route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    setQueueDepthReader: (reader) => {
      readDepth = reader;
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
