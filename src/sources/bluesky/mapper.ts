import type { NormalizedPost } from '../../core/post.ts';
import type { Rejection } from '../types.ts';
import { BlueskyPostView } from './api-types.ts';

export type PostViewResult =
  | { kind: 'post'; post: NormalizedPost; sortAt: Date }
  | { kind: 'dropped'; reason: string; sortAt: Date | null }
  | { kind: 'rejected'; rejection: Rejection; sortAt: Date | null };

/** Labels that mean a moderation service withdrew the post. */
const REMOVAL_LABELS = new Set(['!takedown', '!hide', 'spam']);

/**
 * Client-supplied timestamps come as `...455Z`, `...261633+00:00` and sometimes without a zone;
 * a missing zone is read as UTC rather than the collector's local time.
 */
export function parseBlueskyDate(value: string | undefined): Date | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** https://bsky.app/profile/<handle>/post/<rkey>, the rkey being the last segment of the at:// uri. */
export function buildPostUrl(handle: string, uri: string): string {
  return `https://bsky.app/profile/${handle}/post/${uri.split('/').at(-1) ?? ''}`;
}

/**
 * Search orders by sortAt, the earlier of createdAt and indexedAt (so back- and future-dated
 * records cannot jump the queue); paging by `until` needs the same instant.
 */
export function computeSortAt(createdAt: Date | null, indexedAt: Date | null): Date | null {
  if (createdAt && indexedAt) return createdAt < indexedAt ? createdAt : indexedAt;
  return createdAt ?? indexedAt;
}

export function mapPostView(raw: unknown): PostViewResult {
  const parsed = BlueskyPostView.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const uri = typeof raw === 'object' && raw !== null && 'uri' in raw && typeof raw.uri === 'string' ? raw.uri : null;
    return {
      kind: 'rejected',
      sortAt: null,
      rejection: {
        externalId: uri,
        reason: `invalid post at ${issue?.path.map(String).join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
      },
    };
  }
  const view = parsed.data;
  const indexedAt = parseBlueskyDate(view.indexedAt);
  const recordCreatedAt = parseBlueskyDate(view.record.createdAt);
  const createdAt = recordCreatedAt ?? indexedAt;
  const sortAt = computeSortAt(recordCreatedAt, indexedAt);
  if (!createdAt || !sortAt) {
    return {
      kind: 'rejected',
      sortAt: null,
      rejection: { externalId: view.uri, reason: `unparseable createdAt "${view.record.createdAt}"` },
    };
  }
  const removal = view.labels?.find((label) => REMOVAL_LABELS.has(label.val));
  if (removal) return { kind: 'dropped', reason: `label ${removal.val}`, sortAt };
  const external = view.record.embed?.external;
  const body = [view.record.text.trim(), external?.title?.trim(), external?.uri?.trim()].filter((part) => part).join('\n\n');
  return {
    kind: 'post',
    sortAt,
    post: {
      source: 'bluesky',
      externalId: view.uri,
      url: buildPostUrl(view.author.handle, view.uri),
      author: view.author.handle,
      title: null,
      body,
      createdAt,
      score: view.likeCount ?? null,
      comments: view.replyCount ?? null,
      parentId: view.record.reply?.parent.uri ?? null,
      threadId: view.record.reply?.root.uri ?? view.uri,
    },
  };
}
