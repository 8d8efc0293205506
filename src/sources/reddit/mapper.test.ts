import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapRedditThing, type RedditMapResult } from './mapper.ts';
import { buildRedditQuery, chooseTimeFilter } from './source.ts';

const listing = JSON.parse(readFileSync(new URL('./fixtures/search-listing.json', import.meta.url), 'utf8')) as {
  data: { children: unknown[] };
};
const child = (i: number) => mapRedditThing(listing.data.children[i]);

function postOf(result: RedditMapResult) {
  if (result.kind !== 'post') throw new Error(`expected a post, got ${result.kind}`);
  return result.post;
}

describe('mapRedditThing', () => {
  it('maps a self post from selftext_html: fullname id, permalink URL, created_utc not created', () => {
    const post = postOf(child(0));
    expect(post).toMatchObject({
      source: 'reddit',
      externalId: 't3_1j2k3m9',
      url: 'https://www.reddit.com/r/ChatGPTCoding/comments/1j2k3m9/switched/',
      author: 'fern_and_code',
      title: 'Switched from Cursor to Claude Code & never looked back',
      body: "After 3 months: it's faster for refactors & <tests>.",
      score: 412,
      comments: 187,
      parentId: null,
      threadId: 't3_1j2k3m9',
    });
    expect(post.createdAt.toISOString()).toBe('2026-03-02T10:53:20.000Z');
  });

  it('keeps a link post whose author deleted the account, with no author', () => {
    expect(postOf(child(1))).toMatchObject({ externalId: 't3_1j2k3m8', author: null, body: '' });
  });

  it('drops deleted and removed posts', () => {
    expect(child(2)).toMatchObject({ kind: 'dropped', reason: 'deleted' });
    expect(child(3)).toMatchObject({ kind: 'dropped', reason: 'removed (reddit)' });
  });

  it('maps a comment to its parent, its thread and the thread title', () => {
    const post = postOf(child(4));
    expect(post).toMatchObject({
      externalId: 't1_mq1a2b3',
      parentId: 't3_1j2k3m9',
      threadId: 't3_1j2k3m9',
      title: 'Switched from Cursor to Claude Code & never looked back',
      body: 'Claude Code is great until the rate limit hits.',
      comments: null,
    });
    expect(post.createdAt.getTime()).toBe(1772445000500);
  });

  it('rejects a thing without created_utc, naming it', () => {
    expect(child(5)).toMatchObject({ kind: 'rejected', rejection: { externalId: 't3_1j2k3l4', reason: expect.stringMatching(/created_utc/) } });
  });

  it('drops a "[removed]" comment body', () => {
    const removed = { kind: 't1', data: { id: 'a', name: 't1_a', body: '[removed]', created_utc: 1, parent_id: 't3_x', link_id: 't3_x', permalink: '/r/x/' } };
    expect(mapRedditThing(removed)).toMatchObject({ kind: 'dropped', reason: 'deleted' });
  });
});

describe('buildRedditQuery', () => {
  it('quotes and ORs a term’s distinct phrases', () => {
    expect(buildRedditQuery({ slug: 'claude-code', phrases: ['Claude Code', 'claude code', 'claude-code'] })).toBe('"claude code" OR "claude-code"');
  });

  it('stops adding phrases before the 512-character limit', () => {
    const phrases = Array.from({ length: 60 }, (_, i) => `phrase number ${i}`);
    const query = buildRedditQuery({ slug: 'x', phrases });
    expect(query.length).toBeLessThanOrEqual(512);
    expect(query.startsWith('"phrase number 0" OR "phrase number 1"')).toBe(true);
  });
});

describe('chooseTimeFilter', () => {
  it('picks the narrowest window covering the age, with a margin', () => {
    expect(chooseTimeFilter(600)).toBe('hour');
    expect(chooseTimeFilter(3500)).toBe('day');
    expect(chooseTimeFilter(86_400)).toBe('week');
    expect(chooseTimeFilter(20 * 86_400)).toBe('month');
    expect(chooseTimeFilter(200 * 86_400)).toBe('year');
    expect(chooseTimeFilter(400 * 86_400)).toBe('all');
  });
});
