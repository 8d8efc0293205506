import type { NormalizedPost } from '../../core/post.ts';
import type { Rejection } from '../types.ts';
import { GithubComment, GithubDiscussion, GithubIssue } from './api-types.ts';

export type GithubMapResult = { kind: 'post'; post: NormalizedPost; createdAtS: number } | { kind: 'rejected'; rejection: Rejection };

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  mdash: '—',
  ndash: '–',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
};

/**
 * GitHub bodies are Markdown that may embed raw HTML. Markdown stays (its line structure carries
 * meaning); comments, script/style blocks and tags go, entities are decoded.
 */
export function cleanMarkdown(markdown: string | null | undefined): string {
  if (!markdown) return '';
  return markdown
    .replace(/\r\n?/g, '\n')
    .replace(/<!--[\s\S]*?(-->|$)/g, '')
    .replace(/<(script|style)\b[^>]*>[\s\S]*?(<\/\1\s*>|$)/gi, '')
    .replace(/<\/?[a-z][a-z0-9-]*(\s[^<>]*)?\/?>/gi, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
      const lower = name.toLowerCase();
      if (lower.startsWith('#x')) return safeCodePoint(parseInt(lower.slice(2), 16)) ?? entity;
      if (lower.startsWith('#')) return safeCodePoint(Number(lower.slice(1))) ?? entity;
      return NAMED_ENTITIES[lower] ?? entity;
    })
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function safeCodePoint(code: number): string | null {
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : null;
}

/** `https://api.github.com/repos/o/r` to `o/r`. */
function repoName(repositoryUrl: string): string {
  const match = /\/repos\/([^/]+\/[^/]+)\/?$/.exec(repositoryUrl);
  return match?.[1] ?? repositoryUrl;
}

/** One `/search/issues` item (unvalidated) to a post; externalId is the node_id. */
export function mapGithubIssue(raw: unknown): GithubMapResult {
  const parsed = GithubIssue.safeParse(raw);
  if (!parsed.success) return { kind: 'rejected', rejection: { externalId: readId(raw), reason: describeIssue(parsed.error) } };
  const issue = parsed.data;
  const createdAt = new Date(issue.created_at);
  return {
    kind: 'post',
    createdAtS: Math.floor(createdAt.getTime() / 1000),
    post: {
      source: 'github',
      externalId: issue.node_id,
      url: issue.html_url,
      author: issue.user?.login ?? null,
      title: cleanMarkdown(issue.title) || null,
      body: cleanMarkdown(issue.body),
      createdAt,
      score: issue.reactions?.total_count ?? null,
      comments: issue.comments ?? null,
      parentId: null,
      threadId: `${repoName(issue.repository_url)}#${issue.number}`,
    },
  };
}

/** One GraphQL Discussion node (unvalidated) to a post; the node id is the same kind of id as REST's node_id. */
export function mapGithubDiscussion(raw: unknown): GithubMapResult {
  const parsed = GithubDiscussion.safeParse(raw);
  if (!parsed.success) return { kind: 'rejected', rejection: { externalId: readId(raw), reason: describeIssue(parsed.error) } };
  const discussion = parsed.data;
  const createdAt = new Date(discussion.createdAt);
  return {
    kind: 'post',
    createdAtS: Math.floor(createdAt.getTime() / 1000),
    post: {
      source: 'github',
      externalId: discussion.id,
      url: discussion.url,
      author: discussion.author?.login ?? null,
      title: cleanMarkdown(discussion.title) || null,
      body: cleanMarkdown(discussion.body ?? discussion.bodyText),
      createdAt,
      score: discussion.upvoteCount ?? null,
      comments: discussion.comments?.totalCount ?? null,
      parentId: null,
      threadId: `${discussion.repository.nameWithOwner}#${discussion.number}`,
    },
  };
}

/** The issue a comment hangs under, as its own post was mapped. */
export interface GithubCommentParent {
  externalId: string;
  title: string | null;
  threadId: string | null;
}

/** One issue comment (unvalidated) to a post under its issue: same title and thread, the issue as parent. */
export function mapGithubComment(raw: unknown, parent: GithubCommentParent): GithubMapResult {
  const parsed = GithubComment.safeParse(raw);
  if (!parsed.success) return { kind: 'rejected', rejection: { externalId: readId(raw), reason: describeIssue(parsed.error) } };
  const comment = parsed.data;
  const createdAt = new Date(comment.created_at);
  return {
    kind: 'post',
    createdAtS: Math.floor(createdAt.getTime() / 1000),
    post: {
      source: 'github',
      externalId: comment.node_id,
      url: comment.html_url,
      author: comment.user?.login ?? null,
      title: parent.title,
      body: cleanMarkdown(comment.body),
      createdAt,
      score: comment.reactions?.total_count ?? null,
      comments: null,
      parentId: parent.externalId,
      threadId: parent.threadId,
    },
  };
}

/** `o/r#12` to the repository and number the comments endpoint wants, or null for any other shape. */
export function parseIssueThread(threadId: string | null): { repo: string; number: number } | null {
  const match = /^([^/#\s]+\/[^/#\s]+)#(\d+)$/.exec(threadId ?? '');
  if (!match?.[1] || !match[2]) return null;
  return { repo: match[1], number: Number(match[2]) };
}

function readId(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const record = raw as Record<string, unknown>;
  const id = record.node_id ?? record.id;
  return typeof id === 'string' ? id : null;
}

function describeIssue(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid item';
  return `${issue.path.length ? issue.path.map(String).join('.') : '(item)'}: ${issue.message}`;
}
