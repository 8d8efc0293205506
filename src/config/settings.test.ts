import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { describeDatabase, maskDatabaseUrl, parseSettings } from './settings.ts';

describe('parseSettings', () => {
  it('applies the documented defaults to an empty environment', () => {
    const s = parseSettings({});
    expect(s).toMatchObject({
      databaseUrl: undefined,
      dataDir: './data',
      host: '127.0.0.1',
      port: 8080,
      logLevel: 'info',
      nodeEnv: 'production',
      sqlEcho: false,
      adminToken: undefined,
      corsOrigins: [],
      trustProxy: [],
      llm: undefined,
    });
    expect(s.sources.hnUrl).toBe('https://hn.algolia.com/api/v1');
    expect(s.sources.rssFeeds).toBeUndefined();
    expect(s.analysisThreads).toBe(Math.max(1, availableParallelism() - 1));
  });

  it('reads every kind of value', () => {
    const s = parseSettings({
      DATABASE_URL: 'postgres://u:p@db:5432/vc',
      PORT: '9000',
      SQL_ECHO: 'true',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      VIBECHECK_RSS_FEEDS: 'https://status.example/feed.atom',
      LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
      LLM_MODEL: 'qwen3',
      VIBECHECK_ANALYSIS_THREADS: '0',
      TRUST_PROXY: '10.0.0.2, ::1',
    });
    expect(s.port).toBe(9000);
    expect(s.trustProxy).toEqual(['10.0.0.2', '::1']);
    expect(s.analysisThreads).toBe(0);
    expect(s.sqlEcho).toBe(true);
    expect(s.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(s.sources.rssFeeds).toEqual(['https://status.example/feed.atom']);
    expect(s.llm).toEqual({
      baseUrl: 'http://127.0.0.1:11434/v1',
      apiKey: undefined,
      model: 'qwen3',
      dailyBudget: 500,
      aspects: 'unsure',
      sentiment: 'unsure',
    });
    expect(parseSettings({ LLM_BASE_URL: 'http://x', LLM_MODEL: 'm', LLM_ASPECTS: 'every', LLM_SENTIMENT: 'every' }).llm).toMatchObject({
      aspects: 'every',
      sentiment: 'every',
    });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT: expected a decimal port number 0-65535 \(got "eighty"\)/],
    [{ PORT: '70000' }, /PORT: expected a decimal port number 0-65535 \(got "70000"\)/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: expected a postgres:\/\//],
    [{ SQL_ECHO: 'maybe' }, /SQL_ECHO: expected true or false/],
    [{ CORS_ORIGINS: 'not a url' }, /CORS_ORIGINS: expected comma-separated http\(s\) URLs, got "not a url"/],
    [{ VIBECHECK_HN_URL: 'ftp://x' }, /VIBECHECK_HN_URL: expected an http\(s\) URL/],
    [{ LLM_BASE_URL: 'http://x' }, /LLM_MODEL: required when LLM_BASE_URL is set/],
    [{ LLM_ASPECTS: 'all' }, /LLM_ASPECTS: expected unsure or every/],
    // fetch cannot send credentials of a URL: refused, and not repeated.
    [
      { LLM_BASE_URL: 'http://user:pw-secret-1@llm.local/v1', LLM_MODEL: 'm' },
      /^(?!.*pw-secret-1).*LLM_BASE_URL: expected an http\(s\) URL without user:password/s,
    ],
    [
      { VIBECHECK_RSS_FEEDS: 'https://a.example/f, https://u:pw-secret-2@b.example/f' },
      /^(?!.*pw-secret-2).*VIBECHECK_RSS_FEEDS: expected comma-separated http\(s\) URLs, got "https:\/\/…@b\.example\/f"/s,
    ],
    [{ LLM_SENTIMENT: 'sure' }, /LLM_SENTIMENT: expected unsure or every/],
    [{ VIBECHECK_ANALYSIS_THREADS: '-1' }, /VIBECHECK_ANALYSIS_THREADS: .* \(got "-1"\)/],
    [{ VIBECHECK_ANALYSIS_THREADS: 'many' }, /VIBECHECK_ANALYSIS_THREADS: expected a whole number of threads/],
    [
      { TRUST_PROXY: '10.0.0.2, proxy.local' },
      /TRUST_PROXY: expected comma-separated IP addresses of the proxies in front of VibeCheck, got "proxy.local"/,
    ],
  ])('rejects %o naming the variable', (env, message) => {
    expect(() => parseSettings(env)).toThrow(message);
  });

  it('never echoes a secret value in its error', () => {
    expect(() => parseSettings({ PORT: 'x', ADMIN_TOKEN: 'hunter2' })).toThrow(/PORT/);
    try {
      parseSettings({ PORT: 'x', ADMIN_TOKEN: 'hunter2' });
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
    }
  });

  it('treats an empty secret as unset', () => {
    expect(parseSettings({ GITHUB_TOKEN: '  ' }).sources.githubToken).toBeUndefined();
    expect(parseSettings({ ADMIN_TOKEN: '' }).adminToken).toBeUndefined();
  });

  it('reads PORT as decimal digits only, empty meaning the default 8080', () => {
    expect(parseSettings({ PORT: '' }).port).toBe(8080);
    expect(parseSettings({ PORT: '0' }).port).toBe(0);
    expect(parseSettings({ PORT: '65535' }).port).toBe(65535);
    for (const value of ['0x50', '80.0', '1e3', '+80', '-1', ' 80', '080', '65536', '8080abc', 'Infinity']) {
      expect(() => parseSettings({ PORT: value }), value).toThrow(`PORT: expected a decimal port number 0-65535 (got "${value}")`);
    }
  });

  it('refuses an ADMIN_TOKEN shorter than 16 characters or with surrounding spaces, without echoing it', () => {
    expect(parseSettings({ ADMIN_TOKEN: 'a'.repeat(16) }).adminToken).toBe('a'.repeat(16));
    for (const [value, message] of [
      ['change-me', /ADMIN_TOKEN: must be at least 16 characters/],
      [' 0123456789abcdef', /ADMIN_TOKEN: must not start or end with spaces/],
      ['0123456789abcdef\n', /ADMIN_TOKEN: must not start or end with spaces/],
      ['   ', /ADMIN_TOKEN: must not start or end with spaces/],
    ] as const) {
      expect(() => parseSettings({ ADMIN_TOKEN: value }), JSON.stringify(value)).toThrow(message);
      expect(() => parseSettings({ ADMIN_TOKEN: value })).not.toThrow(/got/);
    }
  });

  it('masks DATABASE_URL when refusing it', () => {
    expect(() => parseSettings({ DATABASE_URL: 'mysql://u:s3cret@db/vc?password=s3cret' })).toThrow(
      'DATABASE_URL: expected a postgres:// or postgresql:// connection URL (got "mysql://u:***@db/vc?password=***")',
    );
    expect(() => parseSettings({ DATABASE_URL: 'mysql://u:s3cret@[db/vc' })).toThrow('(got "mysql:*** (unreadable URL, not shown)")');
  });
});

describe('describeDatabase', () => {
  it('hides the password of the server URL', () => {
    const text = describeDatabase(parseSettings({ DATABASE_URL: 'postgres://user:s3cret@db:5432/vc' }));
    expect(text).toBe('PostgreSQL server postgres://user:***@db:5432/vc');
    expect(describeDatabase(parseSettings({ DATA_DIR: '/tmp/x' }))).toBe('embedded PGlite in /tmp/x');
  });

  it.each([
    ['postgres://u@db/vc?password=s3cret&sslmode=require', 'postgres://u@db/vc?password=***&sslmode=require'],
    ['postgresql://u:s3cret@db/vc?sslpassword=s3cret', 'postgresql://u:***@db/vc?sslpassword=***'],
    ['postgres://db/vc?user=u&PASSWORD=s3cret', 'postgres://db/vc?user=u&PASSWORD=***'],
    ['postgres://u:s3%20cret@db/vc', 'postgres://u:***@db/vc'],
    ['postgres://u:s3cret@[db/vc', 'postgres:*** (unreadable URL, not shown)'],
    ['u:s3cret@db', 'u:*** (unreadable URL, not shown)'],
    ['postgres:///vc?host=/run/postgresql&password=s3cret', 'postgres:///vc?host=%2Frun%2Fpostgresql&password=***'],
  ])('masks every form of secret in %s', (url, shown) => {
    expect(maskDatabaseUrl(url)).toBe(shown);
    expect(maskDatabaseUrl(url)).not.toContain('s3');
  });
});
