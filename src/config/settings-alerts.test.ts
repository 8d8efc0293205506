import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { defaultPublicUrl, parseSettings } from './settings.ts';

describe('alert settings', () => {
  it('leave e-mail off and point links at http://HOST:PORT by default', () => {
    const s = parseSettings({});
    expect(s.smtp).toBeUndefined();
    expect(s.publicUrl).toBe('http://127.0.0.1:8080');
  });

  it('read SMTP_URL, SMTP_FROM and PUBLIC_URL (without its trailing slash)', () => {
    const s = parseSettings({
      SMTP_URL: 'smtps://bot:s3cr3t-pass@mail.example.com:465',
      SMTP_FROM: 'VibeCheck <alerts@example.com>',
      PUBLIC_URL: 'https://vibes.example.com/',
    });
    expect(s.smtp).toEqual({ url: 'smtps://bot:s3cr3t-pass@mail.example.com:465', from: 'VibeCheck <alerts@example.com>' });
    expect(s.publicUrl).toBe('https://vibes.example.com');
  });

  it('treat empty values as unset', () => {
    expect(parseSettings({ SMTP_URL: '', SMTP_FROM: '', PUBLIC_URL: '' })).toMatchObject({
      smtp: undefined,
      publicUrl: 'http://127.0.0.1:8080',
    });
  });

  it('refuse an SMTP_URL that is not smtp:// or smtps:// without echoing it (it holds a password)', () => {
    const attempt = () => parseSettings({ SMTP_URL: 'http://bot:hunter2-secret@mail.example.com', SMTP_FROM: 'a@example.com' });
    expect(attempt).toThrow(/SMTP_URL: expected smtp:\/\/user:password@host:port or smtps:\/\//);
    expect(attempt).not.toThrow(/hunter2-secret/);
  });

  it('want SMTP_FROM with SMTP_URL, and a readable address in it', () => {
    expect(() => parseSettings({ SMTP_URL: 'smtp://mail.example.com:25' })).toThrow(/SMTP_FROM: required when SMTP_URL is set/);
    expect(() => parseSettings({ SMTP_URL: 'smtp://mail.example.com:25', SMTP_FROM: 'VibeCheck' })).toThrow(
      /SMTP_FROM: expected an address/,
    );
    expect(parseSettings({ SMTP_URL: 'smtp://mail.example.com:25', SMTP_FROM: 'alerts@example.com' }).smtp?.from).toBe(
      'alerts@example.com',
    );
  });

  it('refuse a PUBLIC_URL that is not http(s)', () => {
    expect(() => parseSettings({ PUBLIC_URL: 'vibes.example.com' })).toThrow(/PUBLIC_URL: expected an http\(s\) URL/);
  });

  it('use an address a browser can open when the server listens everywhere', () => {
    expect(defaultPublicUrl('0.0.0.0', 8080)).toBe('http://127.0.0.1:8080');
    expect(defaultPublicUrl('::', 9000)).toBe('http://[::1]:9000');
    expect(defaultPublicUrl('::1', 9000)).toBe('http://[::1]:9000');
    expect(defaultPublicUrl('vibes.lan', 80)).toBe('http://vibes.lan:80');
    expect(parseSettings({ HOST: '10.0.0.5', PORT: '9100' }).publicUrl).toBe('http://10.0.0.5:9100');
  });

  it('keep SMTP_URL (it holds the password) out of log lines', () => {
    const script = `import('./src/config/logger.ts').then((m) => {
      const log = m.createLogger({ logLevel: 'info' });
      log.info({ settings: { smtp: { url: 'smtp://bot:pw-Log9Leak@mail.example.com', from: 'a@example.com' } } }, 'settings');
      log.info({ smtp: { url: 'smtp://bot:pw-Log9Leak@mail.example.com' } }, 'smtp');
    })`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
    const lines = run.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.msg)).toEqual(['settings', 'smtp']);
    expect(lines[0]).toMatchObject({ settings: { smtp: { url: '[redacted]', from: 'a@example.com' } } });
    expect(lines[1]).toMatchObject({ smtp: { url: '[redacted]' } });
    expect(run.stderr).not.toContain('Log9Leak');
  });
});
