import type { NormalizedPost } from '../../core/post.ts';
import { decodeEntities, htmlToText } from '../text.ts';
import type { Rejection } from '../types.ts';
import { AlgoliaHit, FirebaseItem } from './api-types.ts';

export type HnMapResult =
  | { kind: 'post'; post: NormalizedPost }
  | { kind: 'dropped'; externalId: string; reason: string }
  | { kind: 'rejected'; rejection: Rejection };

const ITEM_URL = 'https://news.ycombinator.com/item?id=';

/** One Algolia hit (unvalidated) to a post, or why it is dropped (deleted) or rejected (wrong shape). */
export function mapAlgoliaHit(raw: unknown): HnMapResult {
  const parsed = AlgoliaHit.safeParse(raw);
  if (!parsed.success) return { kind: 'rejected', rejection: { externalId: readId(raw), reason: describeIssue(parsed.error) } };
  const hit = parsed.data;
  const isComment = hit._tags.includes('comment');
  const body = htmlToText(hit.story_text ?? hit.comment_text);
  const title = decodeEntities(hit.title ?? hit.story_title) || null;
  if (!hit.author && body === '') return { kind: 'dropped', externalId: hit.objectID, reason: 'deleted' };
  if (isComment && body === '') return { kind: 'dropped', externalId: hit.objectID, reason: 'empty comment' };
  return {
    kind: 'post',
    post: {
      source: 'hn',
      externalId: hit.objectID,
      url: hit.url || `${ITEM_URL}${hit.objectID}`,
      author: hit.author ?? null,
      title,
      body,
      createdAt: new Date(hit.created_at_i * 1000),
      score: hit.points ?? null,
      comments: hit.num_comments ?? null,
      parentId: hit.parent_id == null ? null : String(hit.parent_id),
      threadId: hit.story_id != null ? String(hit.story_id) : isComment ? null : hit.objectID,
    },
  };
}

const KEPT_TYPES = new Set(['story', 'comment', 'poll']);

/** One Firebase item (unvalidated, possibly null) to a post; deleted, dead and job items are dropped. */
export function mapFirebaseItem(raw: unknown): HnMapResult {
  const parsed = FirebaseItem.safeParse(raw);
  if (!parsed.success) return { kind: 'rejected', rejection: { externalId: readId(raw), reason: describeIssue(parsed.error) } };
  const item = parsed.data;
  const externalId = String(item.id);
  if (item.deleted) return { kind: 'dropped', externalId, reason: 'deleted' };
  if (item.dead) return { kind: 'dropped', externalId, reason: 'dead' };
  if (item.type !== undefined && !KEPT_TYPES.has(item.type)) return { kind: 'dropped', externalId, reason: `type ${item.type}` };
  if (item.time === undefined) return { kind: 'rejected', rejection: { externalId, reason: 'time: missing' } };
  const isComment = item.type === 'comment';
  return {
    kind: 'post',
    post: {
      source: 'hn',
      externalId,
      url: item.url || `${ITEM_URL}${externalId}`,
      author: item.by ?? null,
      title: decodeEntities(item.title) || null,
      body: htmlToText(item.text),
      createdAt: new Date(item.time * 1000),
      score: item.score ?? null,
      comments: item.descendants ?? null,
      parentId: item.parent === undefined ? null : String(item.parent),
      // Firebase comments name only their direct parent; the root story is unknown without walking up.
      threadId: isComment ? null : externalId,
    },
  };
}

function readId(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const record = raw as Record<string, unknown>;
  const id = record.objectID ?? record.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
}

function describeIssue(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid item';
  return `${issue.path.length ? issue.path.map(String).join('.') : '(item)'}: ${issue.message}`;
}
