import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPostUrl, mapPostView, parseBlueskyDate, type PostViewResult } from './mapper.ts';

const { posts } = JSON.parse(readFileSync(new URL('./fixtures/search-posts.json', import.meta.url), 'utf8')) as { posts: unknown[] };
const results = posts.map(mapPostView);

const postOf = (result: PostViewResult | undefined) => {
  if (result?.kind !== 'post') throw new Error(`expected a post, got ${JSON.stringify(result)}`);
  return result.post;
};

describe('mapPostView', () => {
  it('maps uri, web URL from handle and rkey, counts and the thread of a top-level post', () => {
    const post = postOf(results[0]);
    expect(post.externalId).toBe('at://did:plc:abc123xyz/app.bsky.feed.post/3lbq2xkzq6k2a');
    expect(post.url).toBe('https://bsky.app/profile/mei.dev.example/post/3lbq2xkzq6k2a');
    expect(post.author).toBe('mei.dev.example');
    expect(post.score).toBe(21);
    expect(post.comments).toBe(3);
    expect(post.threadId).toBe(post.externalId);
    expect(post.parentId).toBeNull();
    expect(post.createdAt.toISOString()).toBe('2026-11-25T10:00:00.455Z');
  });

  it('keeps the text literal and appends the external embed title and link', () => {
    expect(postOf(results[0]).body).toBe(
      "Claude Code just refactored 40 files & didn't break the build <script>ok</script>\n\nHow we refactor with agents\n\nhttps://blog.example.com/refactor",
    );
  });

  it('reads microsecond +00:00 timestamps and links a reply to its parent and root', () => {
    const post = postOf(results[1]);
    expect(post.createdAt.toISOString()).toBe('2026-11-25T09:58:00.261Z');
    expect(post.parentId).toBe('at://did:plc:abc123xyz/app.bsky.feed.post/3lbq2xkzq6k2a');
    expect(post.threadId).toBe('at://did:plc:abc123xyz/app.bsky.feed.post/3lbq2root');
  });

  it('orders a future-dated post by when it was indexed', () => {
    const result = results[2];
    expect(result?.kind === 'post' && result.sortAt.toISOString()).toBe('2026-11-25T09:50:00.000Z');
    expect(postOf(result).createdAt.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('drops a post labelled as spam and rejects one without text', () => {
    expect(results[3]).toMatchObject({ kind: 'dropped', reason: 'label spam' });
    expect(results[4]).toMatchObject({
      kind: 'rejected',
      rejection: {
        externalId: 'at://did:plc:bad/app.bsky.feed.post/3lbqbad',
        reason: expect.stringMatching(/^invalid post at record\.text/),
      },
    });
  });
});

describe('parseBlueskyDate', () => {
  it('reads Z, offsets with microseconds, and a missing zone as UTC', () => {
    expect(parseBlueskyDate('2026-01-01T00:00:00.5Z')?.toISOString()).toBe('2026-01-01T00:00:00.500Z');
    expect(parseBlueskyDate('2026-01-01T02:00:00.123456+02:00')?.toISOString()).toBe('2026-01-01T00:00:00.123Z');
    expect(parseBlueskyDate('2026-01-01T00:00:00')?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(parseBlueskyDate('yesterday')).toBeNull();
  });
});

describe('buildPostUrl', () => {
  it('uses the last segment of the at:// uri as the rkey', () => {
    expect(buildPostUrl('a.example', 'at://did:plc:x/app.bsky.feed.post/3abc')).toBe('https://bsky.app/profile/a.example/post/3abc');
  });
});
