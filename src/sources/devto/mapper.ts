import type { NormalizedPost } from '../../core/post.ts';
import { decodeEntities, htmlToText } from '../text.ts';
import type { Rejection } from '../types.ts';
import { DevtoArticle } from './api-types.ts';

export type DevtoParseResult = { kind: 'article'; article: DevtoArticle } | { kind: 'rejected'; rejection: Rejection };

export function parseDevtoArticle(raw: unknown): DevtoParseResult {
  const parsed = DevtoArticle.safeParse(raw);
  if (parsed.success) return { kind: 'article', article: parsed.data };
  const issue = parsed.error.issues[0];
  const reason = issue ? `${issue.path.length ? issue.path.map(String).join('.') : '(item)'}: ${issue.message}` : 'invalid item';
  return { kind: 'rejected', rejection: { externalId: readId(raw), reason } };
}

/** Tags from whichever of tag_list / tags is the array or the comma string. */
export function readTags(article: DevtoArticle): string[] {
  const field = Array.isArray(article.tag_list) ? article.tag_list : Array.isArray(article.tags) ? article.tags : (article.tag_list ?? article.tags ?? '');
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

function readId(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'number' || typeof id === 'string' ? String(id) : null;
}
