import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { SHUTDOWN_GRACE_MS } from '../src/api/server.ts';
import { runCli, startServe } from './support/cli.ts';
import { createDataDir, createServerDatabase } from './support/databases.ts';

interface EntityList {
  items: Array<{ slug: string }>;
}

const getJson = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T;

describe('vibecheck serve on the embedded database', () => {
  // The suite's empty cluster: serve still migrates and seeds it on first start ('db status' below
  // covers a data directory with no cluster at all).
  const dataDir = createDataDir({ cluster: true });
  const env = { DATA_DIR: dataDir.dir, ADMIN_TOKEN: 'e2e-admin-token-0123' };
  afterAll(() => dataDir.remove());

  // Two servers and two commands in sequence: past the default 60 s on a busy 2-core machine.
  it(
    'serves the entity list, refuses a second server on the same directory, and keeps changes across restarts',
    { timeout: 180_000 },
    async () => {
      const first = await startServe(['--no-collect'], env);
      try {
        const list = await getJson<EntityList>(`${first.url}/api/v1/entities`);
        expect(list.items.length).toBeGreaterThanOrEqual(40);

        const created = await fetch(`${first.url}/api/v1/entities`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer e2e-admin-token-0123' },
          body: JSON.stringify({ slug: 'my-agent', name: 'My Agent', kind: 'tool' }),
        });
        expect(created.status).toBe(201);

        const second = await runCli(['serve', '--no-collect'], { ...env, PORT: '0' });
        expect(second.code).not.toBe(0);
        expect(second.stderr).toMatch(/data directory .* is in use by process \d+/);
      } finally {
        expect(await first.stop('SIGTERM')).toBe(0);
      }
      expect(existsSync(join(dataDir.dir, 'vibecheck.lock'))).toBe(false);

      const removed = await runCli(['entities', 'remove', 'cursor'], env);
      expect(removed.code).toBe(0);

      const again = await startServe(['--no-collect'], env);
      try {
        const slugs = (await getJson<EntityList>(`${again.url}/api/v1/entities`)).items.map((e) => e.slug);
        expect(slugs).toContain('my-agent');
        expect(slugs).not.toContain('cursor');
      } finally {
        await again.stop('SIGINT');
      }
    },
  );
});

describe('vibecheck serve against hostile clients', () => {
  it('refuses a 100 MB write body with 413 over a real socket without buffering it, guessed tokens with 429, and stops although a request is left half-sent', async () => {
    const dataDir = createDataDir({ cluster: true });
    const server = await startServe(['--no-collect'], { DATA_DIR: dataDir.dir, ADMIN_TOKEN: 'e2e-admin-token-0123' });
    const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))?.[1]) / 1024;
    try {
      // The server goes on loading after it answers (the embedded database's heap grows with its
      // first jobs): measure from when its memory has settled, or a busy machine reads start-up as buffering.
      let before = rssMb();
      for (let i = 0; i < 30; i++) {
        await sleep(1_000);
        const now = rssMb();
        const settled = Math.abs(now - before) < 5;
        before = now;
        if (settled) break;
      }
      const post = (token: string, body: string | Buffer) =>
        fetch(`${server.url}/api/v1/entities`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body,
        });
      const huge = await post('e2e-admin-token-0123', Buffer.alloc(100 * 1024 * 1024, 32));
      expect(huge.status).toBe(413);
      expect(((await huge.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
      expect(rssMb() - before).toBeLessThan(50);
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) statuses.push((await post(`guess-${i}`, '{}')).status);
      // 5 free guesses, one more after each wait (1 s, 2 s, 4 s ...): a handful checked, the rest refused.
      expect(statuses.filter((status) => status === 403).length).toBeLessThanOrEqual(10);
      expect(statuses.at(-1)).toBe(429);

      // A client that never finishes its request's headers (Node would wait 60 s for them): SIGTERM
      // still stops serve, cutting the connection after the grace.
      const { hostname, port } = new URL(server.url);
      const socket = connect(Number(port), hostname);
      const cut = new Promise<void>((done) => socket.on('close', () => done()));
      socket.on('error', () => undefined);
      await new Promise<void>((done) => socket.once('connect', () => done()));
      socket.write(`GET /api/v1/entities HTTP/1.1\r\nHost: ${hostname}\r\nAccept: application/json\r\n`);
      const stopping = Date.now();
      expect(await server.stop('SIGTERM', SHUTDOWN_GRACE_MS + 15_000)).toBe(0);
      await cut;
      expect(Date.now() - stopping).toBeGreaterThanOrEqual(SHUTDOWN_GRACE_MS - 500);
    } finally {
      await server.stop();
      dataDir.remove();
    }
  });
});

describe('vibecheck serve on a PostgreSQL server', () => {
  it('migrates, seeds and serves the same API with DATABASE_URL', async () => {
    const database = await createServerDatabase('serve');
    const server = await startServe(['--no-collect'], { DATABASE_URL: database.url });
    try {
      expect((await fetch(`${server.url}/ready`)).status).toBe(200);
      const list = await getJson<EntityList>(`${server.url}/api/v1/entities`);
      expect(list.items.length).toBeGreaterThanOrEqual(40);
    } finally {
      await server.stop();
      await database.drop();
    }
  });
});

describe('vibecheck commands', () => {
  it('stops with exit 78 and names the variable when the configuration is invalid', async () => {
    const result = await runCli(['entities', 'list'], { PORT: 'http' });
    expect(result.code).toBe(78);
    expect(result.stderr.trim()).toBe('vibecheck: error: invalid configuration: PORT: expected a decimal port number 0-65535 (got "http")');
  });

  it('refuses to start on a short or space-padded ADMIN_TOKEN, a non-decimal PORT or --port, never echoing the token', async () => {
    const dataDir = createDataDir();
    try {
      const short = await runCli(['serve', '--no-collect'], { DATA_DIR: dataDir.dir, ADMIN_TOKEN: 'change-me' });
      expect(short.code).toBe(78);
      expect(short.stderr.trim()).toBe(
        'vibecheck: error: invalid configuration: ADMIN_TOKEN: must be at least 16 characters (generate one with `openssl rand -hex 24`)',
      );
      const padded = await runCli(['serve', '--no-collect'], { DATA_DIR: dataDir.dir, ADMIN_TOKEN: 'a-long-enough-admin-token ' });
      expect(padded.code).toBe(78);
      expect(padded.stderr).toMatch(/ADMIN_TOKEN: must not start or end with spaces/);
      expect(padded.stderr).not.toContain('a-long-enough-admin-token');
      const hex = await runCli(['serve', '--no-collect'], { DATA_DIR: dataDir.dir, PORT: '0x50' });
      expect(hex.code).toBe(78);
      expect(hex.stderr.trim()).toBe('vibecheck: error: invalid configuration: PORT: expected a decimal port number 0-65535 (got "0x50")');
      const flag = await runCli(['serve', '--no-collect', '--port', '0x50'], { DATA_DIR: dataDir.dir });
      expect(flag.code).toBe(2);
      expect(flag.stderr).toMatch(/--port <n>.*expected a decimal port number 0-65535/);
    } finally {
      dataDir.remove();
    }
  });

  it('doctor and debug logs never print a DATABASE_URL secret, in the password, a query parameter or an invalid URL', async () => {
    const database = await createServerDatabase('mask');
    try {
      const url = new URL(database.url);
      const password = url.password;
      url.password = '';
      url.searchParams.set('password', password);
      url.searchParams.set('application_name', 'doctor-test');
      const doctor = await runCli(['doctor', '--json'], {
        DATABASE_URL: url.toString(),
        LOG_LEVEL: 'debug',
        VIBECHECK_SOURCES: 'rss',
        VIBECHECK_RSS_FEEDS: '',
      });
      const checks = (JSON.parse(doctor.stdout) as { checks: Array<{ name: string; state: string; detail: string }> }).checks;
      expect(checks.find((c) => c.name === 'database')).toMatchObject({
        state: 'ok',
        detail: expect.stringContaining('password=***&application_name=doctor-test'),
      });
      const dbStatus = await runCli(['db', 'status'], { DATABASE_URL: url.toString(), LOG_LEVEL: 'debug' });
      expect(dbStatus.stderr).toMatch(/"database":"PostgreSQL server postgres:\/\/postgres@[^"]*password=\*\*\*/);
      for (const output of [doctor.stdout, doctor.stderr, dbStatus.stdout, dbStatus.stderr])
        expect(output).not.toContain(`password=${password}`);
      const invalid = await runCli(['doctor'], { DATABASE_URL: 'mysql://admin:hunter2-secret@db/vc' });
      expect(invalid.code).toBe(1);
      expect(invalid.stdout).toMatch(
        /^fail config .*DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ connection URL \(got "mysql:\/\/admin:\*\*\*@db\/vc"\)$/m,
      );
      expect(invalid.stdout).not.toContain('hunter2');
    } finally {
      await database.drop();
    }
  });

  it('db status lists applied migrations and doctor reports one line per check', async () => {
    const dataDir = createDataDir({ cluster: true });
    try {
      const status = await runCli(['db', 'status'], { DATA_DIR: dataDir.dir });
      expect(status.stdout).toMatch(/^pending +001_init/m);
      const migrated = await runCli(['db', 'migrate'], { DATA_DIR: dataDir.dir });
      expect(migrated.stdout).toMatch(/applied: 001_init/);
      const doctor = await runCli(['doctor'], { DATA_DIR: dataDir.dir });
      expect(doctor.code).toBe(0);
      expect(doctor.stdout).toMatch(/^ok +config/m);
      expect(doctor.stdout).toMatch(/^ok +database +embedded PGlite/m);
      expect(doctor.stdout).toMatch(/^ok +migrations/m);
      expect(doctor.stdout).toMatch(/^ok +analysis +0 posts read by devsent-\d+\+aspects-\d+$/m);
      const broken = await runCli(['doctor'], { DATABASE_URL: 'postgres://x:y@127.0.0.1:1/none' });
      expect(broken.code).toBe(1);
      expect(broken.stdout).toMatch(/^fail database +cannot reach the database/m);
    } finally {
      dataDir.remove();
    }
  });

  it('entities add validates its flags and list --json prints one object', async () => {
    const dataDir = createDataDir({ cluster: true });
    try {
      const bad = await runCli(['entities', 'add', 'x', '--name', 'X', '--kind', 'gadget'], { DATA_DIR: dataDir.dir });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^vibecheck: error: kind: /);
      const ok = await runCli(['entities', 'add', 'kilo', '--name', 'Kilo', '--kind', 'tool', '--alias', 'Kilo Code'], {
        DATA_DIR: dataDir.dir,
      });
      expect(ok.code).toBe(0);
      const list = await runCli(['entities', 'list', '--json'], { DATA_DIR: dataDir.dir });
      const parsed = JSON.parse(list.stdout) as { items: Array<{ slug: string; aliases: string[] }> };
      expect(parsed.items.find((e) => e.slug === 'kilo')?.aliases).toEqual(['Kilo Code']);
    } finally {
      dataDir.remove();
    }
  });
});
