import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertReceiver, type AlertReceiver } from './support/alert-receiver.ts';
import { runCli } from './support/cli.ts';
import { createDataDir } from './support/databases.ts';

const SECRET = 'cli-digest-secret-0123456789';

// Every command opens the embedded database afresh (seconds each on a busy machine): generous timeouts.
describe('vibecheck digests (the real binary)', { timeout: 300_000 }, () => {
  let data: ReturnType<typeof createDataDir>;
  let receiver: AlertReceiver;
  let env: Record<string, string>;

  beforeAll(async () => {
    data = createDataDir({ cluster: true });
    receiver = await startAlertReceiver(SECRET);
    env = { DATA_DIR: data.dir, PUBLIC_URL: 'https://vibes.example' };
  });

  afterAll(async () => {
    await receiver?.close();
    data?.remove();
  });

  it('adds a subscription (secret printed once), lists it masked, sends it now to a real receiver, and removes it', async () => {
    const added = await runCli(
      [
        'digests',
        'add',
        '--channel',
        'https://hooks.slack.com/services/T1/B2/TopSecretToken42',
        '--cadence',
        'weekly',
        '--kind',
        'tool',
        '--hour',
        '6',
      ],
      env,
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const secret = added.stdout.match(/^secret: ([0-9a-f]{64})$/m)?.[1];
    expect(secret).toBeDefined();
    expect(added.stdout).toMatch(
      /^added digest subscription (\d+): Weekly digest: every tool -> slack https:\/\/hooks\.slack\.com\/…\/en42$/m,
    );

    // Posts about Claude Code from an hour ago, for the digest sent now.
    const file = join(data.dir, 'posts.jsonl');
    const createdAt = new Date(Date.now() - 3_600_000).toISOString();
    const titles = ['Claude Code is <b>great</b> today', 'Claude Code broke my build'];
    writeFileSync(
      file,
      `${titles.map((title, i) => JSON.stringify({ source: 'hn', externalId: `d-${i}`, url: `https://news.example/${i}`, title, body: `${title}. Claude Code again.`, createdAt, score: 10 + i })).join('\n')}\n`,
    );
    expect((await runCli(['import', file], env)).code).toBe(0);

    const hook = await runCli(['digests', 'add', '--channel', receiver.url, '--entity', 'claude-code', '--secret', SECRET, '--json'], env);
    expect(hook.code).toBe(0);
    const created = JSON.parse(hook.stdout) as { id: number; secret: string | null; cadence: string; entities: string[] };
    expect(created).toMatchObject({ secret: null, cadence: 'daily', entities: ['claude-code'] });

    const listed = await runCli(['digests', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain('TopSecretToken42');
    expect(listed.stdout).not.toContain(secret!);
    expect(listed.stdout).not.toContain(SECRET);
    const { items } = JSON.parse(listed.stdout) as { items: Array<{ id: number; cadence: string; kinds: string[]; hourUtc: number }> };
    expect(items.map((s) => [s.cadence, s.kinds, s.hourUtc])).toEqual([
      ['weekly', ['tool'], 6],
      ['daily', [], 8],
    ]);
    expect((await runCli(['digests', 'list'], env)).stdout).toMatch(/2 digest subscriptions\n$/);

    const sent = await runCli(['digests', 'send', String(created.id)], env);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/^digest delivered \(alert \d+\)$/m);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.signatureValid).toBe(true);
    const body = JSON.parse(receiver.received[0]!.body) as {
      rule: { kind: string; id: number };
      digest: { period: string };
      posts: Array<{ title: string }>;
      dashboardUrl: string;
    };
    expect(body.rule).toMatchObject({ kind: 'digest', id: created.id });
    expect(body.digest.period).toBe('manual');
    expect(body.posts.map((p) => p.title).sort()).toEqual(['Claude Code broke my build', 'Claude Code is great today']);
    expect(body.dashboardUrl).toBe('https://vibes.example/');

    expect((await runCli(['digests', 'remove', String(created.id)], env)).code).toBe(0);
    expect((await runCli(['digests', 'list'], env)).stdout).toMatch(/1 digest subscription\n$/);
  });

  it('refuses bad input with one line naming the flag and exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['digests', 'add', '--channel', 'https://example.com/h', '--cadence', 'monthly'], /--cadence/],
      [['digests', 'add', '--channel', 'gopher://x'], /--channel/],
      [['digests', 'add', '--channel', 'https://example.com/h', '--hour', '24'], /--hour/],
      [['digests', 'add', '--channel', 'https://example.com/h', '--kind', 'person'], /--kind/],
      [['digests', 'add', '--channel', 'https://example.com/h', '--entity', 'nobody-here'], /no entity with slug "nobody-here"/],
      [['digests', 'remove', 'abc'], /id: expected a digest subscription id/],
      [['digests', 'remove', '99'], /no digest subscription with id 99/],
      [['digests', 'send', '99'], /no digest subscription with id 99/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args, env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});
