import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type ServeProcess } from '../support/cli.ts';
import { startSeededDashboard, type SeededDashboard } from './seeded-dashboard.ts';
import type { ImportLine } from './seed-posts.ts';

// Issue 16 in the browser: the Flows page's from -> to matrix shows the API's numbers for its
// period, and a cell opens the posts behind it (with hostile post text left inert).
const SHOTS = join(REPO_ROOT, 'test-results', 'flows');
const DAY = 86_400_000;
const HOSTILE = 'I switched from Cursor to Claude Code. <img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script>';

function line(id: string, body: string, daysAgo: number): ImportLine {
  return {
    source: 'reddit',
    externalId: id,
    url: `https://example.com/${id}`,
    author: `dev-${id}`,
    body,
    createdAt: new Date(Date.now() - daysAgo * DAY - 3_600_000).toISOString(),
    score: 3,
  };
}

const SEED: ImportLine[] = [
  ...Array.from({ length: 5 }, (_, i) =>
    line(`cost-${i}`, `I switched from Cursor to Claude Code because the pricing got ridiculous (${i}).`, 2 + i),
  ),
  line('crash', 'Moved from Cursor to Claude Code, Cursor kept crashing on my repo.', 8),
  line('hostile', HOSTILE, 9),
  ...Array.from({ length: 2 }, (_, i) =>
    line(`back-${i}`, `I switched from Claude Code to Cursor, the rate limits were brutal (${i}).`, 3 + i),
  ),
  line('cancel', 'Cancelled my Windsurf subscription today.', 4),
  line('adds', 'I use Codex alongside Claude Code for reviews.', 5),
  line('question', 'Should I switch from Cursor to Claude Code?', 6),
];

interface Matrix {
  items: Array<{ from: string | null; to: string | null; kind: string; n: number; reasons: Array<{ aspect: string; n: number }> }>;
}

describe('the Flows page in a real browser against vibecheck serve', () => {
  let dashboard: SeededDashboard;
  let server: ServeProcess;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dashboard = await startSeededDashboard(SEED);
    ({ server, browser } = dashboard);
  });

  afterAll(() => dashboard?.close());

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${server.url}${path}`);
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };

  /** Opens `path`, runs `go` (which brings up the Flows page), and returns the window the page asked the API for. */
  async function openFlows(
    path: string,
    go: (page: Page) => Promise<void> = async () => undefined,
  ): Promise<{ page: Page; from: string; to: string }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const request = page.waitForRequest((r) => r.url().includes('/api/v1/flows?'));
    await page.goto(`${server.url}${path}`);
    await go(page);
    const url = new URL((await request).url());
    await page.locator('table.flow-matrix').waitFor();
    return { page, from: url.searchParams.get('from')!, to: url.searchParams.get('to')! };
  }

  it('is in the navigation and shows, cell by cell, the numbers the API gives for its period', async () => {
    const { page, from, to } = await openFlows('/', async (p) => {
      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Flows' }).click();
      await p.waitForURL(/\/flows/);
    });
    const matrix = await api<Matrix>(`/api/v1/flows?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&bucket=week`);
    const switches = matrix.items.filter((i) => i.kind === 'switch');
    expect(switches.find((i) => i.from === 'cursor' && i.to === 'claude-code')?.n).toBe(7);
    for (const item of switches) {
      const cell = page.locator(`td[data-cell="${item.from ?? 'none'}~${item.to ?? 'none'}"]`);
      expect(Number(await cell.locator('.flow-n').innerText()), `${item.from} -> ${item.to}`).toBe(item.n);
      if (item.reasons[0]) expect(await cell.innerText()).toContain(item.reasons[0].aspect === 'cost' ? 'Cost' : '');
    }
    // One cell per switch item: nothing drawn that the API did not say.
    expect(await page.locator('table.flow-matrix .flow-cell').count()).toBe(switches.length);
    // The table reads as a table: headers for rows and columns.
    expect(await page.locator('table.flow-matrix th[scope="row"]').count()).toBeGreaterThan(0);
    expect(await page.locator('table.flow-matrix th[scope="col"]').count()).toBeGreaterThan(1);
    // The net row reads in the direction most moves went: 7 to Claude Code, 2 back.
    const net = await api<{ net: Array<{ a: string; b: string; net: number }> }>(
      `/api/v1/flows?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&bucket=week`,
    );
    expect(net.net.find((p) => p.a === 'claude-code' && p.b === 'cursor')?.net).toBe(-5);
    expect(await page.locator('tr[data-pair="cursor~claude-code"] .flow-net-value').innerText()).toBe('+5');
    await page.screenshot({ path: join(SHOTS, 'matrix.png'), fullPage: true });

    // Additions are their own matrix.
    await page.getByRole('radio', { name: 'Additions' }).click();
    await page.waitForURL(/kind=adds/);
    await expect.poll(async () => page.locator('td[data-cell="claude-code~codex-cli"] .flow-n').innerText(), { timeout: 10_000 }).toBe('1');
    await page.close();
  });

  it('opens the posts behind a cell from the keyboard, the same posts the API lists, with post text kept inert', async () => {
    const { page, from, to } = await openFlows('/flows');
    const cellButton = page.locator('td[data-cell="cursor~claude-code"] button');
    await cellButton.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('from_entity') === 'cursor' && u.searchParams.get('to_entity') === 'claude-code');
    const list = page.locator('ol.flow-posts > li');
    await list.first().waitFor();
    const expected = await api<{ items: Array<{ externalId: string }> }>(
      `/api/v1/flows/posts?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&from_entity=cursor&to_entity=claude-code&kind=switch&limit=20`,
    );
    await expect.poll(async () => list.count(), { timeout: 10_000 }).toBe(expected.items.length);
    expect(await list.evaluateAll((items) => items.map((li) => li.getAttribute('data-external-id')))).toEqual(
      expected.items.map((i) => i.externalId),
    );
    expect(await cellButton.getAttribute('aria-pressed')).toBe('true');

    // The hostile post (imported as HTML, stored as its text) is shown and runs nothing.
    const hostile = page.locator('ol.flow-posts > li[data-external-id="hostile"]');
    expect(await hostile.innerText()).toContain('I switched from Cursor to Claude Code');
    expect(await hostile.locator('img, script').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();

    // The URL holds the cell: a reload shows the same posts.
    await page.reload();
    await list.first().waitFor();
    expect(await list.count()).toBe(expected.items.length);
    await page.screenshot({ path: join(SHOTS, 'cell-posts.png'), fullPage: true });
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});
