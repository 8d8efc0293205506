import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, startServe, type ServeProcess } from '../support/cli.ts';
import { createDataDir } from '../support/databases.ts';
import { ensureDashboardBuilt, launchChromium } from './browser.ts';
import { generatePosts, writeJsonLines } from './seed-posts.ts';

// Issue 13, pages and state: one period carried between pages, figures that follow it, a stopped
// server that marks what it could not reload, the compare table's counts, export and post search.
const SHOTS = join(REPO_ROOT, 'test-results', 'dashboard-period');

interface Summary {
  n: number;
  positive: number;
  neutral: number;
  negative: number;
  from: string;
  to: string;
}
interface SeriesPoint {
  n: number;
  positive: number;
  neutral: number;
  negative: number;
}

describe('dashboard pages and state in a real browser against vibecheck serve', () => {
  const dataDir = createDataDir({ cluster: true });
  let server: ServeProcess;
  /** The server the stopped-server case starts again, tracked until it is up so that afterAll stops it even when that case fails. */
  let restart: Promise<ServeProcess> | undefined;
  let browser: Browser;
  let context: BrowserContext;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureDashboardBuilt();
    const file = join(dataDir.dir, 'seed.jsonl');
    const posts = [
      ...generatePosts({
        names: ['Cursor', 'Claude Code', 'GitHub Copilot'],
        days: 120,
        postsPerDayPerEntity: 2,
        moods: { Cursor: 0.4, 'GitHub Copilot': -0.3 },
      }),
    ];
    await writeJsonLines(file, posts);
    const imported = await runCli(['import', file, '--json'], { DATA_DIR: dataDir.dir });
    if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`);
    server = await startServe(['--no-collect'], { DATA_DIR: dataDir.dir });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  });

  afterAll(async () => {
    await browser?.close();
    await (await restart?.catch(() => undefined))?.stop();
    await server?.stop();
    dataDir.remove();
  });

  async function openPage(path: string): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${path}: ${error.message}`));
    await page.goto(`${server.url}${path}`);
    return page;
  }

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${server.url}${path}`);
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };
  const summaryOf = async (slug: string, query: string): Promise<Summary> =>
    (await api<{ summary: Summary }>(`/api/v1/entities/${slug}?${query}`)).summary;
  const checkedRange = (page: Page) => page.locator('[aria-label="Range"] [aria-checked="true"]').innerText();

  it('the overview follows its period, and the period goes along to an entity, to compare and back', async () => {
    const page = await openPage('/');
    await page.locator('tr[data-slug="cursor"]').waitFor();
    expect(await checkedRange(page)).toBe('30 days');
    const listRequest = page.waitForRequest((r) => r.url().includes('/api/v1/entities?') && r.url().includes('from='));
    await page.getByRole('radio', { name: '90 days' }).click();
    await page.waitForURL(/range=90d/);
    const url = new URL((await listRequest).url());
    const from = url.searchParams.get('from')!;
    const to = url.searchParams.get('to')!;
    expect((Date.parse(to) - Date.parse(from)) / 86_400_000).toBe(90);
    // The row shows the API's figures for exactly that window.
    const cursor = await summaryOf('cursor', `from=${from}&to=${to}`);
    const mentions = page.locator('tr[data-slug="cursor"] td').nth(3);
    await expect.poll(async () => Number((await mentions.innerText()).replace(/[^0-9]/g, '')), { timeout: 15_000 }).toBe(cursor.n);
    expect(cursor.n).toBeGreaterThan(150);
    expect(await page.locator('.page-head p').innerText()).toContain('the last 90 days against the 90 days before');
    await page.screenshot({ path: join(SHOTS, 'overview-90d.png'), fullPage: true });

    // Overview -> entity keeps 90 days.
    await page.locator('tr[data-slug="cursor"] th a').click();
    await page.waitForURL(/\/entity\/cursor\?.*range=90d/);
    expect(await checkedRange(page)).toBe('90 days');
    await expect.poll(async () => page.locator('.headline-stats').innerText(), { timeout: 15_000 }).toContain('Share of voice (90 days)');

    // Entity -> compare keeps it, and compare -> entity -> overview too.
    await page.getByRole('link', { name: 'Compare…' }).click();
    await page.waitForURL(/\/compare\?.*range=90d/);
    expect(new URL(page.url()).searchParams.get('entities')).toBe('cursor');
    expect(await checkedRange(page)).toBe('90 days');
    await page.getByLabel('Add entity').selectOption('claude-code');
    await page.waitForURL(/entities=cursor(%2C|,)claude-code/);
    await page.locator('.entity-chip a', { hasText: 'Cursor' }).click();
    await page.waitForURL(/\/entity\/cursor\?.*range=90d/);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    await page.waitForURL((u) => u.pathname === '/' && u.searchParams.get('range') === '90d');
    expect(await checkedRange(page)).toBe('90 days');
    await page.close();
  });

  it('a custom window shows its last day in "To", keeps the exclusive end in the URL, and carries to compare', async () => {
    const page = await openPage('/entity/cursor?range=custom&from=2026-01-01&to=2026-02-01');
    const toField = page.getByLabel('To (included)');
    await toField.waitFor();
    expect(await toField.inputValue()).toBe('2026-01-31');
    expect(await page.getByLabel('From').inputValue()).toBe('2026-01-01');
    await toField.fill('2026-01-14');
    await page.waitForURL(/to=2026-01-15/);
    await page.getByRole('link', { name: 'Compare…' }).click();
    await page.waitForURL(/\/compare\?/);
    const query = new URL(page.url()).searchParams;
    expect([query.get('range'), query.get('from'), query.get('to')]).toEqual(['custom', '2026-01-01', '2026-01-15']);
    expect(await page.getByLabel('To (included)').inputValue()).toBe('2026-01-14');
    await page.close();
  });

  // A server stop and start, and the page's checks pausing up to 30 s between them: past the default
  // 60 s on a busy 2-core machine.
  it(
    'with the server stopped, a new window does not show the old chart: the banner says so, and the data returns with the server',
    { timeout: 180_000 },
    async () => {
      // A context of its own: API answers are cacheable for 30 s, and an earlier test read the 90-day window.
      const fresh = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await fresh.newPage();
      page.on('pageerror', (error) => pageErrors.push(`stopped server: ${error.message}`));
      await page.goto(`${server.url}/entity/cursor`);
      await page.locator('.chart-card canvas').first().waitFor();
      await page.locator('.window-total').waitFor();
      const port = new URL(server.url).port;
      await server.stop();

      await page.getByRole('radio', { name: '90 days' }).click();
      await page.waitForURL(/range=90d/);
      const banner = page.locator('.connection-banner');
      await banner.waitFor({ timeout: 15_000 });
      expect(await banner.innerText()).toContain('The server is unreachable');
      // Nothing of the 30-day window is left under the 90-day labels: the chart is gone, no total is claimed.
      await expect.poll(async () => page.locator('.chart-card canvas').count(), { timeout: 15_000 }).toBe(0);
      expect(await page.locator('.window-total').count()).toBe(0);
      expect(await page.locator('.state-offline').count()).toBeGreaterThan(0);
      // One banner, no Retry box per panel.
      expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(0);
      await page.screenshot({ path: join(SHOTS, 'server-stopped.png'), fullPage: true });

      restart = startServe(['--no-collect'], { DATA_DIR: dataDir.dir, PORT: port });
      server = await restart;
      // It checks again by itself (1 s, 2 s, 4 s ... at most 30 s apart): no click needed.
      await banner.waitFor({ state: 'detached', timeout: 75_000 });
      await page.locator('.chart-card canvas').first().waitFor({ timeout: 20_000 });
      await page.locator('.window-total').waitFor({ timeout: 20_000 });
      expect(await page.locator('.state-offline').count()).toBe(0);
      expect(await page.locator('.headline-stats').innerText()).toContain('Mentions (90 days)');
      await fresh.close();
    },
  );

  it("compare's table gives each entity's figures for the window, and its stacked bars count what the API counts", async () => {
    const page = await openPage('/compare?entities=cursor,github-copilot');
    const bars = page.locator('.compare-figures .split-bar');
    await expect.poll(async () => bars.count(), { timeout: 15_000 }).toBe(2);
    // The page's window: the one its figures request named.
    const requested = await pageWindow(page);

    const readBar = async (slug: string) => {
      const bar = page.locator(`.compare-figures tr[data-slug="${slug}"] .split-bar`);
      return {
        positive: Number(await bar.getAttribute('data-positive')),
        neutral: Number(await bar.getAttribute('data-neutral')),
        negative: Number(await bar.getAttribute('data-negative')),
        label: (await bar.getAttribute('aria-label'))!,
      };
    };
    // Day buckets over whole UTC days: the series covers exactly the window, so its sums are the window's counts.
    const series = await api<{ entities: Array<{ slug: string; series: SeriesPoint[] }> }>(
      `/api/v1/compare?entities=cursor,github-copilot&from=${requested.from}&to=${requested.to}&bucket=day`,
    );
    for (const { slug, series: points } of series.entities) {
      const sum = (key: keyof SeriesPoint) => points.reduce((n, p) => n + p[key], 0);
      const bar = await readBar(slug);
      expect({ positive: bar.positive, neutral: bar.neutral, negative: bar.negative }, slug).toEqual({
        positive: sum('positive'),
        neutral: sum('neutral'),
        negative: sum('negative'),
      });
      expect(bar.label).toContain(
        `${sum('positive').toLocaleString('en-US')} positive, ${sum('neutral').toLocaleString('en-US')} neutral, ${sum('negative').toLocaleString('en-US')} negative`,
      );
      const mentions = await page.locator(`.compare-figures tr[data-slug="${slug}"] td`).nth(3).innerText();
      expect(Number(mentions.replace(/[^0-9]/g, ''))).toBe(sum('n'));
    }
    // Cursor's posts lean positive and Copilot's negative: the bars say so.
    const cursor = await readBar('cursor');
    const copilot = await readBar('github-copilot');
    expect(cursor.positive).toBeGreaterThan(cursor.negative);
    expect(copilot.negative).toBeGreaterThan(copilot.positive);
    // Shares of the compared entities add up to 100%.
    const shares = (await page.locator('.compare-figures tbody td:last-child').allInnerTexts()).map((text) => Number.parseFloat(text));
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    await page.screenshot({ path: join(SHOTS, 'compare-figures.png'), fullPage: true });

    // The source filter narrows the table, the chart and the aspects to one source.
    const filtered = page.waitForRequest((r) => r.url().includes('/api/v1/entities?') && r.url().includes('source=hn'));
    const compareFiltered = page.waitForRequest((r) => r.url().includes('/api/v1/compare?') && r.url().includes('source=hn'));
    await page.getByRole('combobox', { name: /^Source/ }).selectOption('hn');
    await Promise.all([filtered, compareFiltered]);
    const hnOnly = await summaryOf('cursor', `from=${requested.from}&to=${requested.to}&source=hn`);
    await expect
      .poll(async () => Number(await page.locator('.compare-figures tr[data-slug="cursor"] .split-bar').getAttribute('data-positive')), {
        timeout: 15_000,
      })
      .toBe(hnOnly.positive);
    expect(hnOnly.n).toBeLessThan(cursor.positive + cursor.neutral + cursor.negative);
    await page.close();
  });

  it('the export button downloads the rows of the view: its window, bucket and source', async () => {
    const page = await openPage('/entity/cursor?source=hn');
    await page.locator('.window-total').waitFor();
    const total = Number((await page.locator('.window-total').innerText()).match(/^([\d,]+) mentions/)![1]!.replace(/,/g, ''));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV' }).click()]);
    const rows = parse(readFileSync((await download.path())!, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    const series = rows.filter((row) => row.record === 'series');
    const posts = rows.filter((row) => row.record === 'post');
    // 30 daily buckets, the same n as the window total on screen, and only Hacker News posts.
    expect(series).toHaveLength(30);
    expect(series.reduce((n, row) => n + Number(row.n), 0)).toBe(total);
    expect(total).toBeGreaterThan(0);
    expect(posts.length).toBeGreaterThan(0);
    expect(new Set(posts.map((row) => row.source))).toEqual(new Set(['hn']));
    expect(download.suggestedFilename()).toBe('cursor.csv');
    await page.close();
  });

  it('the search box above the feed asks the API for posts with the words', async () => {
    const page = await openPage('/entity/cursor');
    await page.locator('.post').first().waitFor();
    const searched = page.waitForRequest((r) => r.url().includes('/cursor/posts?') && r.url().includes('q=hallucinating'));
    await page.getByLabel('Search posts').fill('hallucinating');
    await searched;
    await page.waitForURL(/q=hallucinating/);
    await expect
      .poll(
        async () => {
          const bodies = await page.locator('.post .post-body').allInnerTexts();
          return bodies.length > 0 && bodies.every((body) => body.toLowerCase().includes('hallucinating'));
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    await page.close();
  });

  it('vendor rows on the overview are visibly roll-ups of their products', async () => {
    const page = await openPage('/');
    const anthropic = page.locator('tr[data-slug="anthropic"]');
    await anthropic.waitFor();
    expect(await anthropic.locator('th a').innerText()).toBe('Anthropic (all products)');
    expect(await anthropic.locator('.rollup-parts').innerText()).toContain('Claude Code');
    expect(await anthropic.locator('.kind').innerText()).toMatch(/roll-up/i);
    await page.close();
  });

  it("a time zone choice moves the window and the buckets to that zone's days, a half-hour zone too, and goes along to compare", async () => {
    const india = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'Asia/Kolkata' });
    const page = await india.newPage();
    page.on('pageerror', (error) => pageErrors.push(`tz: ${error.message}`));
    await page.goto(`${server.url}/entity/cursor`);
    await page.locator('.window-total').waitFor();
    // The browser's own name for its zone (ICU says Asia/Calcutta for Asia/Kolkata).
    const zone = (await page.evaluate('Intl.DateTimeFormat().resolvedOptions().timeZone')) as string;
    const seriesAnswer = page.waitForResponse(
      (r) => r.url().includes('/cursor/sentiment?') && new URL(r.url()).searchParams.get('tz') === zone,
    );
    await page.getByLabel('Time zone').selectOption(zone);
    await page.waitForURL((url) => url.searchParams.get('tz') === zone);
    const response = await seriesAnswer;
    const asked = new URL(response.url()).searchParams;
    expect(asked.get('from')).toMatch(/T00:00:00\+05:30$/);
    expect(asked.get('to')).toMatch(/T00:00:00\+05:30$/);
    const body = (await response.json()) as { tz: string; series: Array<{ bucketStart: string }> };
    expect(body.tz).toBe(zone);
    // Each day starts at Indian midnight, 18:30 UTC the day before: no hourly rollup row can be split there, so the API sums mentions.
    expect(body.series.every((point) => point.bucketStart.endsWith('T18:30:00.000Z'))).toBe(true);
    // The total on screen is the API's for exactly those instants.
    const breakdown = await api<{ total: { n: number } }>(
      `/api/v1/entities/cursor/breakdown?by=source&from=${encodeURIComponent(asked.get('from')!)}&to=${encodeURIComponent(asked.get('to')!)}`,
    );
    await expect.poll(async () => (await page.locator('.window-total').innerText()).includes(`(${zone})`), { timeout: 15_000 }).toBe(true);
    expect(Number((await page.locator('.window-total').innerText()).match(/^([\d,]+) mentions/)![1]!.replace(/,/g, ''))).toBe(
      breakdown.total.n,
    );
    await page.getByRole('link', { name: 'Compare…' }).click();
    await page.waitForURL(/\/compare\?/);
    expect(new URL(page.url()).searchParams.get('tz')).toBe(zone);
    expect(await page.getByLabel('Time zone').inputValue()).toBe(zone);
    await india.close();
  });

  it('keyboard: one tab stop per radio group with arrow keys to choose, and a new page puts focus on its heading', async () => {
    const page = await openPage('/entity/cursor');
    const thirty = page.getByRole('radio', { name: '30 days' });
    await thirty.waitFor();
    expect(await page.locator('[aria-label="Range"] [tabindex="0"]').count()).toBe(1);
    expect(await thirty.getAttribute('tabindex')).toBe('0');
    await thirty.focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/range=90d/);
    const focused = async () =>
      (await page.evaluate('document.activeElement && (document.activeElement.id || document.activeElement.textContent)')) as string;
    expect(await focused()).toBe('90 days');
    expect(await page.getByRole('radio', { name: '90 days' }).getAttribute('tabindex')).toBe('0');
    // A filter on the same page keeps focus where it is; another page moves it to that page's heading.
    await page.getByRole('link', { name: 'Compare…' }).click();
    await page.waitForURL(/\/compare\?/);
    await expect.poll(focused, { timeout: 5_000 }).toBe('compare-title');
    await page.close();
  });

  it('back returns to the scroll position the reader left', async () => {
    const page = await openPage('/?range=90d');
    await page.setViewportSize({ width: 1280, height: 420 });
    await page.locator('tr[data-slug="cursor"]').waitFor();
    const link = page.locator('tr[data-slug] th a').last();
    await link.scrollIntoViewIfNeeded();
    const left = (await page.evaluate('window.scrollY')) as number;
    expect(left).toBeGreaterThan(200);
    await link.click();
    await page.waitForURL(/\/entity\//);
    await expect.poll(async () => page.evaluate('window.scrollY'), { timeout: 5_000 }).toBe(0);
    await page.goBack();
    await page.waitForURL((url) => url.pathname === '/');
    await expect.poll(async () => Math.abs(((await page.evaluate('window.scrollY')) as number) - left), { timeout: 5_000 }).toBeLessThan(3);
    await page.close();
  });

  it('on a 390 px phone the entity chart starts within the first screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await phone.newPage();
    await page.goto(`${server.url}/entity/cursor`);
    const chart = page.locator('.chart-card canvas').first();
    await chart.waitFor();
    await page.locator('.window-total').waitFor();
    const box = (await chart.boundingBox())!;
    await page.screenshot({ path: join(SHOTS, 'entity-phone.png'), fullPage: false });
    // The plot starts in the upper part of the screen, and most of it is on the first screen.
    expect(box.y, `chart top at ${box.y}px`).toBeLessThan(844 / 2 + 120);
    expect(box.y + box.height * 0.75, `chart bottom at ${box.y + box.height}px`).toBeLessThan(844);
    await phone.close();
  });

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});

/** The window the page shows, as the overview/compare table asked the API for it. */
async function pageWindow(page: Page): Promise<{ from: string; to: string }> {
  const text = (await page.evaluate('JSON.stringify(performance.getEntriesByType("resource").map((e) => e.name))')) as string;
  const urls = (JSON.parse(text) as string[]).filter((name) => name.includes('/api/v1/entities?'));
  const last = new URL(urls.at(-1)!);
  return { from: last.searchParams.get('from')!, to: last.searchParams.get('to')! };
}
