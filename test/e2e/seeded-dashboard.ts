import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { runCli, startServe, type ServeProcess } from '../support/cli.ts';
import { createDataDir } from '../support/databases.ts';
import { ensureDashboardBuilt, launchChromium } from './browser.ts';
import { writeJsonLines, type ImportLine } from './seed-posts.ts';

export interface SeededDashboard {
  server: ServeProcess;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * The set-up browser tests share: the production dashboard built, a fresh data directory holding the
 * suite's empty cluster, `seed` imported into it through `vibecheck import` (unless it is empty; with
 * `importEnv`), `vibecheck serve --no-collect` on it (with `env`), and a Chromium.
 */
export async function startSeededDashboard(
  seed: readonly ImportLine[],
  env: Record<string, string> = {},
  importEnv: Record<string, string> = {},
): Promise<SeededDashboard> {
  ensureDashboardBuilt();
  const dataDir = createDataDir({ cluster: true });
  let server: ServeProcess | undefined;
  try {
    if (seed.length > 0) {
      const file = join(dataDir.dir, 'seed.jsonl');
      await writeJsonLines(file, seed);
      const imported = await runCli(['import', file, '--json'], { ...importEnv, DATA_DIR: dataDir.dir });
      if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`);
    }
    const started = await startServe(['--no-collect'], { DATA_DIR: dataDir.dir, ...env });
    server = started;
    const browser = await launchChromium();
    return {
      server: started,
      browser,
      close: async () => {
        await browser.close();
        await started.stop();
        dataDir.remove();
      },
    };
  } catch (error) {
    // A half-made set-up leaves no server running and no directory behind.
    await server?.stop();
    dataDir.remove();
    throw error;
  }
}
