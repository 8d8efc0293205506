import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from './support/embedded-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the real PostgreSQL 16 server the suite starts once. */
    pgAdminUrl: string;
  }
}

/** Starts one real PostgreSQL server for the whole suite; tests create their own databases on it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startEmbeddedPostgres();
  project.provide('pgAdminUrl', server.url);
  return () => server.stop();
}
