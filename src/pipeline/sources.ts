import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Settings } from '../config/settings.ts';
import { COLLECTOR_SOURCES, type CollectorSource } from '../core/post.ts';
import type { EntityRecord } from '../db/queries/entities.ts';
import { createBlueskySource } from '../sources/bluesky/index.ts';
import { createDevtoSource } from '../sources/devto/index.ts';
import { createDiscourseSource } from '../sources/discourse/index.ts';
import { createGithubSource } from '../sources/github/index.ts';
import { createHnSource } from '../sources/hn/index.ts';
import { createLobstersSource } from '../sources/lobsters/index.ts';
import { createMastodonSource } from '../sources/mastodon/index.ts';
import { createRedditSource } from '../sources/reddit/index.ts';
import { createRssSource } from '../sources/rss/index.ts';
import { createStackExchangeSource } from '../sources/stackexchange/index.ts';
import type { SearchTerm, Source } from '../sources/types.ts';

export const SOURCES_FILE = new URL('../../registry/sources.json', import.meta.url);

const Duration = z
  .string()
  .regex(/^\d+(s|m|h)$/, 'expected a duration such as 90s, 5m or 2h')
  .transform((value) => Number(value.slice(0, -1)) * { s: 1000, m: 60_000, h: 3_600_000 }[value.slice(-1) as 's' | 'm' | 'h']);

export const SourcesFile = z.object({
  intervals: z.partialRecord(z.enum(COLLECTOR_SOURCES), Duration).default({}),
  discourseForums: z.array(z.url()).default([]),
  mastodonInstances: z.array(z.url()).default([]),
  rssFeeds: z.array(z.union([z.url(), z.object({ url: z.url(), kind: z.enum(['status', 'changelog', 'blog']).optional() })])).default([]),
  lobstersTags: z.array(z.string().regex(/^[a-z0-9_-]+$/)).default([]),
  stackexchangeSites: z.array(z.string().min(1)).default(['stackoverflow']),
  redditSubreddits: z.array(z.string().regex(/^[A-Za-z0-9_]+$/)).default([]),
});
export type SourcesFile = z.infer<typeof SourcesFile>;

export const DEFAULT_INTERVAL_MS = 15 * 60_000;

export function loadSourcesFile(path: string | URL = SOURCES_FILE): SourcesFile {
  const parsed = SourcesFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`sources file ${String(path)}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

/** Vendors with generic names are found through their products; searching "Google" finds everything. */
const MAX_PHRASES_PER_ENTITY = 3;

/** What the collectors search for: each entity's name and first aliases, unless it opts out. */
export function buildSearchTerms(
  entities: ReadonlyArray<Pick<EntityRecord, 'slug' | 'name' | 'aliases' | 'disambiguation'>>,
): SearchTerm[] {
  const terms: SearchTerm[] = [];
  for (const entity of entities) {
    const custom = (entity.disambiguation as { searchTerms?: string[] }).searchTerms;
    const phrases = custom ?? [entity.name, ...entity.aliases];
    const unique = [...new Map(phrases.map((p) => [p.toLowerCase(), p])).values()].slice(0, MAX_PHRASES_PER_ENTITY);
    if (unique.length > 0) terms.push({ slug: entity.slug, phrases: unique });
  }
  return terms;
}

export interface ConfiguredSource {
  source: Source;
  intervalMs: number;
  enabled: boolean;
}

/** Every collector, configured from the environment and the sources file. */
export function buildSources(settings: Settings, file: SourcesFile = loadSourcesFile(settings.sources.file)): ConfiguredSource[] {
  const s = settings.sources;
  const sources: Record<CollectorSource, Source> = {
    hn: createHnSource({ baseUrl: s.hnUrl, firebaseUrl: s.hnFirebaseUrl }),
    reddit: createRedditSource({
      baseUrl: s.redditUrl,
      oauthBaseUrl: s.redditOauthUrl,
      clientId: s.redditClientId,
      clientSecret: s.redditClientSecret,
      subreddits: file.redditSubreddits,
    }),
    devto: createDevtoSource({ baseUrl: s.devtoUrl }),
    discourse: createDiscourseSource({ forums: s.discourseForums ?? file.discourseForums }),
    github: createGithubSource({ baseUrl: s.githubUrl, token: s.githubToken }),
    stackexchange: createStackExchangeSource({ baseUrl: s.stackexchangeUrl, key: s.stackexchangeKey, sites: file.stackexchangeSites }),
    lobsters: createLobstersSource({ baseUrl: s.lobstersUrl, tags: file.lobstersTags }),
    bluesky: createBlueskySource({ baseUrl: s.blueskyUrl, handle: s.blueskyHandle, appPassword: s.blueskyAppPassword }),
    mastodon: createMastodonSource({ instances: s.mastodonInstances ?? file.mastodonInstances }),
    rss: createRssSource({ feeds: s.rssFeeds ?? file.rssFeeds }),
  };
  return COLLECTOR_SOURCES.map((name) => ({
    source: sources[name],
    intervalMs: file.intervals[name] ?? DEFAULT_INTERVAL_MS,
    enabled: s.enabled ? s.enabled.includes(name) : true,
  }));
}
