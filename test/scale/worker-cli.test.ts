import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { createDataDir } from '../support/databases.ts';

describe('vibecheck worker on the embedded database', () => {
  it('exits with a configuration error saying that serve runs the jobs there', async () => {
    const dataDir = createDataDir();
    try {
      const result = await runCli(['worker'], { DATA_DIR: dataDir.dir });
      expect(result.code).toBe(78);
      expect(result.stderr).toMatch(/embedded database runs its jobs inside `vibecheck serve`; set DATABASE_URL/);
    } finally {
      dataDir.remove();
    }
  });

  it('rejects an unknown job type in --queues', async () => {
    const result = await runCli(['worker', '--queues', 'source.poll,nope'], {});
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown job type nope/);
  });
});
