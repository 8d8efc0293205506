import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { upsertEvent } from '../../src/db/queries/events.ts';
import { rebuildRollups } from '../../src/db/queries/ingest.ts';
import { migrate } from '../../src/db/migrate.ts';
import { detectAndStoreSpikes } from '../../src/pipeline/spikes.ts';
import { startServe, type ServeProcess } from '../support/cli.ts';
import { createDataDir } from '../support/databases.ts';
import { insertTestEntity } from '../support/mentions.ts';
import {
  buildHistory,
  buildWave,
  CURRENT_RELEASE,
  DAY,
  dayStartOf,
  deepDipText,
  HISTORY_DAYS,
  HOUR,
  insertMany,
  launchDips,
  PAST_RELEASES,
} from '../support/regression-history.ts';
import { ensureDashboardBuilt, launchChromium } from './browser.ts';

/**
 * The attribution of a regression and of a negativity spike, as the detection job stored it, shown
 * with the event's explanation on the entity page: the layer, its confidence and the evidence.
 */
describe('attribution in a real browser', () => {
  const dataDir = createDataDir({ cluster: true });
  let server: ServeProcess;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    const end = Math.floor(Date.now() / DAY) * DAY;
    const dayStart = dayStartOf(end);
    const database = await openDatabase({ databaseUrl: undefined, dataDir: dataDir.dir });
    try {
      const { db } = database;
      await migrate(db);
      const tool = await insertTestEntity(db, 'deep-dip', 'tool');
      await insertMany(db, tool, 'deep-dip', buildHistory({ end, seed: 2, shift: launchDips(2.6), text: deepDipText(2.6) }));
      for (const r of [...PAST_RELEASES, CURRENT_RELEASE]) {
        await upsertEvent(db, {
          entityId: tool,
          kind: 'release',
          source: 'rss',
          externalId: `deep-dip-${r}`,
          title: `deep-dip release ${r}`,
          url: null,
          body: null,
          occurredAt: new Date(dayStart(r) + 2 * HOUR),
          details: {},
        });
      }
      const api = await insertTestEntity(db, 'outage-api', 'tool');
      await insertMany(
        db,
        api,
        'outage-api',
        buildWave(end, 3, 3, { body: 'is it down for everyone? 529 overloaded errors all morning', aspect: 'reliability', count: 40 }),
      );
      await upsertEvent(db, {
        entityId: api,
        kind: 'incident',
        source: 'statuspage',
        externalId: 'incident-1',
        title: 'Elevated error rates <b>on the API</b>',
        url: null,
        body: null,
        occurredAt: new Date(dayStart(3) + 8 * HOUR),
        details: {},
      });
      await rebuildRollups(db, new Date(end - (HISTORY_DAYS + 1) * DAY), new Date(end + DAY));
      // The real detection job, as the schedule runs it.
      await detectAndStoreSpikes(db, { now: new Date(end + HOUR), days: 14 });
    } finally {
      await database.close();
    }
    server = await startServe(['--no-collect'], { DATA_DIR: dataDir.dir });
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
    dataDir.remove();
  });

  async function openEntity(slug: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${slug}: ${error.message}`));
    await page.goto(`${server.url}/entity/${slug}?range=30d`);
    await page.locator('.chart-frame canvas').first().waitFor({ timeout: 90_000 });
    return page;
  }

  it('a regression marker opens its explanation with the likely layer, its confidence and the evidence', async () => {
    const page = await openEntity('deep-dip');
    const marker = page.locator('.event-marker-regression').first();
    await marker.waitFor();
    const explain = page.waitForResponse((r) => /\/api\/v1\/events\/\d+\/explain$/.test(new URL(r.url()).pathname));
    await marker.click();
    const answer = (await (await explain).json()) as { event: { kind: string }; attribution: { layer: string; confidence: number } };
    expect(answer.event.kind).toBe('regression');
    const attribution = page.locator('.event-panel .event-explanation .attribution').first();
    await attribution.waitFor();
    expect(await attribution.getAttribute('data-layer')).toBe('model');
    const text = await attribution.innerText();
    expect(text).toContain('Likely cause: the model');
    expect(text).toContain(`confidence ${Math.round(answer.attribution.confidence * 100)}%`);
    expect(text).toMatch(/"dumber", "nerfed", "lazy" complaints rose from \d+% to \d+% of mentions/);
  });

  it('a negativity spike near an incident is shown as an outage, the incident named as plain text', async () => {
    const page = await openEntity('outage-api');
    const marker = page.locator('.event-marker-spike').first();
    await marker.waitFor();
    await marker.click();
    const panel = page.locator('.event-panel');
    const negativity = panel.locator('li[data-event-id]', { hasText: 'negative share' });
    await negativity.waitFor();
    // The merged marker explains its first event at once; the negativity spike's is one click away.
    const button = negativity.getByRole('button', { name: 'Explain this event' });
    if ((await button.count()) > 0) await button.click();
    const attribution = negativity.locator('.attribution');
    await attribution.waitFor();
    expect(await attribution.getAttribute('data-layer')).toBe('outage');
    const text = await attribution.innerText();
    expect(text).toContain('Likely cause: an outage');
    expect(text).toContain('incident near: Elevated error rates <b>on the API</b>');
    expect(await attribution.locator('b').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
