import { sql, type Kysely } from 'kysely';
import type { DeliverySettings } from '../alerts/manage.ts';
import { deliverDueAlerts } from '../alerts/outbox.ts';
import { runAlerts } from '../alerts/run.ts';
import type { Logger } from '../config/logger.ts';
import { DEFAULT_PUBLIC_URL } from '../config/settings.ts';
import type { CollectorSource } from '../core/post.ts';
import { rebuildRollups } from '../db/queries/ingest.ts';
import type { DB } from '../db/schema.ts';
import { runSource, type SourceRunSummary } from './collect.ts';
import { toNormalizedPost } from './import-posts.ts';
import { createIngestor, ingestTiers, type Ingestor, type IngestTiers } from './ingest.ts';
import type { JobHandlers } from './jobs.ts';
import type { Metrics } from './metrics.ts';
import { rescorePosts } from './rescore.ts';
import { detectAndStoreSpikes } from './spikes.ts';
import type { ConfiguredSource } from './sources.ts';

export interface JobHandlerOptions extends IngestTiers {
  metrics?: Metrics;
  /** Throw when a collection run fails, so a queue records the job as failed and retries it. */
  throwOnFailedRun?: boolean;
  /** Links and SMTP for alert deliveries (PUBLIC_URL, SMTP_URL); links point at the default address when left out. */
  alerts?: DeliverySettings;
}

/** The entity registry changes rarely; an analyser this old is rebuilt before the next batch. */
const INGESTOR_MAX_AGE_MS = 60_000;

/** The code behind each job of the catalog, bound to one database. */
export function createJobHandlers(db: Kysely<DB>, sources: ConfiguredSource[], log: Logger, options: JobHandlerOptions = {}): JobHandlers {
  const { metrics } = options;
  const tiers = ingestTiers(options);
  const alertSettings: DeliverySettings = options.alerts ?? { publicUrl: DEFAULT_PUBLIC_URL };
  const find = (name: CollectorSource) => {
    const entry = sources.find((s) => s.source.name === name);
    if (!entry) throw new Error(`unknown source ${name}`);
    return entry.source;
  };
  const record = (name: CollectorSource, summary: SourceRunSummary): SourceRunSummary => {
    metrics?.postsStored.inc({ source: name }, summary.stored);
    if (summary.error) {
      metrics?.sourceErrors.inc({ source: name });
      if (options.throwOnFailedRun) throw new Error(`${name}: ${summary.error}`);
    }
    return summary;
  };
  let ingestor: { value: Promise<Ingestor>; at: number } | undefined;
  const currentIngestor = (): Promise<Ingestor> => {
    if (!ingestor || Date.now() - ingestor.at > INGESTOR_MAX_AGE_MS) {
      ingestor = { value: createIngestor(db, tiers), at: Date.now() };
      ingestor.value.catch(() => (ingestor = undefined));
    }
    return ingestor.value;
  };
  return {
    'source.poll': async ({ source }, signal) => record(source, await runSource({ db, source: find(source), log, signal, ...tiers })),
    'source.backfill': async ({ source, since, until }, signal) =>
      record(source, await runSource({ db, source: find(source), log, signal, ...tiers, backfill: { since, until } })),
    'posts.ingest': async ({ posts }) => {
      const result = await (await currentIngestor()).ingest({ posts: posts.map(toNormalizedPost) });
      const first = posts[0]?.source;
      metrics?.postsStored.inc({ source: posts.every((p) => p.source === first) && first ? first : 'mixed' }, result.stored);
      return result;
    },
    'rollups.rebuild': ({ from, to }) => db.transaction().execute((trx) => rebuildRollups(trx, from, to)),
    rescore: ({ since }, signal) => rescorePosts(db, since, { signal }),
    'spikes.detect': ({ days }) => detectAndStoreSpikes(db, { days }),
    'alerts.evaluate': async (_payload, signal) => {
      const result = await runAlerts(
        db,
        { ...alertSettings, signal },
        {
          onRuleError: (rule, err) => log.error({ err, rule }, 'alert rule could not be evaluated'),
          onDigestError: (subscription, err) => log.error({ err, subscription }, 'digest could not be queued'),
        },
      );
      if (result.fired.length > 0 || result.digests.length > 0)
        log.info({ fired: result.fired.length, digests: result.digests.length, ...result.delivery }, 'alerts fired');
      return { fired: result.fired.length, suppressed: result.suppressed.length, digests: result.digests.length, ...result.delivery };
    },
    'alerts.deliver': async (_payload, signal) => {
      const { byAlert: _byAlert, ...counts } = await deliverDueAlerts(db, { ...alertSettings, signal });
      return counts;
    },
  };
}

/** Counts of stored rows, for `doctor` and tests. */
export async function countStored(db: Kysely<DB>): Promise<{ posts: number; mentions: number }> {
  const row = await sql<{ posts: number; mentions: number }>`
    SELECT (SELECT count(*)::int FROM posts) AS posts, (SELECT count(*)::int FROM mentions) AS mentions`.execute(db);
  return row.rows[0] ?? { posts: 0, mentions: 0 };
}
