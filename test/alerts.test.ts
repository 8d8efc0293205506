import { spawn } from 'node:child_process';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME, LOCK_TIMING } from '../src/db/lock-file.ts';
import { startAlertReceiver, type AlertReceiver } from './support/alert-receiver.ts';
import { BIN, REPO_ROOT, runCli } from './support/cli.ts';
import { createDataDir } from './support/databases.ts';

const SECRET = 'cli-receiver-secret-0123456789';

/** Posts about Claude Code written an hour ago, in the import format. */
function writePosts(dir: string, name: string, titles: string[]): string {
  const file = join(dir, name);
  const createdAt = new Date(Date.now() - 3_600_000).toISOString();
  const lines = titles.map((title, i) =>
    JSON.stringify({
      source: 'hn',
      externalId: `${name}-${i}`,
      url: `https://news.example/${name}/${i}`,
      title,
      body: `${title}. Claude Code again.`,
      createdAt,
      score: 10 + i,
    }),
  );
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

// Every command opens the embedded database afresh (seconds each on a busy machine): generous timeouts.
describe('vibecheck alerts (the real binary)', { timeout: 300_000 }, () => {
  let data: ReturnType<typeof createDataDir>;
  let receiver: AlertReceiver;
  let env: Record<string, string>;

  beforeAll(async () => {
    // Starts from the suite's empty cluster (no initdb here); the first command migrates and seeds it.
    data = createDataDir({ cluster: true });
    receiver = await startAlertReceiver(SECRET);
    env = { DATA_DIR: data.dir, PUBLIC_URL: 'https://vibes.example' };
  });

  afterAll(async () => {
    await receiver?.close();
    data?.remove();
  });

  it('adds a rule, printing a generated secret once, and lists it with the channel masked', async () => {
    const added = await runCli(
      [
        'alerts',
        'add',
        '--kind',
        'spike',
        '--entity',
        'claude-code',
        '--channel',
        'https://hooks.slack.com/services/T1/B2/TopSecretToken42',
      ],
      env,
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const secret = added.stdout.match(/^secret: ([0-9a-f]{64})$/m)?.[1];
    expect(secret).toBeDefined();
    expect(added.stdout).toMatch(/^added alert rule 1: Claude Code: spike -> slack https:\/\/hooks\.slack\.com\/…\/en42$/m);

    const listed = await runCli(['alerts', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain('TopSecretToken42');
    expect(listed.stdout).not.toContain(secret!);
    const { items } = JSON.parse(listed.stdout) as {
      items: Array<{ id: number; kind: string; entity: string; channel: string; direction: string }>;
    };
    expect(items).toEqual([expect.objectContaining({ id: 1, kind: 'spike', entity: 'claude-code', direction: 'up' })]);
    // A rule on every vendor: one line, with how many it watches; removed with its entity rules.
    const kind = await runCli(
      ['alerts', 'add', '--kind', 'regression', '--entity-kind', 'vendor', '--channel', 'https://example.com/h'],
      env,
    );
    expect(kind.code).toBe(0);
    const [, id, vendors] = kind.stdout.match(/^added alert rule (\d+): Vendors: regression \(every vendor: (\d+) now\) -> /m) ?? [];
    expect(Number(vendors)).toBeGreaterThan(1);
    const text = await runCli(['alerts', 'list'], env);
    expect(text.stdout).toMatch(new RegExp(`every vendor \\(${vendors}\\)`));
    expect(text.stdout).toMatch(/2 alert rules\n$/);
    expect((await runCli(['alerts', 'remove', id!], env)).code).toBe(0);
  });

  it('refuses bad input with one line naming the flag and exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['alerts', 'add', '--kind', 'flood', '--entity', 'claude-code', '--channel', 'https://example.com/h'], /--kind/],
      [['alerts', 'add', '--kind', 'shift', '--entity', 'claude-code', '--channel', 'gopher://x'], /channel/],
      [
        ['alerts', 'add', '--kind', 'shift', '--entity', 'claude-code', '--channel', 'https://example.com/h', '--window', '90m'],
        /--window/,
      ],
      [
        ['alerts', 'add', '--kind', 'shift', '--entity', 'nobody-here', '--channel', 'https://example.com/h'],
        /no entity with slug "nobody-here"/,
      ],
      [
        ['alerts', 'add', '--kind', 'shift', '--entity', 'claude-code', '--channel', 'https://example.com/h', '--include', 'x'],
        /--include: only a mention rule/,
      ],
      [['alerts', 'add', '--kind', 'shift', '--channel', 'https://example.com/h'], /--entity: give one entity, or instead an entity kind/],
      [['alerts', 'add', '--kind', 'shift', '--entity-kind', 'editor', '--channel', 'https://example.com/h'], /--entity-kind/],
      [['alerts', 'remove', 'abc'], /id: expected an alert rule id/],
      [['alerts', 'remove', '99'], /no alert rule 99/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args, env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  });

  it('tests a rule through its channel: exit 0 when delivered, 1 with the cause when not', async () => {
    const added = await runCli(
      ['alerts', 'add', '--kind', 'mention', '--entity', 'claude-code', '--channel', receiver.url, '--secret', SECRET, '--json'],
      env,
    );
    const { id, secret } = JSON.parse(added.stdout) as { id: number; secret: string | null };
    expect(secret).toBeNull();
    const ok = await runCli(['alerts', 'test', String(id)], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^test alert delivered \(status 200, \d+ ms\)$/m);
    expect(receiver.received.at(-1)!.signatureValid).toBe(true);
    expect(JSON.parse(receiver.received.at(-1)!.body)).toMatchObject({
      test: true,
      dashboardUrl: 'https://vibes.example/entity/claude-code',
    });

    receiver.script = [{ status: 502 }];
    const failed = await runCli(['alerts', 'test', String(id)], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^vibecheck: error: test alert not delivered \(\d+ ms\): HTTP 502/);
    expect(await runCli(['alerts', 'remove', String(id)], env)).toMatchObject({ code: 0, stdout: `removed alert rule ${id}\n` });
  });

  it('runs the rules: new posts alert once each, delivered; a second run fires nothing', async () => {
    receiver.received.length = 0;
    const added = await runCli(
      [
        'alerts',
        'add',
        '--kind',
        'mention',
        '--entity',
        'claude-code',
        '--channel',
        receiver.url,
        '--secret',
        SECRET,
        '--include',
        'rate limit',
        '--json',
      ],
      env,
    );
    const { id } = JSON.parse(added.stdout) as { id: number };
    const file = writePosts(data.dir, 'run', [
      'Claude Code hit the rate limit again',
      'Claude Code is fine today',
      'Another rate limit in Claude Code',
    ]);
    expect((await runCli(['import', file], env)).code).toBe(0);

    const run = await runCli(['alerts', 'run', '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { fired } = JSON.parse(run.stdout) as {
      fired: Array<{ rule: number; kind: string; entity: string; event: string; delivered: number; failed: number }>;
    };
    expect(fired).toHaveLength(2);
    for (const f of fired)
      expect(f).toMatchObject({
        rule: id,
        kind: 'mention',
        entity: 'claude-code',
        event: expect.stringMatching(/^mention:\d+$/),
        delivered: 1,
        failed: 0,
      });
    expect(receiver.received.map((r) => JSON.parse(r.body).posts[0].title).sort()).toEqual([
      'Another rate limit in Claude Code',
      'Claude Code hit the rate limit again',
    ]);
    expect(receiver.received.every((r) => r.signatureValid)).toBe(true);

    const again = await runCli(['alerts', 'run', '--json'], env);
    expect(JSON.parse(again.stdout)).toEqual({ fired: [] });
    expect(receiver.received).toHaveLength(2);
    expect((await runCli(['alerts', 'remove', String(id)], env)).code).toBe(0);
  });

  it('SIGKILL during a delivery, then a restart: every alert delivered, the interrupted one again with the same idempotency key', async () => {
    receiver.received.length = 0;
    const added = await runCli(
      [
        'alerts',
        'add',
        '--kind',
        'mention',
        '--entity',
        'claude-code',
        '--channel',
        receiver.url,
        '--secret',
        SECRET,
        '--include',
        'outage',
        '--json',
      ],
      env,
    );
    const { id } = JSON.parse(added.stdout) as { id: number };
    const file = writePosts(data.dir, 'kill', ['Claude Code outage one', 'Claude Code outage two', 'Claude Code outage three']);
    expect((await runCli(['import', file], env)).code).toBe(0);

    // The receiver hangs on the first delivery; the sender is killed while it waits.
    receiver.script = [{ status: 200, delayMs: 60_000 }];
    const child = spawn(process.execPath, [BIN, 'alerts', 'run'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env },
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const until = Date.now() + 120_000;
    while (receiver.received.length === 0 && Date.now() < until) await sleep(50);
    expect(receiver.received).toHaveLength(1);
    child.kill('SIGKILL');
    await exited;
    const interrupted = String(receiver.received[0]!.headers['x-vibecheck-delivery']);

    // The killed process's lock goes stale once untouched for LOCK_TIMING.staleMs; the next run takes
    // the data directory over. Dating the lock back that far stands for the wait (nobody touches it:
    // its holder is dead), and the run still goes through the stale-lock takeover.
    const stale = (Date.now() - LOCK_TIMING.staleMs - 1_000) / 1000;
    utimesSync(join(data.dir, LOCK_FILE_NAME), stale, stale);
    const rerun = await runCli(['alerts', 'run', '--json'], env);
    expect(rerun.stderr).toContain('alert deliveries cut short by an earlier process are due again');
    expect(rerun.code).toBe(0);
    const keys = receiver.received.map((r) => String(r.headers['x-vibecheck-delivery']));
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(3);
    expect(keys.filter((k) => k === interrupted)).toHaveLength(2);
    const listed = JSON.parse((await runCli(['alerts', 'list', '--json'], env)).stdout) as {
      items: Array<{ id: number; alerts: { fired: number; delivered: number } }>;
    };
    expect(listed.items.find((r) => r.id === id)?.alerts).toMatchObject({ fired: 3, delivered: 3 });
  });
});
