import type { NormalizedPost } from '../../core/post.ts';
import { decodeEntities, htmlToText } from '../text.ts';
import type { MappedItem } from '../batching.ts';
import type { Rejection } from '../types.ts';
import { DevtoArticle, DevtoComment } from './api-types.ts';

export type DevtoParseResult = { kind: 'article'; article: DevtoArticle } | { kind: 'rejected'; rejection: Rejection };

export function parseDevtoArticle(raw: unknown): DevtoParseResult {
  const parsed = DevtoArticle.safeParse(raw);
  if (parsed.success) return { kind: 'article', article: parsed.data };
  return { kind: 'rejected', rejection: { externalId: readId(raw), reason: describeFirstIssue(parsed.error.issues) } };
}

/** Tags from whichever of tag_list / tags is the array or the comma string. */
export function readTags(article: DevtoArticle): string[] {
  const field = Array.isArray(article.tag_list)
    ? article.tag_list
    : Array.isArray(article.tags)
      ? article.tags
      : (article.tag_list ?? article.tags ?? '');
  const list = Array.isArray(field) ? field : field.split(',');
  return list.map((tag) => tag.trim().toLowerCase()).filter(Boolean);
}

export function readPublishedS(article: DevtoArticle): number {
  return Math.floor(Date.parse(article.published_at) / 1000);
}

/** The text the term filter looks at before any full article is fetched. */
export function describeForMatching(article: DevtoArticle): string {
  return `${decodeEntities(article.title)}\n${decodeEntities(article.description)}`;
}

/**
 * An article (from the list, or the single-article response with its body) to a post. Without a body
 * the description stands in; Markdown is used only when there is no HTML, with its front matter cut.
 */
export function mapDevtoArticle(article: DevtoArticle): NormalizedPost {
  const body = article.body_html
    ? htmlToText(article.body_html)
    : article.body_markdown
      ? article.body_markdown.replace(/^---\n[\s\S]*?\n---\n/, '').trim()
      : decodeEntities(article.description);
  return {
    source: 'devto',
    externalId: String(article.id),
    url: article.url,
    author: article.user?.username ?? null,
    title: decodeEntities(article.title) || null,
    body,
    createdAt: new Date(article.published_at),
    score: article.public_reactions_count ?? article.positive_reactions_count ?? null,
    comments: article.comments_count ?? null,
    parentId: null,
    threadId: String(article.id),
  };
}

/** The article post a comment tree hangs under. */
export interface DevtoCommentArticle {
  externalId: string;
  title: string | null;
}

/**
 * Every comment of a `/comments?a_id=` tree, depth first, as posts under the article: the parent is the
 * enclosing comment's id_code, or the article for top-level ones. Deleted and hidden placeholders are
 * dropped, but their replies are still walked.
 */
export function flattenDevtoComments(roots: readonly unknown[], article: DevtoCommentArticle): MappedItem[] {
  const items: MappedItem[] = [];
  const stack = [...roots].reverse().map((raw) => ({ raw, parentId: article.externalId }));
  for (let next = stack.pop(); next; next = stack.pop()) {
    const parsed = DevtoComment.safeParse(next.raw);
    const idCode = parsed.success ? parsed.data.id_code : readIdCode(next.raw);
    if (parsed.success) items.push(mapDevtoComment(parsed.data, next.parentId, article));
    else items.push({ kind: 'rejected', rejection: { externalId: idCode, reason: describeFirstIssue(parsed.error.issues) } });
    const children = readChildren(next.raw);
    stack.push(...[...children].reverse().map((raw) => ({ raw, parentId: idCode ?? next.parentId })));
  }
  return items;
}

function mapDevtoComment(comment: DevtoComment, parentId: string, article: DevtoCommentArticle): MappedItem {
  const username = comment.user?.username;
  if (!username) return { kind: 'dropped' };
  const body = htmlToText(comment.body_html);
  if (body === '') return { kind: 'dropped' };
  return {
    kind: 'post',
    post: {
      source: 'devto',
      externalId: comment.id_code,
      // The comment JSON carries no url; this is the path dev.to serves a single comment at.
      url: `https://dev.to/${username}/comment/${comment.id_code}`,
      author: username,
      title: article.title,
      body,
      createdAt: new Date(comment.created_at),
      score: null,
      comments: comment.children?.length ?? null,
      parentId,
      threadId: article.externalId,
    },
  };
}

function describeFirstIssue(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const issue = issues[0];
  return issue ? `${issue.path.length ? issue.path.map(String).join('.') : '(item)'}: ${issue.message}` : 'invalid item';
}

function readIdCode(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const id = (raw as { id_code?: unknown }).id_code;
  return typeof id === 'string' && id !== '' ? id : null;
}

function readChildren(raw: unknown): unknown[] {
  if (typeof raw !== 'object' || raw === null) return [];
  const children = (raw as { children?: unknown }).children;
  return Array.isArray(children) ? children : [];
}

function readId(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'number' || typeof id === 'string' ? String(id) : null;
}
