import type { NormalizedPost } from '../../core/post.ts';
import type { Rejection } from '../types.ts';
import { htmlToText } from '../text.ts';
import { MastodonStatus, type MastodonInnerStatus } from './api-types.ts';

export type StatusResult =
  { kind: 'post'; post: NormalizedPost; id: string } | { kind: 'rejected'; rejection: Rejection; id: string | null };

/**
 * A timeline status to a post. A boost is unwrapped to the boosted status (the page id stays the
 * boost's, for paging). Link text spans marked `invisible` are kept, so URLs come out whole.
 */
export function mapStatus(raw: unknown, instanceUrl: string): StatusResult {
  const parsed = MastodonStatus.safeParse(raw);
  const pageId = readStatusId(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      kind: 'rejected',
      id: pageId,
      rejection: {
        externalId: readUri(raw),
        reason: `invalid status at ${issue?.path.map(String).join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
      },
    };
  }
  const status: MastodonInnerStatus = parsed.data.reblog ?? parsed.data;
  const createdAt = new Date(status.created_at);
  if (Number.isNaN(createdAt.getTime())) {
    return {
      kind: 'rejected',
      id: parsed.data.id,
      rejection: { externalId: status.uri, reason: `unparseable created_at "${status.created_at}"` },
    };
  }
  const host = new URL(instanceUrl).host;
  const content = htmlToText(status.content);
  const spoiler = status.spoiler_text?.trim();
  return {
    kind: 'post',
    id: parsed.data.id,
    post: {
      source: 'mastodon',
      externalId: status.uri,
      url: status.url ?? status.uri,
      author: status.account.acct.includes('@') ? status.account.acct : `${status.account.acct}@${host}`,
      title: null,
      body: spoiler ? `${spoiler}\n\n${content}` : content,
      createdAt,
      score: status.favourites_count ?? null,
      comments: status.replies_count ?? null,
      parentId: status.in_reply_to_id ? `${host}:${status.in_reply_to_id}` : null,
      threadId: null,
    },
  };
}

/** "Claude Code" -> "claudecode": hashtags keep letters, digits and underscores, and are not all digits. */
export function deriveHashtags(phrases: string[]): string[] {
  const tags = phrases
    .map((phrase) => phrase.toLowerCase().replace(/[^\p{L}\p{N}_]/gu, ''))
    .filter((tag) => tag !== '' && !/^\d+$/.test(tag));
  return [...new Set(tags)];
}

/** Mastodon ids are numeric strings longer than 2^53: compare them as BigInt. */
export function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function readStatusId(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || !('id' in raw)) return null;
  return typeof raw.id === 'string' && /^\d+$/.test(raw.id) ? raw.id : null;
}

function readUri(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || !('uri' in raw)) return null;
  return typeof raw.uri === 'string' ? raw.uri : null;
}
