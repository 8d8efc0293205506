import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapComment, mapStory, parseTimestamp, type LobstersResult } from './mapper.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const stories = fixture('newest.json') as unknown[];
const { comments } = fixture('story-k3xq9a.json') as { comments: unknown[] };

const postOf = (result: LobstersResult | undefined) => {
  if (result?.kind !== 'post') throw new Error(`expected a post, got ${JSON.stringify(result)}`);
  return result.post;
};

describe('mapStory', () => {
  it('maps a link story with its site-local timestamp normalised to UTC', () => {
    const post = postOf(mapStory(stories[0]));
    expect(post.externalId).toBe('k3xq9a');
    expect(post.url).toBe('https://blog.example.org/claude-code-month');
    expect(post.title).toBe('Living with Claude Code for a month & what broke');
    expect(post.author).toBe('tamsin');
    expect(post.createdAt.toISOString()).toBe('2026-11-25T15:44:53.153Z');
    expect(post.score).toBe(42);
    expect(post.comments).toBe(3);
    expect(post.threadId).toBe('k3xq9a');
    expect(post.body).toBe('');
  });

  it('uses the story page for a text post and its description as text without scripts', () => {
    const post = postOf(mapStory(stories[1]));
    expect(post.url).toBe('https://lobste.rs/s/p0w2ze');
    expect(post.body).toBe('I tried Cursor & Zed.');
    expect(post.author).toBe('oldshape');
  });

  it('rejects a story without a title, keeping its id', () => {
    expect(mapStory(stories[3])).toEqual({
      kind: 'rejected',
      rejection: { externalId: 'bad001', reason: expect.stringMatching(/^invalid story at title: /) },
    });
  });
});

describe('mapComment', () => {
  it('maps a top-level comment under its story', () => {
    const post = postOf(mapComment(comments[0], 'k3xq9a'));
    expect(post.externalId).toBe('c:c1aaaa');
    expect(post.parentId).toBe('k3xq9a');
    expect(post.threadId).toBe('k3xq9a');
    expect(post.body).toBe('The permission prompts drove me "nuts".');
    expect(post.createdAt.toISOString()).toBe('2026-11-25T16:02:11.000Z');
    expect(post.url).toBe('https://lobste.rs/c/c1aaaa');
  });

  it('drops deleted and moderated comments instead of keeping their placeholder', () => {
    expect(mapComment(comments[1], 'k3xq9a')).toEqual({ kind: 'dropped', reason: 'deleted' });
    expect(mapComment(comments[2], 'k3xq9a')).toEqual({ kind: 'dropped', reason: 'moderated' });
  });

  it('points a reply at its parent comment', () => {
    const post = postOf(mapComment(comments[3], 'k3xq9a'));
    expect(post.parentId).toBe('c:c1aaaa');
    expect(post.body).toBe('Same. `--yes` helps.');
  });
});

describe('parseTimestamp', () => {
  it('reads offsets and refuses non-ISO text', () => {
    expect(parseTimestamp('2026-01-01T00:00:00+05:30')?.toISOString()).toBe('2025-12-31T18:30:00.000Z');
    expect(parseTimestamp('Nov 25 2026')).toBeNull();
  });
});
