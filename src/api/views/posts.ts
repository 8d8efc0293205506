import { ValidationError } from '../../core/errors.ts';
import type { Executor } from '../../db/queries/entities.ts';
import { listMentionedPosts, type MentionedPost, type PostCursor, type PostQuery } from '../../db/queries/posts.ts';

export function encodeCursor(cursor: PostCursor): string {
  return Buffer.from(`${cursor.createdAt}|${cursor.postId}`, 'utf8').toString('base64url');
}

/** A cursor instant as encodeCursor writes it, on a real calendar day the database can hold (year 1 on). */
function isCursorInstant(text: string): boolean {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,6})?Z$/.exec(text);
  if (!match?.[1] || match[1] < '0001') return false;
  const time = Date.parse(`${match[1]}Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 19) === match[1];
}

export function decodeCursor(text: string): PostCursor {
  const [createdAt, id, ...rest] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  const postId = Number(id);
  if (!createdAt || rest.length > 0 || !isCursorInstant(createdAt) || !/^[1-9]\d{0,15}$/.test(id ?? '') || !Number.isSafeInteger(postId)) {
    throw new ValidationError('cursor: not a cursor this API returned');
  }
  return { createdAt, postId };
}

export function presentPost(post: MentionedPost) {
  return {
    source: post.source,
    externalId: post.externalId,
    url: post.url,
    createdAt: post.createdAt.toISOString(),
    title: post.title,
    body: post.body,
    author: post.author,
    engagement: post.engagement,
    direct: post.direct,
    label: post.label,
    score: post.score,
    confidence: post.confidence,
    sentimentTier: post.sentimentTier,
    matchedText: post.matchedText,
    start: post.start,
    end: post.end,
    version: post.version,
    aspects: post.aspects,
  };
}

/** One page plus the cursor of the next; one extra row is read to know whether a next page exists. */
export async function buildPostPage(db: Executor, query: Omit<PostQuery, 'after'> & { cursor?: string | undefined }) {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const rows = await listMentionedPosts(db, { ...query, after, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return { items: page.map(presentPost), nextCursor: rows.length > query.limit && last ? encodeCursor(last.cursor) : null };
}
