import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCount, formatDate, formatScore } from '../../web/src/lib/format.ts';
import { REPO_ROOT, type ServeProcess } from '../support/cli.ts';
import { startSeededDashboard, type SeededDashboard } from './seeded-dashboard.ts';
import type { ImportLine } from './seed-posts.ts';

// Issue 16 in the browser: the entity page's version table shows the API's numbers for its window,
// and a version opens the posts naming it.
const SHOTS = join(REPO_ROOT, 'test-results', 'versions');
const DAY = 86_400_000;
const ADMIN_TOKEN = 'versions-e2e-admin-token-0123456789';
const daysAgo = (days: number) => new Date(Date.now() - days * DAY - 3_600_000).toISOString();

function line(id: string, body: string, days: number, extra: Partial<ImportLine> = {}): ImportLine {
  return {
    source: 'reddit',
    externalId: id,
    url: `https://example.com/${id}`,
    author: `dev-${id}`,
    body,
    createdAt: daysAgo(days),
    score: 3,
    ...extra,
  };
}

const SEED: ImportLine[] = [
  line('new-1', 'Claude Code 2.0.55 is excellent, it fixed my flaky build in minutes.', 2),
  line('new-2', 'Claude Code 2.0.55 keeps crashing on start, this release is terrible.', 3),
  line('new-3', 'Claude Code 2.0.55 is great, the planning mode finally works.', 4),
  line('new-4', 'Claude Code hangs after login. Platform: darwin - Terminal: vscode - Version: 2.0.55 - Feedback ID: abc', 5, {
    source: 'github',
    url: 'https://github.com/anthropics/claude-code/issues/4242',
    title: '[BUG] hangs after login',
  }),
  line('old-1', 'Claude Code v2.0.14 was awful, it deleted my tests twice.', 9),
  line('old-2', 'Claude Code 2.0.14 is slow and buggy, I hate the new permission prompts.', 10),
  line('plain-1', 'Claude Code is fine I guess, nothing special this week.', 6),
  line('plain-2', 'Claude Code helped me refactor the parser, nice.', 7),
];

interface VersionAnswer {
  n: number;
  items: Array<{
    version: string;
    n: number;
    positive: number;
    neutral: number;
    negative: number;
    score: number | null;
    scoreLow: number | null;
    scoreHigh: number | null;
    release: { occurredAt: string } | null;
  }>;
}

describe('the version breakdown on the entity page, in a real browser against vibecheck serve', () => {
  let dashboard: SeededDashboard;
  let server: ServeProcess;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dashboard = await startSeededDashboard(SEED, { ADMIN_TOKEN });
    ({ server, browser } = dashboard);
    // The release that marks 2.0.55's arrival, as a feed or an admin would record it.
    const posted = await fetch(`${server.url}/api/v1/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ entity: 'claude-code', kind: 'release', title: 'Claude Code 2.0.55', occurredAt: daysAgo(6) }),
    });
    if (posted.status !== 201 && posted.status !== 200) throw new Error(`event: ${posted.status} ${await posted.text()}`);
  });

  afterAll(() => dashboard?.close());

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${server.url}${path}`);
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };

  async function openEntity(): Promise<{ page: Page; query: string }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.url}/entity/claude-code`);
    // The section loads when opened, so a first view of the page stays at six requests.
    await page.locator('.post').first().waitFor();
    const request = page.waitForRequest((r) => r.url().includes('/api/v1/entities/claude-code/versions?'));
    await page.locator('.version-card > summary').click();
    const url = new URL((await request).url());
    await page.locator('table.version-table').waitFor();
    return { page, query: url.search };
  }

  it('shows, row by row, the numbers the API gives for the window', async () => {
    const { page, query } = await openEntity();
    const answer = await api<VersionAnswer>(`/api/v1/entities/claude-code/versions${query}`);
    expect(answer.items.map((i) => i.version)).toEqual(['2.0.55', '2.0.14']);
    expect(answer.items.map((i) => i.n)).toEqual([4, 2]);
    const rows = page.locator('table.version-table tbody tr');
    expect(await rows.count()).toBe(answer.items.length);
    for (const item of answer.items) {
      const row = page.locator(`table.version-table tr[data-version="${item.version}"]`);
      expect(await row.locator('th').innerText()).toBe(item.version);
      expect(await row.locator('[data-field="n"]').innerText()).toBe(formatCount(item.n));
      const score = await row.locator('[data-field="score"]').innerText();
      expect(score).toContain(formatScore(item.score));
      if (item.scoreLow !== null && item.scoreHigh !== null)
        expect(score).toContain(`±${((item.scoreHigh - item.scoreLow) / 2).toFixed(2)}`);
      const bar = row.locator('[data-field="polarity"] .split-bar');
      for (const polarity of ['positive', 'neutral', 'negative'] as const)
        expect(Number(await bar.getAttribute(`data-${polarity}`))).toBe(item[polarity]);
      const released = await row.locator('[data-field="released"]').innerText();
      expect(released).toBe(item.release ? formatDate(item.release.occurredAt) : '—');
    }
    expect(answer.items[0]!.release).not.toBeNull();
    await page.screenshot({ path: join(SHOTS, 'versions.png'), fullPage: true });
    await page.close();
  });

  it('opens the posts of a version from its row, the same posts the API lists', async () => {
    const { page, query } = await openEntity();
    const button = page.locator('table.version-table tr[data-version="2.0.55"] button');
    await button.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/version=2\.0\.55/);
    expect(await button.getAttribute('aria-pressed')).toBe('true');
    const params = new URLSearchParams(query);
    const expected = await api<{ items: Array<{ externalId: string; version: string }> }>(
      `/api/v1/entities/claude-code/posts?from=${encodeURIComponent(params.get('from')!)}&to=${encodeURIComponent(params.get('to')!)}&version=2.0.55&limit=20`,
    );
    expect(expected.items.map((i) => i.externalId).sort()).toEqual(['new-1', 'new-2', 'new-3', 'new-4']);
    const list = page.locator('.feed-card ol.post-list > li > article');
    await expect
      .poll(async () => list.evaluateAll((items) => items.map((post) => post.getAttribute('data-external-id'))), { timeout: 10_000 })
      .toEqual(expected.items.map((i) => i.externalId));
    await expect.poll(async () => page.getByRole('button', { name: 'Remove version filter 2.0.55' }).count()).toBe(1);

    // The chip clears the filter: every post of the window again.
    await page.getByRole('button', { name: 'Remove version filter 2.0.55' }).click();
    await expect.poll(async () => list.count(), { timeout: 10_000 }).toBe(SEED.length);
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});
