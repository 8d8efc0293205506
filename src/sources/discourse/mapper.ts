import type { NormalizedPost } from '../../core/post.ts';
import type { Rejection } from '../types.ts';
import { decodeEntities, htmlToText } from '../text.ts';
import { DiscoursePost } from './api-types.ts';

export type DiscoursePostResult =
  | { kind: 'post'; post: NormalizedPost; id: number; topicTitle: string }
  | { kind: 'dropped'; id: number; reason: string }
  | { kind: 'rejected'; rejection: Rejection };

const REGULAR_POST = 1;
const LIKE_ACTION = 2;

/**
 * One `/posts.json` item to a post. Deleted, hidden and non-regular posts (small actions, whispers,
 * moderator notes) are dropped. The body is `cooked` as plain text: links keep their text only, so
 * the relative and protocol-relative URLs in it are dropped; `raw` is the fallback.
 */
export function mapDiscoursePost(raw: unknown, forumUrl: string): DiscoursePostResult {
  const host = new URL(forumUrl).host;
  const parsed = DiscoursePost.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const id = readPostId(raw);
    return {
      kind: 'rejected',
      rejection: {
        externalId: id === null ? null : `${host}:${id}`,
        reason: `invalid post at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
      },
    };
  }
  const item = parsed.data;
  const externalId = `${host}:${item.id}`;
  if (item.deleted_at || item.user_deleted) return { kind: 'dropped', id: item.id, reason: 'deleted' };
  if (item.hidden) return { kind: 'dropped', id: item.id, reason: 'hidden' };
  if ((item.post_type ?? REGULAR_POST) !== REGULAR_POST) return { kind: 'dropped', id: item.id, reason: `post_type ${item.post_type}` };
  const createdAt = new Date(item.created_at);
  if (Number.isNaN(createdAt.getTime())) {
    return { kind: 'rejected', rejection: { externalId, reason: `unparseable created_at "${item.created_at}"` } };
  }
  const base = forumUrl.replace(/\/+$/, '');
  const topicTitle = decodeEntities(item.topic_title);
  const likes = item.actions_summary?.find((a) => a.id === LIKE_ACTION)?.count ?? item.like_count ?? null;
  const thread = `${host}:topic:${item.topic_id}`;
  return {
    kind: 'post',
    id: item.id,
    topicTitle,
    post: {
      source: 'discourse',
      externalId,
      url: `${base}/t/${item.topic_slug ?? 'topic'}/${item.topic_id}/${item.post_number}`,
      author: item.username ?? null,
      title: topicTitle || null,
      body: item.cooked !== undefined ? htmlToText(item.cooked) : (item.raw ?? '').trim(),
      createdAt,
      score: likes,
      comments: item.reply_count ?? null,
      parentId: item.reply_to_post_number ? `${thread}:${item.reply_to_post_number}` : null,
      threadId: thread,
    },
  };
}

/** The id of a raw item even when the rest of it is unusable, so paging can continue past it. */
export function readPostId(raw: unknown): number | null {
  if (typeof raw !== 'object' || raw === null || !('id' in raw)) return null;
  return typeof raw.id === 'number' && Number.isInteger(raw.id) && raw.id > 0 ? raw.id : null;
}
