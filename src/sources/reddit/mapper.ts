import type { NormalizedPost } from '../../core/post.ts';
import { decodeEntities, htmlToText } from '../text.ts';
import type { Rejection } from '../types.ts';
import { RedditThing } from './api-types.ts';

export type RedditMapResult =
  | { kind: 'post'; post: NormalizedPost; createdAtS: number }
  | { kind: 'dropped'; externalId: string; createdAtS: number; reason: string }
  | { kind: 'rejected'; rejection: Rejection };

const SITE = 'https://www.reddit.com';
const PLACEHOLDERS = new Set(['[deleted]', '[removed]', '[ removed by reddit ]']);

const isPlaceholder = (text: string | null | undefined): boolean => PLACEHOLDERS.has((text ?? '').trim().toLowerCase());

/** One listing child (unvalidated) to a post; deleted and removed things are dropped. */
export function mapRedditThing(raw: unknown): RedditMapResult {
  const parsed = RedditThing.safeParse(raw);
  if (!parsed.success) return { kind: 'rejected', rejection: { externalId: readName(raw), reason: describeIssue(parsed.error) } };
  const thing = parsed.data;
  const createdAtS = Math.floor(thing.data.created_utc);
  const author = thing.data.author && thing.data.author !== '[deleted]' ? thing.data.author : null;
  if (thing.kind === 't3') {
    const post = thing.data;
    if (post.removed_by_category) return { kind: 'dropped', externalId: post.name, createdAtS, reason: `removed (${post.removed_by_category})` };
    if (isPlaceholder(post.selftext)) return { kind: 'dropped', externalId: post.name, createdAtS, reason: 'deleted' };
    return {
      kind: 'post',
      createdAtS,
      post: {
        source: 'reddit',
        externalId: post.name,
        url: `${SITE}${post.permalink}`,
        author,
        title: decodeEntities(post.title) || null,
        body: post.selftext_html ? htmlToText(post.selftext_html) : (post.selftext ?? '').trim(),
        createdAt: new Date(post.created_utc * 1000),
        score: post.score ?? null,
        comments: post.num_comments ?? null,
        parentId: null,
        threadId: post.name,
      },
    };
  }
  const comment = thing.data;
  if (isPlaceholder(comment.body)) return { kind: 'dropped', externalId: comment.name, createdAtS, reason: 'deleted' };
  const body = comment.body_html ? htmlToText(comment.body_html) : (comment.body ?? '').trim();
  if (body === '') return { kind: 'dropped', externalId: comment.name, createdAtS, reason: 'empty comment' };
  return {
    kind: 'post',
    createdAtS,
    post: {
      source: 'reddit',
      externalId: comment.name,
      url: `${SITE}${comment.permalink}`,
      author,
      title: decodeEntities(comment.link_title) || null,
      body,
      createdAt: new Date(comment.created_utc * 1000),
      score: comment.score ?? null,
      comments: null,
      parentId: comment.parent_id,
      threadId: comment.link_id,
    },
  };
}

function readName(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const data = (raw as { data?: unknown }).data;
  if (typeof data !== 'object' || data === null) return null;
  const name = (data as { name?: unknown }).name;
  return typeof name === 'string' ? name : null;
}

function describeIssue(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid item';
  return `${issue.path.length ? issue.path.map(String).join('.') : '(item)'}: ${issue.message}`;
}
