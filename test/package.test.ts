import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuilt } from './e2e/browser.ts';
import { REPO_ROOT, startServe, type ServeProcess } from './support/cli.ts';

const npm = (args: string[], cwd: string): string =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  });

/**
 * What `npm pack` ships, installed the way a user would on a machine without this checkout: into an
 * empty directory, with production dependencies only, then `vibecheck serve` with the dashboard.
 */
describe('the npm package', () => {
  const work = mkdtempSync(join(tmpdir(), 'vibecheck-package-'));
  let files: string[] = [];
  let tarball = '';
  let server: ServeProcess | undefined;
  const installed = join(work, 'app', 'node_modules', 'vibecheck');

  beforeAll(() => {
    ensureDashboardBuilt();
    // The dashboard was built above; packing must not rebuild web/dist under tests that serve it.
    const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], REPO_ROOT)) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    tarball = join(work, packed!.filename);
    files = packed!.files.map((f) => f.path);
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'someone-else', private: true }));
    npm(['install', '--omit=dev', tarball], app);
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('holds the code, the registry, the migrations, the model weights and the built dashboard, and no tests or training data', () => {
    for (const needed of [
      'bin/vibecheck',
      'registry/entities.json',
      'src/db/migrations/001_init.sql',
      'src/understand/sentiment/devsent-weights.json',
      'web/dist/index.html',
      'LICENSE',
      'README.md',
    ]) {
      expect(files, needed).toContain(needed);
    }
    expect(files.filter((f) => /\.test\.tsx?$/.test(f) || /^(labels|test|scripts|bench|web\/src)\//.test(f))).toEqual([]);
  });

  it('installs into an empty project with the same version and serves the API and the dashboard', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const bin = join(installed, 'bin', 'vibecheck');
    expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim()).toBe(version);
    server = await startServe(['--no-collect'], { DATA_DIR: join(work, 'data') }, 180_000, { bin, cwd: join(work, 'app') });
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok', version });
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="root">/);
    const entities = (await (await fetch(`${server.url}/api/v1/entities`)).json()) as { items: unknown[] };
    expect(entities.items.length).toBeGreaterThanOrEqual(40);
  }, 240_000);
});
