import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.ts';
import { startFakeUpstream, type FakeRequest, type FakeResponse, type FakeUpstream } from './support/fake-upstream.ts';

const HOLD_LOCK = fileURLToPath(new URL('./support/hold-lock.ts', import.meta.url));

const BLOG = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Dev notes</title>
<item><title>Claude Code keeps crashing on large repos</title><guid>b1</guid><link>/posts/1</link>
  <pubDate>Tue, 24 Nov 2026 16:30:00 -0500</pubDate><dc:creator>Mira</dc:creator>
  <description>&lt;p&gt;Really frustrating &amp;amp; slow.&lt;/p&gt;</description></item>
<item><title>Gardening with tomatoes</title><guid>b2</guid><pubDate>Mon, 23 Nov 2026 09:00:00 GMT</pubDate></item>
<item><title>Introducing v2.4 of our tool</title><guid>b3</guid><pubDate>Sun, 22 Nov 2026 09:00:00 GMT</pubDate></item>
</channel></rss>`;

const STATUS = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Status</title>
<entry><id>s1</id><title>Elevated errors on Cursor sessions</title><updated>2026-11-25T11:02:00Z</updated><link href="https://status.example.ai/incidents/1"/></entry>
</feed>`;

/** A static file server: fixed bodies by path, 404 for anything else. */
function serveFeeds(bodies: Record<string, string>) {
  return (request: FakeRequest): FakeResponse =>
    bodies[request.path] === undefined
      ? { status: 404, body: 'no such feed' }
      : { headers: { 'content-type': 'application/xml' }, body: bodies[request.path] };
}

interface PreviewJson {
  items: Array<Record<string, unknown>>;
  errors: Array<{ where: string; message: string }>;
}

/** Names, sizes and modification times of everything under `dir`. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((name) => {
      const stat = statSync(join(dir, name));
      return `${name} ${stat.size} ${stat.mtimeMs}`;
    });
}

describe('vibecheck preview', () => {
  let upstream: FakeUpstream;
  const root = mkdtempSync(join(tmpdir(), 'vibecheck-preview-'));
  const dataDir = join(root, 'data');
  let blog: string;
  let status: string;

  beforeAll(async () => {
    upstream = await startFakeUpstream(serveFeeds({ '/blog.xml': BLOG, '/status/history.atom': STATUS }));
    blog = `${upstream.url}/blog.xml`;
    status = `${upstream.url}/status/history.atom`;
  });
  afterAll(async () => {
    await upstream.close();
    rmSync(root, { recursive: true, force: true });
  });

  // Every run names its feeds, so no test reaches the feeds configured for real collection.
  const preview = (args: string[], env: Record<string, string> = {}) => runCli(['preview', ...args], { DATA_DIR: dataDir, ...env });

  it("prints every item of every feed as one JSON object, in each feed's order, with entities and kind", async () => {
    const result = await preview(['rss', '--feed', blog, '--feed', status, '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const json = JSON.parse(result.stdout) as PreviewJson;
    expect(Object.keys(json)).toEqual(['items', 'errors', 'rejected']);
    expect(json.errors).toEqual([]);
    expect(json.items[0]).toEqual({
      externalId: expect.stringMatching(/^[0-9a-f]{12}:b1$/),
      url: `${upstream.url}/posts/1`,
      title: 'Claude Code keeps crashing on large repos',
      body: 'Really frustrating & slow.',
      createdAt: '2026-11-24T21:30:00.000Z',
      author: 'Mira',
      entities: expect.arrayContaining(['claude-code']),
      kind: 'post',
      feed: blog,
      event: null,
    });
    expect(json.items.map((i) => [i.title, i.kind, i.event, i.feed])).toEqual([
      ['Claude Code keeps crashing on large repos', 'post', null, blog],
      ['Gardening with tomatoes', 'ignored', null, blog],
      ['Introducing v2.4 of our tool', 'event', 'release', blog],
      ['Elevated errors on Cursor sessions', 'post', 'incident', status],
    ]);
    expect(json.items[1]?.entities).toEqual([]);
    expect(json.items[3]?.entities).toContain('cursor');
  });

  it('prints a readable list by default, grouped by feed, with a count', async () => {
    const result = await preview(['rss', '--feed', blog, '--feed', status]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`feed ${blog}\n[post] 2026-11-24 21:30  Claude Code keeps crashing on large repos\n`);
    expect(result.stdout).toMatch(/entities: [^\n]*claude-code/);
    expect(result.stdout).toContain('[ignored] 2026-11-23 09:00  Gardening with tomatoes');
    expect(result.stdout).toContain('[event: release] 2026-11-22 09:00  Introducing v2.4 of our tool');
    expect(result.stdout).toContain(`feed ${status}\n[post: incident]`);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(
      '4 items (2 would be stored as posts, 1 event only, 1 ignored), 0 rejected, 0 errors; nothing was stored',
    );
  });

  it('prints at most --limit items and fetches no further feed once they are in hand', async () => {
    const before = upstream.requests.length;
    const result = await preview(['rss', '--feed', blog, '--feed', status, '--limit', '2', '--json']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as PreviewJson).items.map((i) => i.title)).toEqual([
      'Claude Code keeps crashing on large repos',
      'Gardening with tomatoes',
    ]);
    expect(upstream.requests.slice(before).map((r) => r.path)).toEqual(['/blog.xml']);
  });

  it('reports a failing feed in errors, names it, prints the other feeds and exits 1', async () => {
    const missing = `${upstream.url}/gone.xml`;
    const page = `${upstream.url}/page.html`;
    upstream.setHandler((request) =>
      request.path === '/page.html'
        ? {
            headers: { 'content-type': 'text/html' },
            body: '<!DOCTYPE html><html><head><link rel="alternate" type="application/atom+xml" href="/blog.xml"></head></html>',
          }
        : serveFeeds({ '/blog.xml': BLOG, '/status/history.atom': STATUS })(request),
    );
    const json = await preview(['rss', '--feed', missing, '--feed', blog, '--feed', page, '--json']);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as PreviewJson;
    expect(parsed.items).toHaveLength(3);
    expect(parsed.errors).toEqual([
      { where: missing, message: 'HTTP 404: no such feed' },
      { where: page, message: `feed unreadable: an HTML page, not an RSS or Atom feed; the page names its feed: ${blog}` },
    ]);
    const human = await preview(['rss', '--feed', missing, '--feed', blog]);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`error: ${missing}: HTTP 404: no such feed`);
    expect(human.stdout).toContain('Claude Code keeps crashing on large repos');
  });

  it('stores nothing: a missing DATA_DIR is not created, an existing one is left as it was, even while another process holds its lock', async () => {
    expect(existsSync(dataDir)).toBe(false);
    const first = await preview(['rss', '--feed', blog, '--json']);
    expect(first.code).toBe(0);
    expect(existsSync(dataDir)).toBe(false);

    const held = join(root, 'held');
    mkdirSync(held);
    writeFileSync(join(held, 'keep.txt'), 'unrelated');
    const before = snapshot(held);
    const again = await preview(['rss', '--feed', blog], { DATA_DIR: held });
    expect(again.code).toBe(0);
    expect(snapshot(held)).toEqual(before);

    // A command that opened the database would be refused here, naming the holder.
    const holder: ChildProcess = spawn(process.execPath, ['--import', 'tsx', HOLD_LOCK, held], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve());
        holder.once('exit', (code) => reject(new Error(`hold-lock exited with ${code}`)));
      });
      const whileHeld = await preview(['rss', '--feed', blog, '--json'], { DATA_DIR: held });
      expect(whileHeld.code).toBe(0);
      expect((JSON.parse(whileHeld.stdout) as PreviewJson).items).toHaveLength(3);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  // Independent processes: run side by side.
  it.concurrent.each([
    [['nosuch'], /unknown source/],
    [['hn', '--feed', 'http://127.0.0.1:1/f.xml'], /--feed applies to rss only, not hn/],
    [['rss', '--feed', 'ftp://example.com/f.xml'], /expected an http:\/\/ or https:\/\/ URL/],
    [['rss', '--feed', 'http://127.0.0.1:1/f.xml', '--limit', '0'], /expected a whole number of items, 1 or more/],
    [['rss', '--feed', 'http://127.0.0.1:1/f.xml', '--query', '  '], /--query: empty/],
  ])('refuses bad usage %j with one line and exit 2', async (args, message) => {
    const result = await preview(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('says what to pass when a source has nothing to read, exit 2', async () => {
    const sourcesFile = join(root, 'sources.json');
    writeFileSync(sourcesFile, '{}');
    const result = await preview(['rss'], { VIBECHECK_SOURCES_FILE: sourcesFile });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('vibecheck: error: cannot preview rss: no RSS/Atom feeds configured (pass --feed URL)\n');
  });
});
