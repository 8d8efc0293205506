import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME, LOCK_TIMING } from '../src/db/lock-file.ts';
import { runCli, startServe } from './support/cli.ts';
import { createDataDir } from './support/databases.ts';

const TOKEN = 'e2e-admin-token-0123';

const createEntity = (url: string, slug: string) =>
  fetch(`${url}/api/v1/entities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ slug, name: slug, kind: 'tool' }),
  });

const entitySlugs = async (env: Record<string, string>): Promise<string[]> => {
  const listed = await runCli(['entities', 'list', '--json'], env);
  expect(listed.code, listed.stderr).toBe(0);
  return (JSON.parse(listed.stdout) as { items: Array<{ slug: string }> }).items.map((e) => e.slug);
};

describe('the data directory lock, across processes', () => {
  const dataDir = createDataDir({ cluster: true });
  const env = { DATA_DIR: dataDir.dir, ADMIN_TOKEN: TOKEN };
  afterAll(() => dataDir.remove());

  it('stops a server whose lock is deleted, so that a second server started at once does not share its files', async () => {
    const first = await startServe(['--no-collect'], env);
    const firstExit = new Promise<number | null>((resolve) => first.child.once('exit', resolve));
    expect((await createEntity(first.url, 'from-first')).status).toBe(201);

    const refused = await runCli(['entities', 'list'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^vibecheck: error: the data directory .* is in use by process ${first.child.pid} on \\S+ \\(vibecheck serve --no-collect, since \\d{4}-\\d\\d-\\d\\dT`,
      ),
    );

    rmSync(join(dataDir.dir, LOCK_FILE_NAME), { recursive: true });
    const second = await startServe(['--no-collect'], env);
    expect(await firstExit).toBe(1);
    expect(first.stderr()).toMatch(
      /^vibecheck: error: lost the lock on the data directory .*; stopped so that two processes never share its files$/m,
    );
    expect((await createEntity(second.url, 'from-second')).status).toBe(201);
    expect(await second.stop('SIGTERM')).toBe(0);

    // What either server acknowledged is there for the next process.
    expect(await entitySlugs(env)).toEqual(expect.arrayContaining(['from-first', 'from-second']));
  });

  it('starts again after its server is SIGKILLed, within the staleness limit', async () => {
    const server = await startServe(['--no-collect'], env);
    expect((await createEntity(server.url, 'before-kill')).status).toBe(201);
    await server.stop('SIGKILL');
    const killedAt = Date.now();
    expect(await entitySlugs(env)).toContain('before-kill');
    // The wait is the staleness limit plus process start-up, never forever.
    expect(Date.now() - killedAt).toBeLessThan(LOCK_TIMING.staleMs + 30_000);
  });
});
