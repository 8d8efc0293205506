import type { NormalizedPost } from '../../core/post.ts';
import { decodeEntities, htmlToText } from '../text.ts';
import type { Rejection } from '../types.ts';
import { RedditListing, RedditThing } from './api-types.ts';

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
    if (post.removed_by_category)
      return { kind: 'dropped', externalId: post.name, createdAtS, reason: `removed (${post.removed_by_category})` };
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
  const body = comment.body_html ? htmlToText(comment.body_html) : unescapeMarkdown(comment.body ?? '').trim();
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

export interface RedditCommentTree {
  /** Every t1 in the tree, depth first, each mapped like a listing child but titled with the post's title. */
  items: RedditMapResult[];
  /** `more` stubs met: branches Reddit cut from this response, and the comment ids they stand for. */
  moreStubs: number;
  moreIds: number;
}

/** Flattens the comment listing of `/comments/{id}` (the second element), nested replies included. */
export function flattenRedditComments(listing: RedditListing, postTitle: string | null): RedditCommentTree {
  const tree: RedditCommentTree = { items: [], moreStubs: 0, moreIds: 0 };
  const stack: unknown[] = [...listing.data.children].reverse();
  while (stack.length > 0) {
    const child = stack.pop();
    const kind = readKind(child);
    if (kind === 'more') {
      tree.moreStubs++;
      tree.moreIds += readMoreCount(child);
      continue;
    }
    const result = mapRedditThing(child);
    if (result.kind === 'post') result.post.title = postTitle;
    tree.items.push(result);
    // A deleted comment keeps its replies, so its branch is walked all the same.
    const replies = RedditListing.safeParse(readData(child)?.replies);
    if (replies.success) stack.push(...[...replies.data.data.children].reverse());
  }
  return tree;
}

/** Without raw_json=1 Reddit escapes exactly these three in markdown; line breaks must survive. */
function unescapeMarkdown(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function readData(raw: unknown): Record<string, unknown> | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const data = (raw as { data?: unknown }).data;
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : null;
}

function readKind(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const kind = (raw as { kind?: unknown }).kind;
  return typeof kind === 'string' ? kind : null;
}

function readMoreCount(raw: unknown): number {
  const children = readData(raw)?.children;
  return Array.isArray(children) ? children.length : 0;
}

function readName(raw: unknown): string | null {
  const name = readData(raw)?.name;
  return typeof name === 'string' ? name : null;
}

function describeIssue(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid item';
  return `${issue.path.length ? issue.path.map(String).join('.') : '(item)'}: ${issue.message}`;
}
