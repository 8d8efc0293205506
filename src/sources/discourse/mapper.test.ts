import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapDiscoursePost, type DiscoursePostResult } from './mapper.ts';

const FORUM = 'https://forum.example.com';
const { latest_posts: posts } = JSON.parse(readFileSync(new URL('./fixtures/latest-posts.json', import.meta.url), 'utf8')) as {
  latest_posts: unknown[];
};
const results = posts.map((p) => mapDiscoursePost(p, FORUM));

const postOf = (result: DiscoursePostResult | undefined) => {
  if (result?.kind !== 'post') throw new Error(`expected a post, got ${JSON.stringify(result)}`);
  return result.post;
};

describe('mapDiscoursePost', () => {
  it('maps ids, the post URL, thread and parent within the topic', () => {
    const post = postOf(results[0]);
    expect(post.externalId).toBe('forum.example.com:50210');
    expect(post.url).toBe('https://forum.example.com/t/permission-prompts-every-edit/9911/4');
    expect(post.threadId).toBe('forum.example.com:topic:9911');
    expect(post.parentId).toBe('forum.example.com:topic:9911:2');
    expect(post.author).toBe('priya_n');
    expect(post.title).toBe('Permission prompts & every edit');
    expect(post.createdAt.toISOString()).toBe('2026-11-25T18:42:10.512Z');
  });

  it('counts likes from actions_summary, falling back to like_count', () => {
    expect(postOf(results[0]).score).toBe(3);
    expect(postOf(results[0]).comments).toBe(1);
    expect(postOf(results[5]).score).toBe(1);
  });

  it('turns cooked HTML into text without scripts, emoji images or relative URLs', () => {
    const body = postOf(results[0]).body;
    expect(body).toBe('Claude Code keeps asking to re-approve edits — is that expected?');
    expect(body).not.toMatch(/\/t\/permissions|\/uploads|\/\/forum|alert/);
  });

  it('drops deleted, small-action and hidden posts with the reason', () => {
    expect(results[1]).toEqual({ kind: 'dropped', id: 50209, reason: 'deleted' });
    expect(results[2]).toEqual({ kind: 'dropped', id: 50208, reason: 'post_type 3' });
    expect(results[3]).toEqual({ kind: 'dropped', id: 50207, reason: 'hidden' });
  });

  it('rejects a post without created_at, keeping its id', () => {
    expect(results[4]).toEqual({
      kind: 'rejected',
      rejection: { externalId: 'forum.example.com:50206', reason: expect.stringMatching(/^invalid post at created_at/) },
    });
  });

  it('normalises an offset timestamp to UTC and leaves a top-level post without parent', () => {
    const post = postOf(results[5]);
    expect(post.createdAt.toISOString()).toBe('2026-11-25T16:00:00.000Z');
    expect(post.parentId).toBeNull();
  });

  it('rejects an unparseable date', () => {
    const result = mapDiscoursePost({ id: 1, topic_id: 2, post_number: 1, created_at: 'soon' }, FORUM);
    expect(result).toEqual({ kind: 'rejected', rejection: { externalId: 'forum.example.com:1', reason: 'unparseable created_at "soon"' } });
  });
});
