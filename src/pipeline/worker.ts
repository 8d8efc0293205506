import { sql, type Kysely } from 'kysely';
import type { Logger } from '../config/logger.ts';
import type { CollectorSource } from '../core/post.ts';
import { rebuildRollups } from '../db/queries/ingest.ts';
import type { DB } from '../db/schema.ts';
import type { LlmAspectTier } from '../understand/aspects/index.ts';
import { runSource } from './collect.ts';
import type { JobHandlers } from './jobs.ts';
import { rescorePosts } from './rescore.ts';
import { detectAndStoreSpikes } from './spikes.ts';
import type { ConfiguredSource } from './sources.ts';

/** The code behind each job of the catalog, bound to one database. */
export function createJobHandlers(
  db: Kysely<DB>,
  sources: ConfiguredSource[],
  log: Logger,
  aspectTier?: LlmAspectTier,
): JobHandlers {
  const find = (name: CollectorSource) => {
    const entry = sources.find((s) => s.source.name === name);
    if (!entry) throw new Error(`unknown source ${name}`);
    return entry.source;
  };
  return {
    'source.poll': ({ source }, signal) => runSource({ db, source: find(source), log, signal, aspectTier }),
    'source.backfill': ({ source, since, until }, signal) =>
      runSource({ db, source: find(source), log, signal, aspectTier, backfill: { since, until } }),
    'rollups.rebuild': ({ from, to }) => db.transaction().execute((trx) => rebuildRollups(trx, from, to)),
    rescore: ({ since }, signal) => rescorePosts(db, since, undefined, signal),
    'spikes.detect': ({ days }) => detectAndStoreSpikes(db, { days }),
  };
}

/** Counts of stored rows, for `doctor` and tests. */
export async function countStored(db: Kysely<DB>): Promise<{ posts: number; mentions: number }> {
  const row = await sql<{ posts: number; mentions: number }>`
    SELECT (SELECT count(*)::int FROM posts) AS posts, (SELECT count(*)::int FROM mentions) AS mentions`.execute(db);
  return row.rows[0] ?? { posts: 0, mentions: 0 };
}
