import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startServe, type ServeProcess } from '../support/cli.ts';
import { createDataDir } from '../support/databases.ts';
import { ensureDashboardBuilt, launchChromium } from './browser.ts';

const SHOTS = join(REPO_ROOT, 'test-results', 'dashboard');
const ADMIN_TOKEN = 'admin-entities-test-token-0123456789';
const TOKEN_KEY = 'vibecheck.adminToken';
// Markup in a name must come back as the same text, never as elements.
const NAME = 'Quill <img src=x onerror="window.__pwned=1"> Code';

describe('admin sign-in and adding an entity from the dashboard', () => {
  const dataDir = createDataDir({ cluster: true });
  let server: ServeProcess;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureDashboardBuilt();
    server = await startServe(['--no-collect'], { DATA_DIR: dataDir.dir, ADMIN_TOKEN });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    dataDir.remove();
  });

  // Expressions run in the page, where DOM types exist; this file is checked without them.
  const evaluate = <T>(page: Page, expression: string) => page.evaluate(expression) as Promise<T>;
  const storedToken = (page: Page) => evaluate<string | null>(page, `sessionStorage.getItem(${JSON.stringify(TOKEN_KEY)})`);
  const localStorageText = (page: Page) => evaluate<string>(page, 'JSON.stringify(Object.assign({}, localStorage))');
  const getEntity = (slug: string) => fetch(`${server.url}/api/v1/entities/${slug}`);

  /** Every API request the page makes, with whether it carried the token and how. */
  function recordApi(page: Page): { url: string; method: string; authorization: string | undefined }[] {
    const seen: { url: string; method: string; authorization: string | undefined }[] = [];
    page.on('request', (request: Request) => {
      if (new URL(request.url()).pathname.startsWith('/api/'))
        seen.push({ url: request.url(), method: request.method(), authorization: request.headers().authorization });
    });
    return seen;
  }

  it('a wrong token is refused with a clear message and nothing is stored', async () => {
    const page = await context.newPage();
    const requests = recordApi(page);
    await page.goto(`${server.url}/manage`);
    await page.getByLabel('Admin token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/admin token was refused/i);
    expect(await storedToken(page)).toBeNull();
    expect(await localStorageText(page)).not.toContain('not-the-token');
    expect(await page.getByRole('button', { name: 'Add entity' }).count()).toBe(0);
    expect(requests.every((r) => !r.url.includes('not-the-token'))).toBe(true);
    await page.close();
  });

  it('signs in, adds an entity with an alias and context words, and shows it on the overview as text', async () => {
    const page = await context.newPage();
    const requests = recordApi(page);
    const consoleText: string[] = [];
    page.on('console', (message) => consoleText.push(message.text()));
    // The overview seen first: its list may sit in the browser cache (max-age 30 s) and must not hide the new entity.
    await page.goto(`${server.url}/`);
    await page.locator('.quiet-entities').waitFor();
    await page.getByRole('link', { name: 'Manage' }).click();
    // Keyboard only: the field is labelled and reachable; Enter submits.
    await page.getByLabel('Admin token').focus();
    await page.keyboard.type(ADMIN_TOKEN);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await storedToken(page)).toBe(ADMIN_TOKEN);
    expect(await localStorageText(page)).not.toContain(ADMIN_TOKEN);
    expect(page.url()).not.toContain(ADMIN_TOKEN);

    await page.getByLabel('Name', { exact: true }).fill(NAME);
    expect(await page.getByLabel('Slug', { exact: true }).inputValue()).toBe('quill-img-src-x-onerror-window-pwned-1-code');
    await page.getByLabel('Slug', { exact: true }).fill('quill-code');
    await page.getByLabel('Kind', { exact: true }).selectOption('tool');
    await page.getByLabel('Other names (comma-separated)').fill('quill.dev, QuillIDE');
    await page.getByLabel(/^Context words/).fill('editor, rust');
    await page.getByRole('button', { name: 'Add entity' }).click();
    // Either answer ends the wait, so a refusal fails here with its message rather than a timeout.
    const status = page.locator('.form-ok, .form-error');
    await status.first().waitFor();
    expect(await status.innerText()).toContain(`Added ${NAME} (quill-code)`);
    await page.screenshot({ path: join(SHOTS, 'manage.png'), fullPage: true });

    // Stored as sent.
    const stored = (await (await getEntity('quill-code')).json()) as { name: string; kind: string; aliases: string[] };
    expect(stored).toMatchObject({ name: NAME, kind: 'tool' });
    expect(stored.aliases).toEqual(expect.arrayContaining(['quill.dev', 'QuillIDE']));

    // The token went only with the write and the sign-in check, in the header, never in a URL.
    const post = requests.find((r) => r.method === 'POST' && r.url.endsWith('/api/v1/entities'));
    expect(post?.authorization).toBe(`Bearer ${ADMIN_TOKEN}`);
    const carriers = requests.filter((r) => r.authorization !== undefined).map((r) => `${r.method} ${new URL(r.url).pathname}`);
    expect(carriers.sort()).toEqual(['GET /api/v1/alerts', 'POST /api/v1/entities']);
    expect(requests.every((r) => !r.url.includes(ADMIN_TOKEN))).toBe(true);

    await page.getByRole('link', { name: 'See it on the overview' }).click();
    await page.waitForURL(`${server.url}/`);
    const quiet = page.locator('.quiet-entities');
    await quiet.waitFor();
    await quiet.locator('summary').click();
    const item = quiet.locator('li', { hasText: 'Quill' });
    expect(await item.innerText()).toBe(NAME);
    expect(await page.locator('.quiet-entities img').count()).toBe(0);
    expect(await evaluate<unknown>(page, 'window.__pwned')).toBeUndefined();

    // Removing it, in the same tab (still signed in), takes a second explicit step and empties the overview of it.
    await page.getByRole('link', { name: 'Manage' }).click();
    await page.getByLabel('Entity to remove').selectOption('quill-code');
    await page.getByRole('button', { name: 'Remove…' }).click();
    await page.getByRole('button', { name: `Yes, remove ${NAME}` }).click();
    await page.getByText(`Removed ${NAME}.`).waitFor();
    expect((await getEntity('quill-code')).status).toBe(404);
    const remove = requests.find((r) => r.method === 'DELETE');
    expect(remove).toMatchObject({ url: `${server.url}/api/v1/entities/quill-code`, authorization: `Bearer ${ADMIN_TOKEN}` });
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.locator('.quiet-entities').waitFor();
    expect(await page.locator('.quiet-entities li', { hasText: 'Quill' }).count()).toBe(0);
    // Never logged, in the page or by the server.
    expect(consoleText.join('\n')).not.toContain(ADMIN_TOKEN);
    expect(server.stderr()).not.toContain(ADMIN_TOKEN);
    await page.close();
  });

  it('a token refused at the write adds nothing and is forgotten; signing out forgets a good one', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/manage`);
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').waitFor();
    expect(await storedToken(page)).toBeNull();

    // A token that stopped being right (rotated on the server) while the tab kept it.
    await evaluate(page, `sessionStorage.setItem(${JSON.stringify(TOKEN_KEY)}, 'rotated-away')`);
    await page.reload();
    await page.getByLabel('Name', { exact: true }).fill('Helix');
    await page.getByRole('button', { name: 'Add entity' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/admin token was refused.*Nothing was changed/i);
    expect((await getEntity('helix')).status).toBe(404);
    expect(await storedToken(page)).toBeNull();
    await page.getByLabel('Admin token').waitFor();
    await page.close();
  });
});
