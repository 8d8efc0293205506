import { z } from 'zod';

/** The collectors shipped with VibeCheck. Imported posts may name other sources too. */
export const COLLECTOR_SOURCES = [
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
export const CollectorSource = z.enum(COLLECTOR_SOURCES);
export type CollectorSource = z.infer<typeof CollectorSource>;

export const SourceName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lowercase letters, digits and dashes (at most 32)');

/** A post or comment as every source hands it to the pipeline: plain text, UTC time. */
export interface NormalizedPost {
  source: string;
  externalId: string;
  url: string | null;
  author: string | null;
  title: string | null;
  /** Plain text: HTML already converted, entities decoded. */
  body: string;
  createdAt: Date;
  /** Points, likes or reactions as the source counts them. */
  score: number | null;
  /** Replies or comments under the item. */
  comments: number | null;
  parentId: string | null;
  threadId: string | null;
}

export const EventKind = z.enum(['release', 'incident', 'spike', 'note', 'regression']);
export type EventKind = z.infer<typeof EventKind>;

/** Something that happened to an entity: a release, an outage, a detected spike. */
export interface NormalizedEvent {
  kind: EventKind;
  source: string;
  externalId: string;
  title: string;
  url: string | null;
  body: string | null;
  occurredAt: Date;
}
