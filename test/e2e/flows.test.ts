import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowMatrix as Matrix } from '../../web/src/api/types.ts';
import { startChatEndpoint, type ChatEndpoint } from '../support/chat-endpoint.ts';
import { REPO_ROOT, type ServeProcess } from '../support/cli.ts';
import { startSeededDashboard, type SeededDashboard } from './seeded-dashboard.ts';
import type { ImportLine } from './seed-posts.ts';

// Issue 16 in the browser: the Flows page's from -> to matrix shows the API's numbers for its
// period, and a cell opens the posts behind it (with hostile post text left inert). The import runs
// with the optional LLM tier on a local chat endpoint, which reads one post's move; the page tells
// that move apart and filters by tier.
const SHOTS = join(REPO_ROOT, 'test-results', 'flows');
const DAY = 86_400_000;
const LLM_POST = 'Our team ended up on Zed instead of Windsurf after the pricing change.';
const LLM_EVIDENCE = 'ended up on Zed instead of Windsurf';
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
  line('llm-move', LLM_POST, 7),
  // Older than the default 30 days: more origins than the matrix shows at first.
  ...[
    'Aider',
    'Cline',
    'Roo Code',
    'Replit',
    'Devin',
    'Kiro',
    'Lovable',
    'Gemini CLI',
    'GitHub Copilot',
    'Amazon Q Developer',
    'Tabnine',
  ].map((name, i) => line(`wide-${i}`, `I switched from ${name} to Codex CLI last month, it is much faster.`, 40 + i)),
];

/** The endpoint reads the one post's move; any other request (other posts, the sentiment and aspect tiers) gets garbage, so the rules stand. */
const chatReply = (request: { body: { messages: { content: string }[] } }) =>
  request.body.messages[0]?.content.startsWith('You find switching flows') && request.body.messages[1]?.content.includes(LLM_POST)
    ? {
        content: JSON.stringify({
          flows: [{ from: 'windsurf', to: 'zed', kind: 'switch', reason: 'cost', evidence: LLM_EVIDENCE, confidence: 0.9 }],
        }),
      }
    : { content: 'not json' };

describe('the Flows page in a real browser against vibecheck serve', () => {
  let dashboard: SeededDashboard;
  let server: ServeProcess;
  let browser: Browser;
  let chat: ChatEndpoint;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    chat = await startChatEndpoint(chatReply);
    dashboard = await startSeededDashboard(SEED, {}, { LLM_BASE_URL: chat.baseUrl, LLM_MODEL: 'fake' });
    ({ server, browser } = dashboard);
  });

  afterAll(async () => {
    await dashboard?.close();
    await chat?.close();
  });

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
  it('shows the busiest seven origins at first, says how many moves the rest hold, and shows them all on request', async () => {
    const { page, from, to } = await openFlows('/flows?range=90d');
    const matrix = await api<Matrix>(`/api/v1/flows?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&bucket=week`);
    const switches = matrix.items.filter((i) => i.kind === 'switch');
    const origins = new Set(switches.map((i) => i.from ?? 'none'));
    expect(origins.size).toBeGreaterThan(8);
    const rowSlugs = () => page.locator('table.flow-matrix tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-from')));
    const shown = await rowSlugs();
    expect(shown.filter((slug) => slug !== 'none')).toHaveLength(7);
    // The first rows are the busiest: Cursor's 7 switches lead.
    expect(shown[0]).toBe('cursor');
    const hidden = switches.filter((i) => !shown.includes(i.from ?? 'none')).reduce((sum, i) => sum + i.n, 0);
    expect(hidden).toBeGreaterThan(0);
    const note = page.locator('.flow-matrix-cut');
    expect(await note.innerText()).toContain(`The ${shown.length} of ${origins.size} origins`);
    expect(await note.innerText()).toContain(`; ${hidden} switches are in the rest.`);

    await note.getByRole('button', { name: 'Show all' }).click();
    await expect.poll(async () => (await rowSlugs()).length).toBe(origins.size);
    expect(await page.locator('table.flow-matrix .flow-cell').count()).toBe(switches.length);
    await note.getByRole('button', { name: 'Show the busiest only' }).click();
    await expect.poll(async () => (await rowSlugs()).length).toBe(shown.length);
    await page.close();
    expect(pageErrors).toEqual([]);
  });

  it("marks the LLM tier's moves in their cell, filters the matrix by tier, and says so on the cell's posts", async () => {
    const { page, from, to } = await openFlows('/flows');
    const window = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&bucket=week`;
    const both = await api<Matrix>(`/api/v1/flows?${window}`);
    expect(both.items.find((i) => i.from === 'windsurf' && i.to === 'zed')).toMatchObject({ n: 1, llm: 1 });
    const cell = page.locator('td[data-cell="windsurf~zed"]');
    expect(await cell.locator('.flow-llm').innerText()).toContain('LLM 1');
    expect(await cell.locator('button').getAttribute('aria-label')).toContain('1 read by the LLM tier');
    // A cell the rules read alone carries no mark.
    expect(await page.locator('td[data-cell="cursor~claude-code"] .flow-llm').count()).toBe(0);

    await page.getByRole('radiogroup', { name: 'Read by' }).getByRole('radio', { name: 'LLM tier' }).click();
    await page.waitForURL((u) => u.searchParams.get('tier') === 'llm');
    const llm = await api<Matrix>(`/api/v1/flows?${window}&tier=llm`);
    expect(llm.items.map((i) => [i.from, i.to, i.kind, i.n])).toEqual([['windsurf', 'zed', 'switch', 1]]);
    await expect.poll(async () => page.locator('table.flow-matrix .flow-cell').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator('td[data-cell="windsurf~zed"] .flow-n').innerText()).toBe('1');
    expect(await page.getByRole('heading', { level: 2 }).first().innerText()).toContain('read by the LLM tier only');

    await page.locator('td[data-cell="windsurf~zed"] button').click();
    const post = page.locator('ol.flow-posts > li[data-external-id="llm-move"]');
    await post.waitFor();
    expect(await post.locator('.flow-statement').innerText()).toBe('Reason: Cost · read by the LLM tier');
    expect(await page.locator('ol.flow-posts > li').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'llm-tier.png'), fullPage: true });
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});
