import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DISK_RESERVE_BYTES } from '../src/db/disk-space.ts';
import { BIN, REPO_ROOT, type CliResult } from './support/cli.ts';
import { createDataDir } from './support/databases.ts';

// A real full disk: each case runs in its own user and mount namespace (`unshare -Urm`, no
// privileges needed where the kernel allows it) on a small tmpfs that vanishes with it.
const workDir = createDataDir();
const mountPoint = join(workDir.dir, 'mnt');
mkdirSync(mountPoint);
const canMount = spawnSync('unshare', ['-Urm', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs "$0"', mountPoint]).status === 0;
afterAll(() => workDir.remove());

/** Runs `script` (sh) with a tmpfs of `sizeMb` at $MNT; `vibecheck` runs the CLI. */
function onSmallDisk(sizeMb: number, script: string, env: Record<string, string> = {}): Promise<CliResult> {
  const prelude = `set -u; mount -t tmpfs -o size=${sizeMb}m tmpfs "$MNT" || exit 90; vibecheck() { node "$BIN" "$@"; }; export DATA_DIR="$MNT/data"`;
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['-Urm', 'sh', '-c', `${prelude}\n${script}`], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', MNT: mountPoint, BIN, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!canMount)('a full disk under the embedded database (skipped where `unshare -Urm` cannot mount a tmpfs)', () => {
  it('stops an import with "disk full" and where, exits 1 and records the run as failed with what it stored', async () => {
    const posts = join(workDir.dir, 'posts.jsonl');
    const body = `Cursor is great but Claude Code keeps crashing on large repos, really frustrating. ${'lorem ipsum '.repeat(30)}`;
    const lines = Array.from({ length: 20_000 }, (_, i) =>
      JSON.stringify({ source: 'hn', externalId: `p${i}`, body: `${body} ${i}`, createdAt: '2026-03-01T12:00:00Z' }),
    );
    writeFileSync(posts, `${lines.join('\n')}\n`);
    // Leave 8 MB above the reserve: the import fills it, then must stop cleanly.
    const leaveMb = DISK_RESERVE_BYTES / 1024 / 1024 + 8;
    const result = await onSmallDisk(
      200,
      `vibecheck db migrate > /dev/null || exit 91
      free=$(df -Pm "$MNT" | awk 'NR==2 {print $4}')
      dd if=/dev/zero of="$MNT/filler" bs=1M count=$((free - ${leaveMb})) 2>/dev/null
      vibecheck import "$POSTS"
      echo "import exited $?"
      rm "$MNT/filler"
      vibecheck doctor --json`,
      { POSTS: posts },
    );
    expect(result.stdout, result.stderr).toMatch(/^import exited 1$/m);
    expect(result.stderr).toMatch(
      new RegExp(
        `^vibecheck: error: the disk holding ${mountPoint}/data is full: \\d+ MB free, and the embedded database stops below 64 MB`,
        'm',
      ),
    );
    const doctor = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { checks: Array<{ name: string; detail: string }> };
    expect(doctor.checks.find((c) => c.name === 'runs import')?.detail).toMatch(
      /\(failed\), [1-9]\d* items stored; error: the disk holding .* is full/,
    );
  }, 300_000);

  it('says "disk full" and where when the first start has no room for the database', async () => {
    const result = await onSmallDisk(30, 'vibecheck db status');
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      new RegExp(
        `^vibecheck: error: the disk holding ${mountPoint}/data is full \\(no space left on device\\); free some space and run it again$`,
      ),
    );
  }, 120_000);
});
