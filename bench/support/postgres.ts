import { startEmbeddedPostgres, type RunningPostgres } from '../../test/support/embedded-postgres.ts';

/** The suite's throwaway server, with settings that suit bulk writes. */
export function startBenchPostgres(): Promise<RunningPostgres> {
  return startEmbeddedPostgres(['-c', 'shared_buffers=512MB', '-c', 'max_wal_size=4GB']);
}
