import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startServe } from './support/cli.ts';
import { createDataDir, createServerDatabase } from './support/databases.ts';

interface EntityList {
  items: Array<{ slug: string }>;
}

const getJson = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T;

describe('vibecheck serve on the embedded database', () => {
  const dataDir = createDataDir();
  const env = { DATA_DIR: dataDir.dir, ADMIN_TOKEN: 'e2e-admin-token' };
  afterAll(() => dataDir.remove());

  it('serves the entity list, refuses a second server on the same directory, and keeps changes across restarts', async () => {
    const first = await startServe(['--no-collect'], env);
    try {
      const list = await getJson<EntityList>(`${first.url}/api/v1/entities`);
      expect(list.items.length).toBeGreaterThanOrEqual(40);

      const created = await fetch(`${first.url}/api/v1/entities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer e2e-admin-token' },
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
    expect(result.stderr.trim()).toBe('vibecheck: error: invalid configuration: PORT: expected a port number 0-65535 (got "http")');
  });

  it('db status lists applied migrations and doctor reports one line per check', async () => {
    const dataDir = createDataDir();
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
      const broken = await runCli(['doctor'], { DATABASE_URL: 'postgres://x:y@127.0.0.1:1/none' });
      expect(broken.code).toBe(1);
      expect(broken.stdout).toMatch(/^fail database +cannot reach the database/m);
    } finally {
      dataDir.remove();
    }
  });

  it('entities add validates its flags and list --json prints one object', async () => {
    const dataDir = createDataDir();
    try {
      const bad = await runCli(['entities', 'add', 'x', '--name', 'X', '--kind', 'gadget'], { DATA_DIR: dataDir.dir });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^vibecheck: error: kind: /);
      const ok = await runCli(['entities', 'add', 'kilo', '--name', 'Kilo', '--kind', 'tool', '--alias', 'Kilo Code'], { DATA_DIR: dataDir.dir });
      expect(ok.code).toBe(0);
      const list = await runCli(['entities', 'list', '--json'], { DATA_DIR: dataDir.dir });
      const parsed = JSON.parse(list.stdout) as { items: Array<{ slug: string; aliases: string[] }> };
      expect(parsed.items.find((e) => e.slug === 'kilo')?.aliases).toEqual(['Kilo Code']);
    } finally {
      dataDir.remove();
    }
  });
});
