import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startServe, type ServeProcess } from '../support/cli.ts';
import { createDataDir } from '../support/databases.ts';
import { ensureDashboardBuilt, launchChromium } from './browser.ts';

const SHOTS = join(REPO_ROOT, 'test-results', 'dashboard');
const ADMIN_TOKEN = 'admin-alerts-test-token-0123456789';
// The part of the channel URL that must never come back from the API or show on the page.
const HOOK_PATH = '/hooks/team-private-path-Zq7w';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('the Alerts page in a real browser', () => {
  const dataDir = createDataDir({ cluster: true });
  const received: Received[] = [];
  let receiver: Server;
  let receiverUrl: string;
  let server: ServeProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureDashboardBuilt();
    // A team's webhook endpoint: records every request and answers 200.
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${HOOK_PATH}`;
    server = await startServe(['--no-collect'], { DATA_DIR: dataDir.dir, ADMIN_TOKEN });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    dataDir.remove();
  });

  it('signs in, adds a webhook rule (secret shown once, channel masked), sends a test the receiver gets signed, lists it delivered, and removes the rule', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
    await page.waitForURL(`${server.url}/alerts`);
    // The page's code loads on first visit; focus still lands on its heading, which announces it.
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Alerts');
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('No alert rules yet.').waitFor();

    const ruleForm = page.getByRole('form', { name: 'Add a rule' });
    await ruleForm.getByLabel('Kind', { exact: true }).selectOption('spike');
    await ruleForm.getByLabel('Entity', { exact: true }).selectOption('cursor');
    await ruleForm.getByLabel('Channel URL').fill(receiverUrl);
    await ruleForm.getByLabel('Name (optional)').fill('Cursor spikes');
    await page.getByRole('button', { name: 'Add rule' }).click();
    const secret = (await page.locator('code.secret').innerText()).trim();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);

    const card = page.locator('li.alert-rule', { hasText: 'Cursor spikes' });
    await card.waitFor();
    const channel = await card.locator('dd.channel').innerText();
    expect(channel).toContain('127.0.0.1');
    expect(channel).not.toContain('team-private-path');
    expect(await page.content()).not.toContain('team-private-path');

    // The secret is shown once: dismissed, it is nowhere on the page, and a reload does not bring it back.
    await page.getByRole('button', { name: 'I have kept it' }).click();
    expect(await page.content()).not.toContain(secret);

    await card.getByRole('button', { name: 'Send a test' }).click();
    await card.getByRole('status').filter({ hasText: 'Test delivered' }).waitFor();
    expect(await card.getByRole('status').innerText()).toMatch(/^Test delivered \(HTTP 200\) in \d+ ms\.$/);
    const row = card.locator('table.deliveries tbody tr').first();
    await row.waitFor();
    expect(await row.getAttribute('data-outcome')).toBe('delivered');
    expect(await row.locator('td').nth(1).innerText()).toBe('Test');
    expect(await row.locator('td').nth(3).innerText()).toBe('200');
    await page.screenshot({ path: join(SHOTS, 'alerts.png'), fullPage: true });

    // Exactly one signed POST reached the receiver, the signature checked here independently.
    expect(received).toHaveLength(1);
    const [hit] = received;
    expect(hit).toMatchObject({ method: 'POST', path: HOOK_PATH });
    expect(hit!.headers['x-vibecheck-delivery']).toBeTruthy();
    const signature = String(hit!.headers['x-vibecheck-signature']).match(/^t=(\d+),v1=([0-9a-f]{64})$/);
    expect(signature).not.toBeNull();
    expect(createHmac('sha256', secret).update(`${signature![1]}.${hit!.body}`).digest('hex')).toBe(signature![2]);

    await page.reload();
    await card.waitFor();
    expect(await page.content()).not.toContain(secret);
    await card.getByRole('button', { name: 'Remove…' }).click();
    await card.getByRole('button', { name: /^Yes, remove rule \d+$/ }).click();
    await page.getByText('No alert rules yet.').waitFor();

    // A rule on every model: the card says how many it watches, as the API counts them.
    await ruleForm.getByLabel('Kind', { exact: true }).selectOption('spike');
    await ruleForm.getByLabel('Entity', { exact: true }).selectOption({ label: 'Every model' });
    await ruleForm.getByLabel('Channel URL').fill(receiverUrl);
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('button', { name: 'I have kept it' }).click();
    const kindCard = page.locator('li.alert-rule', { hasText: 'Models: spike' });
    await kindCard.waitFor();
    const rules = await fetch(`${server.url}/api/v1/alerts`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const [kindRule] = ((await rules.json()) as { items: Array<{ entityKind: string; entities: number }> }).items;
    expect(kindRule).toMatchObject({ entityKind: 'model' });
    expect(kindRule!.entities).toBeGreaterThan(1);
    expect(await kindCard.locator('dd').nth(1).innerText()).toBe(`Every model (${kindRule!.entities} now)`);
    await kindCard.getByRole('button', { name: 'Remove…' }).click();
    await kindCard.getByRole('button', { name: /^Yes, remove rule \d+$/ }).click();
    await page.getByText('No alert rules yet.').waitFor();
    const list = await fetch(`${server.url}/api/v1/alerts`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(((await list.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('subscribes a channel to weekly digests of every tool (secret shown once, channel masked), refuses a bad hour, sends one now, and removes it', async () => {
    const digests = page.locator('section.digests');
    const form = page.getByRole('form', { name: 'Subscribe a channel' });
    await digests.getByText('No digest subscriptions yet.').waitFor();
    await form.getByLabel('At hour (UTC)').fill('24');
    await form.getByLabel('Channel URL').fill(receiverUrl);
    await form.getByRole('button', { name: 'Subscribe' }).click();
    expect(await form.getByRole('alert').innerText()).toBe('The hour is a whole number from 0 to 23 (UTC).');

    await form.getByLabel('Every').selectOption('weekly');
    await form.getByLabel('At hour (UTC)').fill('7');
    await form.getByLabel('Covers').selectOption({ label: 'Every tool' });
    await form.getByLabel('Name (optional)').fill('Weekly tools');
    await form.getByRole('button', { name: 'Subscribe' }).click();
    const secret = (await digests.locator('code.secret').innerText()).trim();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    await digests.getByRole('button', { name: 'I have kept it' }).click();
    expect(await page.content()).not.toContain(secret);

    const card = digests.locator('li.alert-rule', { hasText: 'Weekly tools' });
    await card.waitFor();
    const facts = await card.locator('dd').allInnerTexts();
    expect(facts[0]).toBe('weekly, Mondays at 07:00 UTC, for the ISO week before');
    expect(facts[1]).toBe('every tool');
    expect(facts[2]).toContain('127.0.0.1');
    expect(await page.content()).not.toContain('team-private-path');
    expect(facts[3]).toBe('0 sent, 0 delivered, 0 failed');
    await card.getByRole('button', { name: 'Show deliveries' }).click();
    await card.getByText('Nothing sent yet.').waitFor();

    // "Send now": the digest of the last 7 days reaches the receiver, signed with the shown secret, and is listed delivered.
    await card.getByRole('button', { name: 'Send now' }).click();
    await card.getByRole('status').filter({ hasText: 'delivered' }).waitFor();
    expect(await card.getByRole('status').innerText()).toBe('Digest of the last 7 days delivered.');
    expect(received).toHaveLength(2);
    const digest = received[1]!;
    expect(digest).toMatchObject({ method: 'POST', path: HOOK_PATH });
    const signed = String(digest.headers['x-vibecheck-signature']).match(/^t=(\d+),v1=([0-9a-f]{64})$/);
    expect(createHmac('sha256', secret).update(`${signed![1]}.${digest.body}`).digest('hex')).toBe(signed![2]);
    const message = JSON.parse(digest.body) as { rule: { kind: string; name: string }; digest: { cadence: string }; summary: string };
    expect(message).toMatchObject({ rule: { kind: 'digest', name: 'Weekly tools' }, digest: { cadence: 'weekly' } });
    expect(message.summary).toMatch(/^every tool from .* \d+ movers? \(\d+ significant\)/);
    const sentRow = card.locator('table.deliveries tbody tr').first();
    await sentRow.waitFor();
    expect(await sentRow.getAttribute('data-outcome')).toBe('delivered');
    await expect.poll(async () => card.locator('dd').nth(3).innerText()).toMatch(/^1 sent, 1 delivered, 0 failed/);
    // The form's choices are what the server stored.
    const stored = await fetch(`${server.url}/api/v1/digests`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const [subscription] = ((await stored.json()) as { items: unknown[] }).items;
    expect(subscription).toMatchObject({ name: 'Weekly tools', cadence: 'weekly', hourUtc: 7, kinds: ['tool'], entities: [] });
    await page.screenshot({ path: join(SHOTS, 'digests.png'), fullPage: true });

    await card.getByRole('button', { name: 'Remove…' }).click();
    await card.getByRole('button', { name: /^Yes, remove subscription \d+$/ }).click();
    await digests.getByText('No digest subscriptions yet.').waitFor();
    const after = await fetch(`${server.url}/api/v1/digests`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(((await after.json()) as { items: unknown[] }).items).toEqual([]);
    // Subscribing itself sent nothing: the one digest is the one asked for.
    expect(received).toHaveLength(2);
  });

  it('a wrong token sees no rules and keeps nothing', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').fill('wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').innerText()).toMatch(/admin token was refused/);
    // No token is kept (the tab's storage holds at most the after-change revalidation deadline).
    expect(await page.evaluate("sessionStorage.getItem('vibecheck.adminToken')")).toBeNull();
    expect(await page.evaluate('JSON.stringify(Object.assign({}, sessionStorage))')).not.toContain('wrong-token');
    expect(await page.locator('li.alert-rule').count()).toBe(0);
  });
});
