import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { generatePosts, type ImportLine } from './seed-posts.ts';
import { startSeededDashboard, type SeededDashboard } from './seeded-dashboard.ts';

// Issue 13: a first-run screen that says what is true, and "test this source" from the dashboard,
// against `vibecheck serve --no-collect` on an empty database with one RSS feed (a real local server).
const SHOTS = join(REPO_ROOT, 'test-results', 'first-run');
const TOKEN = 'first-run-admin-token-0123';

const FEED = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Dev notes</title>
<item><title>Claude Code keeps crashing on large repos</title><guid>b1</guid><link>https://blog.example/posts/1</link>
  <pubDate>Tue, 24 Nov 2026 16:30:00 GMT</pubDate><description>Really slow.</description></item>
<item><title>&lt;img src=x onerror="window.__pwned=1"&gt; Cursor tips</title><guid>b2</guid><link>javascript:window.__pwned=2</link>
  <pubDate>Mon, 23 Nov 2026 09:00:00 GMT</pubDate></item>
<item><title>Gardening with tomatoes</title><guid>b3</guid><pubDate>Sun, 22 Nov 2026 09:00:00 GMT</pubDate></item>
</channel></rss>`;

interface SourceList {
  collection: boolean;
  items: Array<{
    name: string;
    skipReason: string | null;
    intervalSeconds: number | null;
    mentionsStored: number;
    lastMentionDay: string | null;
  }>;
}

describe('first run and "test this source" in a real browser against vibecheck serve', () => {
  let upstream: FakeUpstream;
  let dashboard: SeededDashboard;
  let missingFeed: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    upstream = await startFakeUpstream((request) =>
      request.path === '/feed.xml'
        ? { headers: { 'content-type': 'application/rss+xml' }, body: FEED }
        : { status: 404, body: 'no such feed' },
    );
    missingFeed = `${upstream.url}/gone.xml`;
    dashboard = await startSeededDashboard([], { ADMIN_TOKEN: TOKEN, VIBECHECK_RSS_FEEDS: `${upstream.url}/feed.xml,${missingFeed}` });
  });
  afterAll(async () => {
    await dashboard?.close();
    await upstream?.close();
  });

  const sources = async (): Promise<SourceList> => (await (await fetch(`${dashboard.server.url}/api/v1/sources`)).json()) as SourceList;

  it('the overview of an empty database says nothing is stored, that collection is off, which sources cannot run and why, and how to import', async () => {
    const page = await dashboard.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${dashboard.server.url}/`);
    const firstRun = page.locator('.first-run');
    await firstRun.waitFor();
    const text = await firstRun.innerText();
    expect(text).toContain('Nothing is stored yet.');
    expect(text).toContain('Collection is off on this server');
    expect(text).toContain('vibecheck import posts.jsonl');
    // Every source the API says cannot run is listed with its reason, and only those.
    const api = await sources();
    expect(api.collection).toBe(false);
    const skipped = api.items.filter((s) => s.skipReason !== null);
    expect(skipped.length).toBeGreaterThan(0);
    expect(await firstRun.locator('.first-run-sources li').count()).toBe(skipped.length);
    for (const s of skipped) expect(text).toContain(s.skipReason!);
    expect(skipped.map((s) => s.name)).not.toContain('rss');
    await page.screenshot({ path: join(SHOTS, 'overview-first-run.png'), fullPage: true });

    await firstRun.getByRole('link', { name: 'Test a source' }).click();
    await page.waitForURL(/\/sources$/);
    await page.close();
  });

  it('signed in, "Test this source" shows what one poll reads now, post text as text, and stores nothing', async () => {
    const page = await dashboard.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${dashboard.server.url}/sources`);
    const rss = page.locator('.source-card[data-source="rss"]');
    await rss.waitFor();
    // No button before signing in: the test needs the admin token.
    expect(await rss.getByRole('button', { name: 'Test this source' }).count()).toBe(0);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await rss.getByRole('button', { name: 'Test this source' }).click();
    const result = rss.locator('.source-preview');
    await result.waitFor({ timeout: 20_000 });

    const summary = await result.locator('p').first().innerText();
    expect(summary).toBe('3 items read now: 2 would be stored, 0 recorded as events only, 1 ignored. Nothing was stored.');
    const items = result.locator('.preview-items li');
    expect(await items.count()).toBe(3);
    // Linked entities by name, not slug.
    expect(await items.nth(0).innerText()).toContain('Claude Code');
    expect(await items.nth(0).getByRole('link').getAttribute('href')).toBe('https://blog.example/posts/1');
    // Markup in a title is shown as text; a javascript: link is not made a link.
    expect(await items.nth(1).innerText()).toContain('<img src=x onerror="window.__pwned=1"> Cursor tips');
    expect(await items.nth(1).getByRole('link').count()).toBe(0);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(dialogs).toEqual([]);
    // The feed that failed is named with its error.
    const errors = await rss.locator('.source-preview .source-error').innerText();
    expect(errors).toContain(missingFeed);
    expect(errors).toContain('404');
    await page.screenshot({ path: join(SHOTS, 'source-test.png'), fullPage: true });

    // Nothing was stored: the counts are still zero.
    expect((await sources()).items.reduce((sum, s) => sum + s.mentionsStored, 0)).toBe(0);
    await page.close();
  });
});

describe('an overview whose period holds none of the imported history, in a real browser', () => {
  const DAY_MS = 86_400_000;
  // Twenty days of posts ending 400 days ago, and one from YouTube (a source with no collector) on the last of them.
  const end = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS - 400 * DAY_MS + 12 * 3_600_000);
  const lastDay = end.toISOString().slice(0, 10);
  const seed: ImportLine[] = [
    ...generatePosts({ names: ['Cursor', 'Claude Code'], days: 20, postsPerDayPerEntity: 2, now: end }),
    {
      source: 'youtube',
      externalId: 'yt-1',
      url: 'https://www.youtube.com/watch?v=x',
      author: 'viewer',
      body: 'Cursor is great for this.',
      createdAt: end.toISOString(),
      score: 1,
    },
  ];
  let dashboard: SeededDashboard;
  beforeAll(async () => {
    dashboard = await startSeededDashboard(seed);
  });
  afterAll(async () => {
    await dashboard?.close();
  });

  it('offers the stored period (at most the year up to its newest day) one click away, and does not list an import-only source as one that cannot run', async () => {
    const api = (await (await fetch(`${dashboard.server.url}/api/v1/sources`)).json()) as SourceList;
    const youtube = api.items.find((s) => s.name === 'youtube');
    expect(youtube).toMatchObject({ intervalSeconds: null, mentionsStored: 1, lastMentionDay: lastDay });

    const page = await dashboard.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${dashboard.server.url}/?kind=tool`);
    const firstRun = page.locator('.first-run');
    await firstRun.waitFor();
    const text = await firstRun.innerText();
    expect(text).toMatch(/mentions are stored in all, none of them in this view\./);
    const lastShown = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(end);
    expect(text).toContain(`The newest is from ${lastShown}`);
    // Only collectors that cannot run are listed; YouTube has no collector, so no setting would make it run.
    expect(text).not.toContain('YouTube');
    await page.screenshot({ path: join(SHOTS, 'overview-history-elsewhere.png'), fullPage: true });

    await firstRun.locator('a.stored-period').click();
    await page.waitForURL(/range=custom/);
    const query = new URL(page.url()).searchParams;
    // From the oldest stored day (nearer than a year back) to the newest, whose next day ends the window; the other filters kept.
    const firstDay = seed.map((post) => post.createdAt.slice(0, 10)).reduce((a, b) => (a < b ? a : b));
    const to = new Date(Date.parse(lastDay) + DAY_MS).toISOString().slice(0, 10);
    expect(Object.fromEntries(query)).toEqual({ kind: 'tool', range: 'custom', from: firstDay, to });
    await page.locator('tr[data-slug="cursor"]').waitFor();
    expect(await page.locator('.first-run').count()).toBe(0);
    await page.close();
  });
});
