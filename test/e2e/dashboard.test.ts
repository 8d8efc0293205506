import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, startServe, type ServeProcess } from '../support/cli.ts';
import { createDataDir } from '../support/databases.ts';
import { ensureDashboardBuilt, launchChromium } from './browser.ts';
import { generatePosts, HOSTILE_POST, writeJsonLines } from './seed-posts.ts';

const SHOTS = join(REPO_ROOT, 'test-results', 'dashboard');
const PHONE = { width: 390, height: 844 };

describe('dashboard in a real browser against vibecheck serve', () => {
  const dataDir = createDataDir({ cluster: true });
  let server: ServeProcess;
  let browser: Browser;
  let context: BrowserContext;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureDashboardBuilt();
    const file = join(dataDir.dir, 'seed.jsonl');
    const posts = [
      ...generatePosts({
        names: ['Cursor', 'Claude Code', 'GitHub Copilot', 'ChatGPT'],
        days: 60,
        postsPerDayPerEntity: 2,
        moods: { Cursor: 0.4, 'GitHub Copilot': -0.3 },
      }),
      HOSTILE_POST,
    ];
    await writeJsonLines(file, posts);
    const imported = await runCli(['import', file, '--json'], { DATA_DIR: dataDir.dir });
    if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`);
    expect(JSON.parse(imported.stdout)).toMatchObject({ read: posts.length, rejected: 0 });
    server = await startServe(['--no-collect'], { DATA_DIR: dataDir.dir });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    dataDir.remove();
  });

  async function openPage(path: string, viewport?: { width: number; height: number }): Promise<Page> {
    const page = await context.newPage();
    if (viewport) await page.setViewportSize(viewport);
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${path}: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`${path}: ${error.message}`));
    await page.goto(`${server.url}${path}`);
    return page;
  }

  // Expressions run in the page, where DOM types exist; this file is checked without them.
  const evaluate = <T>(page: Page, expression: string) => page.evaluate(expression) as Promise<T>;
  const noHorizontalOverflow = (page: Page) => evaluate<boolean>(page, 'document.documentElement.scrollWidth <= window.innerWidth');

  it('the overview lists the seeded entities with their numbers', async () => {
    const page = await openPage('/');
    await page.locator('tr[data-slug="cursor"]').waitFor();
    // Entities without a mention in 30 days are folded under the table, not rows of dashes.
    const shown = await page.locator('tr[data-slug]').count();
    const folded = await page.locator('.quiet-entities li').count();
    expect(shown).toBeGreaterThanOrEqual(4);
    expect(folded).toBeGreaterThan(20);
    expect(shown + folded).toBeGreaterThanOrEqual(40);
    expect(await page.locator('.quiet-entities summary').innerText()).toBe(
      `${folded} tracked entities with no mentions in the last 30 days`,
    );
    const cursorRow = page.locator('tr[data-slug="cursor"]');
    expect(await cursorRow.locator('td').nth(2).innerText()).not.toBe('0');
    await page.locator('.sparkline polyline').first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });

    await page.getByRole('radio', { name: 'Tools' }).click();
    await page.waitForURL(/kind=tool/);
    expect(await page.locator('tr[data-slug="chatgpt"]').count()).toBe(0);
    await page.getByLabel('Search').fill('claude');
    await page.waitForURL(/q=claude/);
    const slugs = await page.locator('tr[data-slug]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-slug')));
    expect(slugs).toContain('claude-code');
    expect(slugs).not.toContain('cursor');
    await page.close();
  });

  it("the overview takes a source filter: its figures are that source's alone, as the API gives them", async () => {
    const page = await openPage('/?range=30d');
    await page.locator('tr[data-slug="cursor"]').waitFor();
    const all = Number((await page.locator('tr[data-slug="cursor"] [data-field="mentions"]').innerText()).replace(/,/g, ''));
    const request = page.waitForRequest(
      (r) => new URL(r.url()).pathname === '/api/v1/entities' && new URL(r.url()).searchParams.get('source') === 'hn',
    );
    await page.getByLabel('Source').selectOption('hn');
    await page.waitForURL(/source=hn/);
    const asked = new URL((await request).url());
    const answer = (await (await fetch(`${server.url}/api/v1/entities${asked.search}`)).json()) as {
      items: Array<{ slug: string; summary: { n: number } }>;
    };
    const hn = answer.items.find((e) => e.slug === 'cursor')!.summary.n;
    expect(hn).toBeGreaterThan(0);
    expect(hn).toBeLessThan(all);
    await expect
      .poll(async () => page.locator('tr[data-slug="cursor"] [data-field="mentions"]').innerText())
      .toBe(hn.toLocaleString('en-US'));
    expect(await page.locator('.page-head p').innerText()).toMatch(/from Hacker News only\.$/);
    await page.close();
  });

  it('an entity page draws its chart, aspects and feed', async () => {
    const page = await openPage('/entity/cursor?range=90d');
    await page.locator('.chart-card canvas').first().waitFor();
    await page.locator('.post').first().waitFor();
    await page.locator('.aspect-row').first().waitFor();
    expect(await page.locator('.post').count()).toBeGreaterThan(5);
    expect(await page.locator('.post mark').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'entity.png'), fullPage: true });
    await page.close();
  });

  it('the by-source rows add up to the window total, from one request for exactly that window; the page makes at most 6', async () => {
    const requests: string[] = [];
    const page = await context.newPage();
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/')) requests.push(r.url());
    });
    await page.goto(`${server.url}/entity/cursor?range=30d`);
    await page.locator('.source-table tbody tr').first().waitFor();
    await page.locator('.window-total').waitFor();
    const rows = (await page.locator('.source-table tbody td.num:first-of-type').allTextContents()).map((text) =>
      Number(text.replace(/[^0-9]/g, '')),
    );
    const total = Number((await page.locator('.window-total').textContent())!.match(/^([\d,]+) mentions/)![1]!.replace(/,/g, ''));
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.reduce((n, count) => n + count, 0)).toBe(total);
    expect(total).toBeGreaterThan(0);
    // The header follows the same window, not a fixed 7 days.
    const header = page.locator('.headline-stats div', { hasText: 'Mentions (30 days)' }).locator('dd');
    // Polled from here: the page's CSP (rightly) forbids the eval a string waitForFunction needs.
    await expect.poll(async () => (await page.locator('.headline-stats').textContent())?.includes('…'), { timeout: 15_000 }).toBe(false);
    expect(Number((await header.textContent())!.replace(/[^0-9]/g, ''))).toBe(total);
    const breakdowns = requests.filter((url) => url.includes('/cursor/breakdown?'));
    expect(breakdowns, breakdowns.join('\n')).toHaveLength(1);
    // The window the page asked for is the window the total is over; no per-source series requests.
    expect(requests.filter((url) => url.includes('/sentiment?') && url.includes('source='))).toEqual([]);
    // The whole page: entity, series, aspects, source list, this breakdown and the feed.
    await page.locator('.post').first().waitFor();
    expect(requests.length, requests.join('\n')).toBeLessThanOrEqual(6);
    await page.close();
  });

  it('back to a page seen a moment ago shows its figures from the cache, asking nothing; forward again too, with every page of its feed', async () => {
    const page = await openPage('/?range=30d');
    await page.locator('tr[data-slug="cursor"]').waitFor();
    await page.locator('tr[data-slug="cursor"] th a').click();
    await page.waitForURL(/\/entity\/cursor\?/);
    await page.locator('.chart-card canvas').first().waitFor();
    await page.locator('.source-table tbody tr').first().waitFor();
    const posts = page.locator('#entity-posts .post');
    await posts.first().waitFor();
    // 30 days of Cursor is about 60 posts: a second page of 20 after "Load more".
    await page.locator('#entity-posts button.load-more').click();
    await expect.poll(() => posts.count()).toBe(40);
    const loaded = await posts.allInnerTexts();
    const requests: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/')) requests.push(r.url());
    });

    await page.goBack();
    await page.locator('tr[data-slug="cursor"]').waitFor();
    expect(await page.locator('tr[data-slug] [data-field="mentions"]').count()).toBeGreaterThanOrEqual(4);
    await page.goForward();
    await page.locator('.chart-card canvas').first().waitFor();
    await page.locator('.window-total').waitFor();
    await posts.first().waitFor();
    expect(await posts.allInnerTexts()).toEqual(loaded);
    // The answers are under 30 s old (the API's max-age): shown from memory, not even asked of the browser cache.
    expect(requests, requests.join('\n')).toEqual([]);
    await page.close();
  });

  it('changing the source filter changes the series request and the URL, and back undoes it', async () => {
    const page = await openPage('/entity/cursor');
    await page.locator('.chart-card canvas').first().waitFor();
    const seriesRequest = page.waitForRequest(
      (r) => r.url().includes('/api/v1/entities/cursor/sentiment') && r.url().includes('source=hn') && r.url().includes('bucket=day'),
    );
    await page.getByLabel('Source').selectOption('hn');
    expect(new URL((await seriesRequest).url()).searchParams.get('source')).toBe('hn');
    await page.waitForURL(/[?&]source=hn/);
    await page.locator('.chart-card canvas').first().waitFor();
    await expect
      .poll(
        async () => {
          const busy = await page.locator('.post-list').getAttribute('aria-busy');
          const badges = await page.locator('.post .source-badge').allTextContents();
          return busy === 'false' && badges.length > 0 && badges.every((badge) => badge === 'Hacker News');
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    const sources = await page.locator('.post .source-badge').allTextContents();
    expect(sources.length).toBeGreaterThan(0);
    expect(new Set(sources)).toEqual(new Set(['Hacker News']));
    await page.goBack();
    await page.waitForURL((url) => !url.search.includes('source='));
    expect(await page.getByLabel('Source').inputValue()).toBe('');
    await page.close();
  });

  it('clicking an aspect filters the feed to it', async () => {
    const page = await openPage('/entity/cursor?range=90d');
    const first = page.locator('.aspect-row').first();
    await first.waitFor();
    const aspect = (await first.getAttribute('data-aspect'))!;
    // Shown as words ("Code quality"), asked for by key (code_quality).
    const label = (await first.locator('.aspect-name').innerText()).trim();
    const postsRequest = page.waitForRequest((r) => r.url().includes('/posts') && r.url().includes(`aspect=${aspect}`));
    await first.click();
    await postsRequest;
    await page.waitForURL(new RegExp(`aspect=${aspect}`));
    // The filtered feed replaces the unfiltered one once its response renders: every post then carries the aspect.
    const everyPostHasAspect = async (): Promise<boolean> => {
      const posts = await page.locator('.post').all();
      if (posts.length === 0) return false;
      const chips = await Promise.all(posts.map((post) => post.locator('.aspect-chip').allInnerTexts()));
      return chips.every((list) => list.some((c) => c.startsWith(label)));
    };
    await expect.poll(everyPostHasAspect, { timeout: 10_000 }).toBe(true);
    await page.close();
  });

  it('a post containing <script> shows as text and runs nothing', async () => {
    const page = await openPage('/entity/cursor');
    const hostile = page.locator('[data-external-id="hostile-1"]');
    await hostile.waitFor();
    expect(await hostile.locator('.post-body').innerText()).toContain('<script>window.__xss=1</script>');
    expect(await hostile.locator('.post-body').innerText()).toContain('<img src=x onerror="window.__xss=2">');
    expect(await hostile.locator('script, img').count()).toBe(0);
    expect(await evaluate(page, 'typeof window.__xss')).toBe('undefined');
    await page.close();
  });

  it('compare draws two entities, share of voice and aspects side by side', async () => {
    const page = await openPage('/compare?entities=cursor,github-copilot&range=90d');
    await page.locator('.chart-card canvas').nth(1).waitFor();
    expect(await page.locator('.compare-totals tbody tr').count()).toBe(2);
    await page.locator('.aspect-matrix').waitFor();
    await page.screenshot({ path: join(SHOTS, 'compare.png'), fullPage: true });
    await page.getByLabel('Add entity').selectOption('claude-code');
    await page.waitForURL(/entities=cursor%2Cgithub-copilot%2Cclaude-code|entities=cursor,github-copilot,claude-code/);
    await page.locator('.compare-totals tbody tr').nth(2).waitFor();
    await page.close();
  });

  it('the sources page shows each collector', async () => {
    const page = await openPage('/sources');
    await page.locator('.source-card').first().waitFor();
    expect(await page.locator('.source-card[data-source="hn"]').count()).toBe(1);
    // Served with --no-collect: said once, and no source claims a schedule; imported posts count.
    expect(await page.locator('.notice').textContent()).toMatch(/Collection is off/);
    expect(await page.locator('.source-card dt', { hasText: 'Every' }).count()).toBe(0);
    const hnMentions = await page
      .locator('.source-card[data-source="hn"] .facts div', { hasText: 'Mentions stored' })
      .locator('dd')
      .textContent();
    expect(Number(hnMentions!.replace(/[^0-9]/g, ''))).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'sources.png'), fullPage: true });
    await page.close();
  });

  it('every page fits a phone screen and the dark theme applies', async () => {
    for (const [name, path, ready] of [
      ['overview', '/', 'tr[data-slug]'],
      ['entity', '/entity/cursor', '.post'],
      ['compare', '/compare?entities=cursor,claude-code', '.compare-totals'],
      ['sources', '/sources', '.source-card'],
    ] as const) {
      const page = await openPage(path, PHONE);
      await page.locator(ready).first().waitFor();
      expect(await noHorizontalOverflow(page), `${name} overflows a phone screen`).toBe(true);
      await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
      await page.close();
    }
    const page = await openPage('/entity/cursor');
    await page.getByRole('button', { name: /Change theme/ }).click();
    expect(await evaluate(page, 'document.documentElement.dataset.theme')).toBe('dark');
    await page.locator('.chart-card canvas').first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'entity-dark.png'), fullPage: true });
    await page.reload();
    expect(await evaluate(page, 'document.documentElement.dataset.theme')).toBe('dark');
    await page.close();
  });

  it('logged no console errors on any page', () => {
    expect(consoleErrors).toEqual([]);
  });
});
