/**
 * Dashboard speed: seeds a year of posts for 50 entities through `vibecheck import`, starts
 * `vibecheck serve --no-collect`, and measures in headless chromium how long the overview, an entity
 * page and the compare page take until their data is on screen, plus the gzipped size of what the
 * browser loads.
 *
 *   npx tsx bench/dashboard.ts [--posts-per-day N] [--runs N]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { runCli, REPO_ROOT, startServe } from '../test/support/cli.ts';
import { createDataDir } from '../test/support/databases.ts';
import { ensureDashboardBuilt, launchChromium } from '../test/e2e/browser.ts';
import { generatePosts, writeJsonLines } from '../test/e2e/seed-posts.ts';

const { values } = parseArgs({ options: { 'posts-per-day': { type: 'string', default: '2' }, runs: { type: 'string', default: '7' } } });
const postsPerDay = Number(values['posts-per-day']);
const runs = Number(values.runs);
/** Issue 13: data on screen within 1 s (p95). */
const TARGET_MS = 1000;

function measureAssets(): { files: Array<{ name: string; bytes: number; gzip: number }>; jsGzip: number; totalGzip: number } {
  const dir = join(REPO_ROOT, 'web', 'dist', 'assets');
  const files = readdirSync(dir).map((name) => {
    const content = readFileSync(join(dir, name));
    return { name, bytes: content.length, gzip: gzipSync(content, { level: 9 }).length };
  });
  const html = gzipSync(readFileSync(join(REPO_ROOT, 'web', 'dist', 'index.html'))).length;
  const jsGzip = files.filter((f) => f.name.endsWith('.js')).reduce((s, f) => s + f.gzip, 0);
  return { files, jsGzip, totalGzip: files.reduce((s, f) => s + f.gzip, 0) + html };
}

/**
 * Runs in each page before its own scripts: notes in `window.__seen` when each of `selectors` first
 * matches (performance.now(), ms since navigation start).
 */
const seenScript = (selectors: string[]): string => `(() => {
  const selectors = ${JSON.stringify(selectors)};
  const seen = (window.__seen = {});
  const check = () => {
    for (const s of selectors) if (seen[s] === undefined && document.querySelector(s)) seen[s] = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
})()`;

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;

async function main(): Promise<void> {
  ensureDashboardBuilt();
  const assets = measureAssets();
  console.log('JS shipped (web/dist/assets, gzip -9):');
  for (const f of assets.files)
    console.log(`  ${f.name.padEnd(32)} ${String(f.bytes).padStart(8)} B raw  ${String(f.gzip).padStart(7)} B gzip`);
  console.log(
    `  total JS ${(assets.jsGzip / 1024).toFixed(1)} kB gzip; everything incl. CSS and HTML ${(assets.totalGzip / 1024).toFixed(1)} kB gzip (target < 400 kB)`,
  );

  const dataDir = createDataDir();
  try {
    const listed = await runCli(['entities', 'list', '--json'], { DATA_DIR: dataDir.dir });
    const parsed = JSON.parse(listed.stdout) as Array<{ slug: string; name: string }> | { items: Array<{ slug: string; name: string }> };
    const entities = (Array.isArray(parsed) ? parsed : parsed.items).slice(0, 50);
    const file = join(dataDir.dir, 'year.jsonl');
    const lines = await writeJsonLines(
      file,
      generatePosts({ names: entities.map((e) => e.name), days: 365, postsPerDayPerEntity: postsPerDay, seed: 7 }),
    );
    const started = performance.now();
    const imported = await runCli(['import', file, '--json'], { DATA_DIR: dataDir.dir });
    if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`);
    const summary = JSON.parse(imported.stdout) as { stored: number };
    console.log(
      `\nseeded ${lines} posts (${entities.length} entities x 365 days x ${postsPerDay}) in ${((performance.now() - started) / 1000).toFixed(1)} s; stored ${summary.stored}`,
    );

    const server = await startServe(['--no-collect'], { DATA_DIR: dataDir.dir });
    const browser = await launchChromium();
    try {
      const slug = entities.find((e) => e.slug === 'cursor')?.slug ?? entities[0]!.slug;
      const compared = [
        slug,
        ...entities
          .filter((e) => e.slug !== slug)
          .slice(0, 2)
          .map((e) => e.slug),
      ].join(',');
      // What must be on screen before a page counts as loaded: every section that shows data.
      const pages = [
        { name: 'overview', path: '/', ready: ['tr[data-slug] .sparkline polyline'] },
        { name: `entity (${slug}, 30 days)`, path: `/entity/${slug}`, ready: ['.chart-card canvas', '.post'] },
        { name: `entity (${slug}, 1 year by week)`, path: `/entity/${slug}?range=1y`, ready: ['.chart-card canvas', '.post'] },
        {
          name: 'compare (3 entities, 1 year)',
          path: `/compare?entities=${compared}&range=1y`,
          ready: ['.chart-card canvas', 'tr[data-slug]', 'table.aspect-matrix'],
        },
      ];
      console.log(
        `\nper page, ${runs} loads each in a fresh browser context (cold HTTP cache), ms since navigation start; data on screen is when` +
          ` the page's last data section appeared (noted in the page), harness p95 when playwright had seen them all:`,
      );
      console.log(
        `  ${'page'.padEnd(32)} ${'DOMContentLoaded'.padStart(16)} ${'last API answer p50'.padStart(19)} ${'data on screen p50'.padStart(19)} ${'p95'.padStart(7)} ${'max'.padStart(7)} ${'harness p95'.padStart(14)}`,
      );
      for (const page of pages) {
        const dcl: number[] = [];
        const ready: number[] = [];
        const harness: number[] = [];
        const apiDone: number[] = [];
        for (let i = 0; i < runs; i++) {
          const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
          // The page itself notes when each selector first matches, so the figure is when the data was
          // on screen, not when the harness (a process away, polling selector by selector) noticed.
          await context.addInitScript(seenScript(page.ready));
          const tab = await context.newPage();
          // When each API answer had fully arrived (epoch ms): the last one against "data on screen"
          // tells the server's share of the wait from the browser's.
          const apiEnds: number[] = [];
          tab.on('requestfinished', (request) => {
            if (!request.url().includes('/api/')) return;
            const timing = request.timing();
            apiEnds.push(timing.startTime + timing.responseEnd);
          });
          await tab.goto(`${server.url}${page.path}`);
          for (const selector of page.ready) await tab.locator(selector).first().waitFor({ timeout: 30_000 });
          const timing = (await tab.evaluate(
            "({ now: performance.now(), seen: Object.values(window.__seen), origin: performance.timeOrigin, dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd })",
          )) as { now: number; seen: number[]; origin: number; dcl: number };
          dcl.push(timing.dcl);
          ready.push(Math.max(...timing.seen));
          harness.push(timing.now);
          apiDone.push(Math.max(0, ...apiEnds) - timing.origin);
          await context.close();
        }
        const inOrder = ready.map((ms) => ms.toFixed(0)).join(' ');
        dcl.sort((a, b) => a - b);
        ready.sort((a, b) => a - b);
        apiDone.sort((a, b) => a - b);
        harness.sort((a, b) => a - b);
        const verdict = quantile(ready, 0.95) < TARGET_MS ? 'ok' : 'OVER TARGET';
        console.log(
          `  ${page.name.padEnd(32)} ${quantile(dcl, 0.5).toFixed(0).padStart(16)} ${quantile(apiDone, 0.5).toFixed(0).padStart(19)} ${quantile(ready, 0.5).toFixed(0).padStart(19)} ${quantile(ready, 0.95).toFixed(0).padStart(7)} ${ready.at(-1)!.toFixed(0).padStart(7)} ${quantile(harness, 0.95).toFixed(0).padStart(14)}  ${verdict} (< ${TARGET_MS})`,
        );
        console.log(`    loads in order: ${inOrder}`);
      }
    } finally {
      await browser.close();
      await server.stop();
    }
  } finally {
    dataDir.remove();
  }
}

await main();
