import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** Source names as interface.md lists them (config imports nothing of ours, so they are spelled out here). */
export const COLLECTOR_NAMES = [
  'hn',
  'reddit',
  'devto',
  'discourse',
  'github',
  'stackexchange',
  'lobsters',
  'bluesky',
  'mastodon',
  'rss',
] as const;

const DEFAULT_PORT = 8080;
const DEFAULT_HOST = '127.0.0.1';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
    .optional()
    .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes'].includes(value)));

/** A value as error messages repeat it: user:password of the URLs in it left out. */
const hideUrlCredentials = (text: string): string => text.replace(/\/\/[^/@\s,]*@/g, '//…@');

/** fetch refuses a URL with user:password in it, so an address that carries them could never be asked. */
const withoutCredentials = (value: string): boolean => {
  const url = URL.parse(value);
  return url === null || (url.username === '' && url.password === '');
};
const httpUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
  .refine(withoutCredentials, { error: 'expected an http(s) URL without user:password in it (a key or token has its own variable)' });

/** A comma-separated list whose every item passes `valid`; the first that does not is named. */
const commaList = (valid: (item: string) => boolean, expected: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const items = value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
      for (const item of items) {
        if (!valid(item)) {
          ctx.addIssue({ code: 'custom', message: `expected ${expected}, got "${hideUrlCredentials(item)}"` });
          return z.NEVER;
        }
      }
      return items;
    });

const urlList = commaList((item) => httpUrl.safeParse(item).success, 'comma-separated http(s) URLs');
const addressList = commaList((item) => isIP(item) !== 0, 'comma-separated IP addresses of the proxies in front of VibeCheck');

const optionalSecret = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

/** smtp:// or smtps://, with user:password@ when the server wants it; a secret, so never echoed. */
const smtpUrl = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value.trim() === '') return undefined;
    const url = URL.canParse(value) ? new URL(value) : undefined;
    if (!url || !/^smtps?:$/.test(url.protocol) || !url.hostname) {
      ctx.addIssue({ code: 'custom', message: 'expected smtp://user:password@host:port or smtps://user:password@host:port' });
      return z.NEVER;
    }
    return value;
  });

/** `alerts@example.com` or `VibeCheck <alerts@example.com>`. */
const mailFrom = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value.trim() === '') return undefined;
    if (!/^(?:[^<>]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(value.trim())) {
      ctx.addIssue({ code: 'custom', message: 'expected an address, as alerts@example.com or VibeCheck <alerts@example.com>' });
      return z.NEVER;
    }
    return value.trim();
  });

const MIN_ADMIN_TOKEN_LENGTH = 16;

/** Unset or empty: writes are refused. A short token is guessable; spaces around one can never be sent. */
const adminToken = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value === '') return undefined;
    if (value.trim() !== value) {
      ctx.addIssue({
        code: 'custom',
        message: 'must not start or end with spaces (a bearer token never carries them, so it could never match)',
      });
      return z.NEVER;
    }
    if (value.length < MIN_ADMIN_TOKEN_LENGTH) {
      ctx.addIssue({
        code: 'custom',
        message: `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters (generate one with \`openssl rand -hex 24\`)`,
      });
      return z.NEVER;
    }
    return value;
  });

export const PORT_EXPECTED = 'expected a decimal port number 0-65535';

/** Decimal digits only (no sign, hex, exponent or leading zero), 0..65535; anything else is undefined. */
export function parsePortNumber(text: string): number | undefined {
  if (!/^(0|[1-9]\d{0,4})$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

/** Empty counts as unset (the default), as `PORT=` in a .env file reads. */
const port = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value === '') return DEFAULT_PORT;
    const parsed = parsePortNumber(value);
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: PORT_EXPECTED });
      return z.NEVER;
    }
    return parsed;
  });

/** Every variable VibeCheck reads, with its default; parsed once at start-up. */
export const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// connection URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATA_DIR: z.string().min(1).default('./data'),
  HOST: z.string().min(1).default(DEFAULT_HOST),
  PORT: port,
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'expected development, production or test' }).default('production'),
  SQL_ECHO: bool(false),
  ADMIN_TOKEN: adminToken,
  CORS_ORIGINS: urlList,
  TRUST_PROXY: addressList,
  VIBECHECK_HN_URL: httpUrl.default('https://hn.algolia.com/api/v1'),
  VIBECHECK_HN_FIREBASE_URL: httpUrl.default('https://hacker-news.firebaseio.com/v0'),
  VIBECHECK_REDDIT_URL: httpUrl.default('https://www.reddit.com'),
  VIBECHECK_REDDIT_OAUTH_URL: httpUrl.default('https://oauth.reddit.com'),
  VIBECHECK_DEVTO_URL: httpUrl.default('https://dev.to/api'),
  VIBECHECK_GITHUB_URL: httpUrl.default('https://api.github.com'),
  VIBECHECK_STACKEXCHANGE_URL: httpUrl.default('https://api.stackexchange.com/2.3'),
  VIBECHECK_LOBSTERS_URL: httpUrl.default('https://lobste.rs'),
  VIBECHECK_BLUESKY_URL: httpUrl.default('https://bsky.social'),
  VIBECHECK_SOURCES: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return undefined;
      const names = value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      const unknown = names.filter((n) => !(COLLECTOR_NAMES as readonly string[]).includes(n));
      if (unknown.length) {
        ctx.addIssue({ code: 'custom', message: `unknown source ${unknown.join(', ')}; expected some of ${COLLECTOR_NAMES.join(', ')}` });
        return z.NEVER;
      }
      return names;
    }),
  VIBECHECK_SOURCES_FILE: z.string().min(1).optional(),
  VIBECHECK_DISCOURSE_FORUMS: urlList,
  VIBECHECK_MASTODON_INSTANCES: urlList,
  VIBECHECK_RSS_FEEDS: urlList,
  REDDIT_CLIENT_ID: optionalSecret,
  REDDIT_CLIENT_SECRET: optionalSecret,
  GITHUB_TOKEN: optionalSecret,
  STACKEXCHANGE_KEY: optionalSecret,
  BLUESKY_HANDLE: optionalSecret,
  BLUESKY_APP_PASSWORD: optionalSecret,
  LLM_BASE_URL: httpUrl.optional(),
  LLM_API_KEY: optionalSecret,
  LLM_MODEL: z.string().min(1).optional(),
  LLM_DAILY_BUDGET: z.coerce.number({ error: 'expected a whole number of calls' }).int().min(0).default(500),
  LLM_ASPECTS: z.enum(['unsure', 'every'], { error: 'expected unsure or every' }).default('unsure'),
  LLM_SENTIMENT: z.enum(['unsure', 'every'], { error: 'expected unsure or every' }).default('unsure'),
  VIBECHECK_ANALYSIS_THREADS: z.coerce.number({ error: 'expected a whole number of threads' }).int().min(0).max(256).optional(),
  SMTP_URL: smtpUrl,
  SMTP_FROM: mailFrom,
  PUBLIC_URL: httpUrl.optional().or(z.literal('').transform(() => undefined)),
});
export type EnvSchema = z.infer<typeof EnvSchema>;

/** Names whose values must never be printed. */
export const SECRET_VARIABLES = [
  'ADMIN_TOKEN',
  'REDDIT_CLIENT_SECRET',
  'GITHUB_TOKEN',
  'STACKEXCHANGE_KEY',
  'BLUESKY_APP_PASSWORD',
  'LLM_API_KEY',
  'SMTP_URL',
] as const;

/** Which mentions a tier is asked about: those the local reader is unsure of, or every direct one. */
export type LlmAsks = 'unsure' | 'every';

export interface LlmSettings {
  baseUrl: string;
  apiKey: string | undefined;
  model: string;
  dailyBudget: number;
  aspects: LlmAsks;
  sentiment: LlmAsks;
}

export interface Settings {
  databaseUrl: string | undefined;
  /** Worker threads `import` and `rescore` analyse in; 0: on the main thread. */
  analysisThreads: number;
  dataDir: string;
  host: string;
  port: number;
  logLevel: (typeof LOG_LEVELS)[number];
  nodeEnv: 'development' | 'production' | 'test';
  sqlEcho: boolean;
  adminToken: string | undefined;
  corsOrigins: string[];
  /** Addresses of the reverse proxies whose X-Forwarded-For is believed (none: the TCP peer is the client). */
  trustProxy: string[];
  sources: {
    hnUrl: string;
    hnFirebaseUrl: string;
    redditUrl: string;
    redditOauthUrl: string;
    devtoUrl: string;
    githubUrl: string;
    stackexchangeUrl: string;
    lobstersUrl: string;
    blueskyUrl: string;
    /** Sources the schedule runs; undefined: all of them. */
    enabled: string[] | undefined;
    /** The sources configuration file; undefined: registry/sources.json shipped with the project. */
    file: string | undefined;
    /** Undefined: use the lists of the sources file shipped with the project. */
    discourseForums: string[] | undefined;
    mastodonInstances: string[] | undefined;
    rssFeeds: string[] | undefined;
    redditClientId: string | undefined;
    redditClientSecret: string | undefined;
    githubToken: string | undefined;
    stackexchangeKey: string | undefined;
    blueskyHandle: string | undefined;
    blueskyAppPassword: string | undefined;
  };
  /** `aspects`, `sentiment`: which mentions those tiers are asked about, the unsure ones or every direct one. */
  llm: LlmSettings | undefined;
  /** E-mail alerts and digests; undefined: e-mail is off. `url` holds the SMTP password. */
  smtp: { url: string; from: string } | undefined;
  /** The dashboard's address as users reach it, for links in alerts (no trailing slash). */
  publicUrl: string;
}

export class ConfigError extends Error {
  readonly code = 'config';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** One core for reading input and writing to the database, the rest for analysis; at least one thread. */
export function defaultAnalysisThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * PUBLIC_URL's default, `http://HOST:PORT`; a listen-everywhere host (0.0.0.0, ::) is not an
 * address a browser can open, so links use the loopback address instead.
 */
export function defaultPublicUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' || host === '[::]' ? '[::1]' : host;
  return `http://${isIP(reachable) === 6 ? `[${reachable}]` : reachable}:${port}`;
}

/** PUBLIC_URL as the default HOST and PORT make it: for messages built without settings (an app or worker a test made). */
export const DEFAULT_PUBLIC_URL = defaultPublicUrl(DEFAULT_HOST, DEFAULT_PORT);

/** Parses the environment once; an invalid value stops start-up naming the variable. */
export function parseSettings(env: NodeJS.ProcessEnv): Settings {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      const secret = (SECRET_VARIABLES as readonly string[]).includes(name);
      const value = env[name];
      const got =
        secret || value === undefined ? '' : ` (got "${name === 'DATABASE_URL' ? maskDatabaseUrl(value) : hideUrlCredentials(value)}")`;
      return `${name}: ${issue.message}${got}`;
    });
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  const e = parsed.data;
  if (e.LLM_BASE_URL && !e.LLM_MODEL) throw new ConfigError('invalid configuration: LLM_MODEL: required when LLM_BASE_URL is set');
  if (e.SMTP_URL && !e.SMTP_FROM) {
    throw new ConfigError(
      'invalid configuration: SMTP_FROM: required when SMTP_URL is set (the sender, e.g. VibeCheck <alerts@example.com>)',
    );
  }
  return {
    databaseUrl: e.DATABASE_URL,
    analysisThreads: e.VIBECHECK_ANALYSIS_THREADS ?? defaultAnalysisThreads(),
    dataDir: e.DATA_DIR,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    nodeEnv: e.NODE_ENV,
    sqlEcho: e.SQL_ECHO,
    adminToken: e.ADMIN_TOKEN,
    corsOrigins: e.CORS_ORIGINS ?? [],
    trustProxy: e.TRUST_PROXY ?? [],
    sources: {
      hnUrl: e.VIBECHECK_HN_URL,
      hnFirebaseUrl: e.VIBECHECK_HN_FIREBASE_URL,
      redditUrl: e.VIBECHECK_REDDIT_URL,
      redditOauthUrl: e.VIBECHECK_REDDIT_OAUTH_URL,
      devtoUrl: e.VIBECHECK_DEVTO_URL,
      githubUrl: e.VIBECHECK_GITHUB_URL,
      stackexchangeUrl: e.VIBECHECK_STACKEXCHANGE_URL,
      lobstersUrl: e.VIBECHECK_LOBSTERS_URL,
      blueskyUrl: e.VIBECHECK_BLUESKY_URL,
      enabled: e.VIBECHECK_SOURCES,
      file: e.VIBECHECK_SOURCES_FILE,
      discourseForums: e.VIBECHECK_DISCOURSE_FORUMS,
      mastodonInstances: e.VIBECHECK_MASTODON_INSTANCES,
      rssFeeds: e.VIBECHECK_RSS_FEEDS,
      redditClientId: e.REDDIT_CLIENT_ID,
      redditClientSecret: e.REDDIT_CLIENT_SECRET,
      githubToken: e.GITHUB_TOKEN,
      stackexchangeKey: e.STACKEXCHANGE_KEY,
      blueskyHandle: e.BLUESKY_HANDLE,
      blueskyAppPassword: e.BLUESKY_APP_PASSWORD,
    },
    llm:
      e.LLM_BASE_URL && e.LLM_MODEL
        ? {
            baseUrl: e.LLM_BASE_URL,
            apiKey: e.LLM_API_KEY,
            model: e.LLM_MODEL,
            dailyBudget: e.LLM_DAILY_BUDGET,
            aspects: e.LLM_ASPECTS,
            sentiment: e.LLM_SENTIMENT,
          }
        : undefined,
    smtp: e.SMTP_URL && e.SMTP_FROM ? { url: e.SMTP_URL, from: e.SMTP_FROM } : undefined,
    publicUrl: (e.PUBLIC_URL ?? defaultPublicUrl(e.HOST, e.PORT)).replace(/\/+$/, ''),
  };
}

/** Query parameters of a connection URL that may hold a secret (`?password=`, `?sslpassword=`, ...). */
const SECRET_URL_PARAM = /pass|secret|token|key/i;

/**
 * A connection URL safe to print: the password and every secret-looking query parameter become ***.
 * A URL that does not parse is shown as its scheme only, since where its secret sits is unknown.
 */
export function maskDatabaseUrl(text: string): string {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  // Without `scheme://` the rest is an opaque path, where a password may sit anywhere.
  if (!url?.href.startsWith(`${url.protocol}//`)) {
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(text)?.[0] ?? '';
    return `${scheme}*** (unreadable URL, not shown)`;
  }
  if (url.password) url.password = '***';
  for (const key of new Set(url.searchParams.keys())) if (SECRET_URL_PARAM.test(key)) url.searchParams.set(key, '***');
  return url.toString();
}

/** The database target for logs and `doctor`, without any secret. */
export function describeDatabase(settings: Settings): string {
  return settings.databaseUrl ? `PostgreSQL server ${maskDatabaseUrl(settings.databaseUrl)}` : `embedded PGlite in ${settings.dataDir}`;
}
