import type { NormalizedPost } from '../../core/post.ts';
import type { Rejection } from '../types.ts';
import { decodeEntities, htmlToText } from '../text.ts';
import { LobstersComment, LobstersStory } from './api-types.ts';

export type LobstersResult =
  | { kind: 'post'; post: NormalizedPost; shortId: string }
  | { kind: 'dropped'; reason: string }
  | { kind: 'rejected'; rejection: Rejection };

/** Story and comment short ids come from different tables, so comments carry a `c:` prefix. */
export const formatCommentId = (shortId: string): string => `c:${shortId}`;

export function mapStory(raw: unknown): LobstersResult {
  const parsed = LobstersStory.safeParse(raw);
  if (!parsed.success) return reject(raw, 'story', parsed.error.issues[0]);
  const story = parsed.data;
  const createdAt = parseTimestamp(story.created_at);
  if (!createdAt)
    return { kind: 'rejected', rejection: { externalId: story.short_id, reason: `unparseable created_at "${story.created_at}"` } };
  return {
    kind: 'post',
    shortId: story.short_id,
    post: {
      source: 'lobsters',
      externalId: story.short_id,
      url: story.url || story.short_id_url,
      author: readUser(story.submitter_user),
      title: decodeEntities(story.title),
      body: story.description ? htmlToText(story.description) : (story.description_plain ?? '').trim(),
      createdAt,
      score: story.score ?? null,
      comments: story.comment_count ?? null,
      parentId: null,
      threadId: story.short_id,
    },
  };
}

/** Deleted and moderated comments come back with placeholder text: they are dropped. */
export function mapComment(raw: unknown, storyShortId: string): LobstersResult {
  const parsed = LobstersComment.safeParse(raw);
  if (!parsed.success) return reject(raw, 'comment', parsed.error.issues[0]);
  const comment = parsed.data;
  if (comment.is_deleted) return { kind: 'dropped', reason: 'deleted' };
  if (comment.is_moderated) return { kind: 'dropped', reason: 'moderated' };
  const externalId = formatCommentId(comment.short_id);
  const createdAt = parseTimestamp(comment.created_at);
  if (!createdAt) return { kind: 'rejected', rejection: { externalId, reason: `unparseable created_at "${comment.created_at}"` } };
  return {
    kind: 'post',
    shortId: comment.short_id,
    post: {
      source: 'lobsters',
      externalId,
      url: comment.short_id_url ?? comment.url ?? null,
      author: readUser(comment.commenting_user),
      title: null,
      body: comment.comment ? htmlToText(comment.comment) : (comment.comment_plain ?? '').trim(),
      createdAt,
      score: comment.score ?? null,
      comments: null,
      parentId: comment.parent_comment ? formatCommentId(comment.parent_comment) : storyShortId,
      threadId: storyShortId,
    },
  };
}

/** Lobsters writes site-local offsets (`-05:00`); the Date is the same instant in UTC. */
export function parseTimestamp(value: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms);
}

function readUser(user: string | { username: string } | undefined): string | null {
  if (user === undefined) return null;
  return typeof user === 'string' ? user : user.username;
}

function reject(raw: unknown, what: string, issue: { path: PropertyKey[]; message: string } | undefined): LobstersResult {
  const id = typeof raw === 'object' && raw !== null && 'short_id' in raw && typeof raw.short_id === 'string' ? raw.short_id : null;
  return {
    kind: 'rejected',
    rejection: {
      externalId: id === null ? null : what === 'comment' ? formatCommentId(id) : id,
      reason: `invalid ${what} at ${issue?.path.map(String).join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    },
  };
}
