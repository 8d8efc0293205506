import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCount, formatScore } from '../../web/src/lib/format.ts';
import { LOW_SAMPLE_N } from '../../web/src/components/chart-model.ts';
import { REPO_ROOT, runCli, startServe, type ServeProcess } from '../support/cli.ts';
import { createDataDir } from '../support/databases.ts';
import { ensureDashboardBuilt, launchChromium } from './browser.ts';
import { generatePosts, writeJsonLines, type ImportLine } from './seed-posts.ts';

const SHOTS = join(REPO_ROOT, 'test-results', 'screens');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const ADMIN_TOKEN = 'charts-test-admin-token-0123456789';
const DAY_MS = 86_400_000;

interface SeriesAnswer {
  from: string;
  to: string;
  bucket: string;
  series: Array<{ bucketStart: string; n: number; score: number | null }>;
}

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('charts in a real browser: damping, hover, markers, and every page as a screenshot', () => {
  const dataDir = createDataDir({ cluster: true });
  let server: ServeProcess;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const consoleErrors: string[] = [];
  // Two days ten and eleven days ago keep only three Cursor posts each: low-sample buckets.
  const thinDays = new Set([utcDay(Date.now() - 10 * DAY_MS), utcDay(Date.now() - 11 * DAY_MS)]);
  const burstDay = utcDay(Date.now() - 5 * DAY_MS);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureDashboardBuilt();
    const kept = new Map<string, number>();
    const posts: ImportLine[] = [];
    for (const post of generatePosts({
      names: ['Cursor', 'Claude Code'],
      days: 40,
      postsPerDayPerEntity: 14,
      moods: { Cursor: 0.3, 'Claude Code': -0.2 },
    })) {
      const day = utcDay(Date.parse(post.createdAt));
      if (post.body.startsWith('Cursor') && thinDays.has(day)) {
        const count = kept.get(day) ?? 0;
        if (count >= 3) continue;
        kept.set(day, count + 1);
      }
      posts.push(post);
    }
    // A burst of complaints five days ago: the spike detector makes a spike event of it.
    for (const post of generatePosts({
      names: ['Cursor'],
      days: 1,
      postsPerDayPerEntity: 90,
      now: new Date(Date.parse(`${burstDay}T23:00:00Z`) + 3_600_000),
      seed: 7,
      moods: { Cursor: -0.9 },
    })) {
      posts.push({ ...post, externalId: `burst-${post.externalId}`, body: post.body.replace('(ticket', '(burst ticket') });
    }
    const file = join(dataDir.dir, 'seed.jsonl');
    await writeJsonLines(file, posts);
    const imported = await runCli(['import', file, '--json'], { DATA_DIR: dataDir.dir });
    if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`);
    // The schedule runs so spike detection does; its one source points at a closed local port and fails harmlessly.
    server = await startServe([], {
      DATA_DIR: dataDir.dir,
      ADMIN_TOKEN,
      VIBECHECK_SOURCES: 'lobsters',
      VIBECHECK_LOBSTERS_URL: 'http://127.0.0.1:9',
    });
    // Three events within hours of each other (one marker), one a week later, one for Claude Code.
    const base = Date.now() - 20 * DAY_MS;
    const events = [
      {
        entity: 'cursor',
        kind: 'release',
        title: 'Cursor 2.1 released',
        url: 'https://example.com/cursor-2-1',
        occurredAt: new Date(base).toISOString(),
      },
      { entity: 'cursor', kind: 'incident', title: 'Cursor API outage', occurredAt: new Date(base + 2 * 3_600_000).toISOString() },
      { entity: 'cursor', kind: 'note', title: 'Pricing change announced', occurredAt: new Date(base + 4 * 3_600_000).toISOString() },
      { entity: 'cursor', kind: 'release', title: 'Cursor 2.2 released', occurredAt: new Date(base + 7 * DAY_MS).toISOString() },
      { entity: 'claude-code', kind: 'release', title: 'Claude Code 1.5 released', occurredAt: new Date(base + 3 * DAY_MS).toISOString() },
    ];
    for (const body of events) {
      const response = await fetch(`${server.url}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify(body),
      });
      if (response.status !== 201) throw new Error(`event not stored: ${response.status} ${await response.text()}`);
    }
    // The first scheduled spike detection runs a few seconds after start.
    const deadline = Date.now() + 60_000;
    const spikes = async () =>
      ((await (await fetch(`${server.url}/api/v1/events?kind=spike&entity=cursor`)).json()) as { items: unknown[] }).items.length;
    while ((await spikes()) === 0) {
      if (Date.now() > deadline) throw new Error('no spike event detected within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
    dataDir.remove();
  });

  async function openPage(path: string, options: { viewport?: { width: number; height: number }; dark?: boolean } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: options.viewport ?? DESKTOP, colorScheme: options.dark ? 'dark' : 'light' });
    contexts.push(context);
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${path}: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`${path}: ${error.message}`));
    await page.goto(`${server.url}${path}`);
    return page;
  }

  /** Opens an entity page and returns the series answer its chart draws. */
  async function openEntity(
    path: string,
    options: { viewport?: { width: number; height: number } } = {},
  ): Promise<{ page: Page; series: SeriesAnswer }> {
    const context = await browser.newContext({ viewport: options.viewport ?? DESKTOP });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => consoleErrors.push(`${path}: ${error.message}`));
    // Generous: other test files share the machine, and the server's own jobs share its read slots.
    const answer = page.waitForResponse((r) => r.url().includes('/api/v1/entities/cursor/sentiment'), { timeout: 90_000 });
    await page.goto(`${server.url}${path}`);
    const series = (await (await answer).json()) as SeriesAnswer;
    await page.locator('.chart-frame canvas').first().waitFor();
    return { page, series };
  }

  it('scales the axis to the data with 0 inside, and draws low-sample buckets damped and the running bucket partial', async () => {
    const { page, series } = await openEntity('/entity/cursor?range=30d');
    const frame = page.locator('.chart-frame').first();
    const [low, high] = (await frame.getAttribute('data-y-range'))!.split(',').map(Number);
    expect(low).toBeLessThan(0);
    expect(high).toBeGreaterThan(0);
    expect([low, high]).not.toEqual([-1, 1]);

    const expectedLow = series.series.flatMap((p, i) => (p.n > 0 && p.n < LOW_SAMPLE_N ? [i] : []));
    expect(expectedLow.length).toBeGreaterThanOrEqual(2);
    expect((await frame.getAttribute('data-damped'))!.split(',').map(Number)).toEqual(expectedLow);
    // The table says the same: the thinned days are flagged, and only they.
    await page.locator('.chart-table summary').first().click();
    const flagged = await page
      .locator('.chart-table tbody tr[data-low-sample="true"]')
      .evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-bucket-index'))));
    expect(flagged).toEqual(expectedLow);
    for (const index of expectedLow) {
      const cells = page.locator(`.chart-table tbody tr[data-bucket-index="${index}"] td`);
      expect(Number((await cells.first().innerText()).replace(/[^0-9]/g, ''))).toBeLessThan(LOW_SAMPLE_N);
    }
    // Today is still running: the last bucket is partial.
    const last = series.series.length - 1;
    expect(await frame.getAttribute('data-incomplete')).toContain(`${last}:in-progress`);
    expect(await page.locator(`.chart-table tbody tr[data-bucket-index="${last}"]`).getAttribute('data-incomplete')).toBe('in-progress');
    await page.context().close();
  });

  it('hovering a bucket shows its range, n, mean and interval; the arrow keys reach the same tooltip', async () => {
    const { page, series } = await openEntity('/entity/cursor?range=30d');
    const over = (await page.locator('.chart-frame .u-over').first().boundingBox())!;
    const count = series.series.length;
    const index = series.series.findIndex((p, i) => i > 2 && p.n >= LOW_SAMPLE_N);
    const point = series.series[index]!;
    // Day buckets are equally wide and the x axis spans exactly the buckets: bucket i sits at (i + 0.5) / count.
    await page.mouse.move(over.x + (over.width * (index + 0.5)) / count, over.y + over.height / 2);
    const tooltip = page.locator('.chart-tooltip');
    await tooltip.waitFor();
    expect(await tooltip.getAttribute('data-bucket-index')).toBe(String(index));
    const text = await tooltip.innerText();
    expect(text).toContain(`n = ${formatCount(point.n)}`);
    expect(text).toContain(`mean ${formatScore(point.score)}`);
    expect(text).toContain('95% interval');
    expect(text).toContain(
      new Date(point.bucketStart).toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' }),
    );

    // A low-sample bucket says so in its tooltip.
    const lowIndex = series.series.findIndex((p) => p.n > 0 && p.n < LOW_SAMPLE_N);
    await page.mouse.move(over.x + (over.width * (lowIndex + 0.5)) / count, over.y + over.height / 2);
    await expect.poll(async () => tooltip.getAttribute('data-bucket-index')).toBe(String(lowIndex));
    expect(await tooltip.innerText()).toContain(`few: under ${LOW_SAMPLE_N}`);

    await page.mouse.move(0, 0);
    await page.locator('.chart-frame').first().focus();
    await page.keyboard.press('End');
    await expect.poll(async () => tooltip.getAttribute('data-bucket-index')).toBe(String(count - 1));
    expect(await tooltip.innerText()).toContain('still in progress');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => tooltip.getAttribute('data-bucket-index')).toBe(String(count - 2));
    expect(await tooltip.innerText()).toContain(`n = ${formatCount(series.series[count - 2]!.n)}`);
    await page.keyboard.press('Escape');
    await expect.poll(async () => tooltip.count()).toBe(0);
    await page.context().close();
  });

  it('merges events too close to tell apart into one marker, never overlaps markers, and names them on hover and click', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const { page, series } = await openEntity('/entity/cursor?range=30d', { viewport });
      const markers = page.locator('.event-marker');
      await markers.first().waitFor();
      const boxes = await markers.evaluateAll((elements) =>
        elements.map((e) => e.getBoundingClientRect()).map((r) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom })),
      );
      expect(boxes.length).toBeGreaterThanOrEqual(1);
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]!;
          const b = boxes[j]!;
          const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
          expect(overlap, `markers ${i} and ${j} overlap at ${viewport.width}px`).toBe(false);
        }
      }
      // Every stored Cursor event in the window (4 entered, plus the detected spikes) is on some marker, exactly once.
      const stored = (
        (await (await fetch(`${server.url}/api/v1/events?entity=cursor&from=${series.from}&to=${series.to}`)).json()) as {
          items: Array<{ id: number; title: string }>;
        }
      ).items;
      const ids = (await markers.evaluateAll((elements) => elements.map((e) => e.getAttribute('data-event-ids') ?? ''))).flatMap((s) =>
        s.split(','),
      );
      expect(stored.length).toBeGreaterThan(4);
      expect(ids.map(Number).sort((a, b) => a - b)).toEqual(stored.map((e) => e.id).sort((a, b) => a - b));
      // The three events entered within four hours share one marker showing their count.
      const close = stored
        .filter((e) => ['Cursor 2.1 released', 'Cursor API outage', 'Pricing change announced'].includes(e.title))
        .map((e) => String(e.id));
      expect(close).toHaveLength(3);
      const merged = page.locator(
        `.event-marker[data-event-ids="${close.sort((a, b) => Number(a) - Number(b)).join(',')}"], .event-marker[data-event-ids="${close.join(',')}"]`,
      );
      expect(await merged.count()).toBe(1);
      expect(await merged.innerText()).toMatch(/^3\b/);

      await merged.hover();
      const tip = merged.locator('.marker-tip');
      await expect.poll(async () => tip.isVisible()).toBe(true);
      expect(await tip.innerText()).toContain('Cursor API outage');
      const within = (box: { x: number; width: number } | null) => box !== null && box.x >= 0 && box.x + box.width <= viewport.width;
      expect(within(await tip.boundingBox()), `marker tooltip ${JSON.stringify(await tip.boundingBox())} inside ${viewport.width}px`).toBe(
        true,
      );
      // The bucket tooltip stays on screen wherever the pointer is.
      await page.locator('.chart-frame .u-over').first().scrollIntoViewIfNeeded();
      const over = (await page.locator('.chart-frame .u-over').first().boundingBox())!;
      for (const at of [0.05, 0.3, 0.7, 0.95]) {
        await page.mouse.move(over.x + over.width * at, over.y + over.height * 0.6);
        await page.locator('.chart-tooltip').waitFor();
        expect(within(await page.locator('.chart-tooltip').boundingBox()), `bucket tooltip at ${at} inside ${viewport.width}px`).toBe(true);
      }
      await merged.click();
      const panel = page.locator('.event-panel');
      await panel.waitFor();
      expect(await panel.locator('li[data-event-id]').count()).toBe(3);
      expect(await panel.getByRole('link', { name: 'Cursor 2.1 released' }).getAttribute('href')).toBe('https://example.com/cursor-2-1');
      expect(await panel.innerText()).toContain('Pricing change announced');
      // The most telling event (the incident) is explained at once from GET /api/v1/events/{id}/explain, the others on request.
      const explained = panel.locator('li[data-event-id]', { hasText: 'Cursor API outage' }).locator('.event-explanation');
      await explained.waitFor();
      expect(await explained.innerText()).toMatch(/^Cursor: /);
      expect(await explained.locator('.top-posts li').count()).toBeGreaterThan(0);
      expect(await panel.locator('.event-explanation').count()).toBe(1);
      await panel
        .locator('li[data-event-id]', { hasText: 'Pricing change announced' })
        .getByRole('button', { name: 'Explain this event' })
        .click();
      await expect.poll(async () => panel.locator('.event-explanation').count(), { timeout: 15_000 }).toBe(2);
      await page.context().close();
    }
  });

  it('clicking a spike marker lists the posts behind the spike, from its explanation', async () => {
    const { page } = await openEntity('/entity/cursor?range=30d');
    const spike = page.locator('.event-marker-spike').first();
    await spike.waitFor();
    const explain = page.waitForResponse((r) => /\/api\/v1\/events\/\d+\/explain$/.test(new URL(r.url()).pathname));
    await spike.click();
    const answer = (await (await explain).json()) as { event: { kind: string }; posts: Array<{ postId: number }> };
    expect(answer.event.kind).toBe('spike');
    const panel = page.locator('.event-panel');
    const explained = panel.locator('.event-explanation').first();
    await explained.waitFor();
    const listed = await explained
      .locator('.top-posts li')
      .evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-post-id'))));
    expect(listed.length).toBeGreaterThan(0);
    expect(listed).toEqual(answer.posts.slice(0, listed.length).map((p) => p.postId));
    expect(await explained.locator('.top-posts').innerText()).toContain('burst ticket');
    await page.context().close();
  });

  it('marks events on the compare chart too, for the compared entities only, with a tooltip of every line', async () => {
    const page = await openPage('/compare?entities=cursor,claude-code&range=30d');
    await page.locator('.chart-frame canvas').first().waitFor();
    await page.locator('.chart-frame .event-marker').first().waitFor();
    const ids = (
      await page
        .locator('.chart-frame .event-marker')
        .evaluateAll((elements) => elements.map((e) => e.getAttribute('data-event-ids') ?? ''))
    ).flatMap((s) => s.split(','));
    const stored = (
      (await (await fetch(`${server.url}/api/v1/events?from=${new Date(Date.now() - 31 * DAY_MS).toISOString()}`)).json()) as {
        items: Array<{ entity: string | null }>;
      }
    ).items;
    expect(ids).toHaveLength(stored.filter((e) => e.entity === 'cursor' || e.entity === 'claude-code').length);
    expect(ids.length).toBeGreaterThanOrEqual(5);
    const over = (await page.locator('.chart-frame .u-over').first().boundingBox())!;
    await page.mouse.move(over.x + over.width * 0.5, over.y + over.height / 2);
    const tooltip = page.locator('.chart-tooltip');
    await tooltip.waitFor();
    expect(await tooltip.locator('.tip-line').count()).toBe(2);
    expect(await tooltip.innerText()).toContain('Claude Code');
    const [low, high] = (await page.locator('.chart-frame').first().getAttribute('data-y-range'))!.split(',').map(Number);
    expect(low! < 0 && high! > 0).toBe(true);
    await page.context().close();
  });

  it("an admin adds a note to an entity's chart and edits the entity from the Manage page", async () => {
    const page = await openPage('/manage');
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Add note' }).waitFor();
    const day = utcDay(Date.now() - 2 * DAY_MS);
    // Markup in a title must come back as text on the chart.
    const title = 'Claude Code <b>2.9</b> shipped';
    await page.getByLabel('Entity', { exact: true }).selectOption('claude-code');
    await page.getByLabel('Kind of note').selectOption('release');
    await page.getByLabel('Day (UTC)').fill(day);
    await page.getByLabel('Title').fill(title);
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByRole('status').filter({ hasText: 'Added' }).waitFor();
    const stored = (
      (await (await fetch(`${server.url}/api/v1/events?entity=claude-code&kind=release`)).json()) as {
        items: Array<{ id: number; title: string; occurredAt: string }>;
      }
    ).items;
    const note = stored.find((e) => e.title === title);
    expect(note?.occurredAt).toBe(`${day}T12:00:00.000Z`);

    await page.getByRole('link', { name: 'See it on the chart' }).click();
    await page.locator('.chart-frame canvas').first().waitFor();
    await page.locator('.event-list li', { hasText: '2.9' }).waitFor();
    expect(await page.locator('.event-list li', { hasText: '2.9' }).innerText()).toContain(title);
    const markerIds = (
      await page.locator('.event-marker').evaluateAll((elements) => elements.map((e) => e.getAttribute('data-event-ids') ?? ''))
    ).flatMap((ids) => ids.split(','));
    expect(markerIds).toContain(String(note!.id));

    await page.getByRole('link', { name: 'Manage' }).click();
    await page.getByLabel('Entity to edit').selectOption('claude-code');
    await page.getByLabel('New name').fill('Claude Code CLI');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved Claude Code CLI' }).waitFor();
    const entity = (await (await fetch(`${server.url}/api/v1/entities/claude-code`)).json()) as { name: string; aliases: string[] };
    expect(entity.name).toBe('Claude Code CLI');
    await page.goto(`${server.url}/entity/claude-code`);
    await page.getByRole('heading', { level: 1, name: 'Claude Code CLI' }).waitFor();
    await page.context().close();
  });

  it('screenshots every page on desktop and a 390 px phone, light and dark', async () => {
    const pages: Array<[string, string, string]> = [
      ['overview', '/', 'tr[data-slug="cursor"]'],
      ['entity', '/entity/cursor?range=30d', '.chart-frame canvas'],
      ['compare', '/compare?entities=cursor,claude-code&range=30d', '.chart-frame canvas'],
      ['sources', '/sources', 'main h1'],
    ];
    for (const [name, path, ready] of pages) {
      for (const [device, viewport] of [
        ['desktop', DESKTOP],
        ['phone', PHONE],
      ] as const) {
        for (const dark of [false, true]) {
          const page = await openPage(path, { viewport, dark });
          await page.locator(ready).first().waitFor();
          expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), `${name} ${device} overflows`).toBe(
            true,
          );
          await page.screenshot({ path: join(SHOTS, `${name}-${device}-${dark ? 'dark' : 'light'}.png`), fullPage: true });
          await page.context().close();
        }
      }
    }
    // Sixteen cold page loads with full-page screenshots: minutes on a busy two-core machine.
  }, 180_000);

  it('logged no console errors on any page', () => {
    expect(consoleErrors).toEqual([]);
  });
});
