import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RedditCommentsResponse } from './api-types.ts';
import { flattenRedditComments, mapRedditThing, type RedditMapResult } from './mapper.ts';
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
    expect(child(5)).toMatchObject({
      kind: 'rejected',
      rejection: { externalId: 't3_1j2k3l4', reason: expect.stringMatching(/created_utc/) },
    });
  });

  it('drops a "[removed]" comment body', () => {
    const removed = {
      kind: 't1',
      data: { id: 'a', name: 't1_a', body: '[removed]', created_utc: 1, parent_id: 't3_x', link_id: 't3_x', permalink: '/r/x/' },
    };
    expect(mapRedditThing(removed)).toMatchObject({ kind: 'dropped', reason: 'deleted' });
  });
});

describe('buildRedditQuery', () => {
  it('quotes and ORs a term’s distinct phrases', () => {
    expect(buildRedditQuery({ slug: 'claude-code', phrases: ['Claude Code', 'claude code', 'claude-code'] })).toBe(
      '"claude code" OR "claude-code"',
    );
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

describe('flattenRedditComments', () => {
  const [postListing, commentListing] = RedditCommentsResponse.parse(
    JSON.parse(readFileSync(new URL('./fixtures/comments-tree.json', import.meta.url), 'utf8')),
  );
  const tree = flattenRedditComments(commentListing, 'Zed & Cursor side by side');

  it('parses both listings of a /comments/{id} response', () => {
    expect(postListing.data.children).toHaveLength(1);
    expect(commentListing.data.children).toHaveLength(2);
  });

  it('walks nested replies depth first, even under a deleted comment, with parent and thread ids', () => {
    expect(tree.items.map((r) => (r.kind === 'post' ? r.post.externalId : r.kind === 'dropped' ? r.externalId : 'rejected'))).toEqual([
      't1_c1',
      't1_c2',
      't1_c3',
      't1_c4',
    ]);
    expect(postOf(tree.items[2]!)).toMatchObject({
      externalId: 't1_c3',
      parentId: 't1_c2',
      threadId: 't3_p1',
      url: 'https://www.reddit.com/r/test/comments/p1/zed/c3/',
      author: 'bob',
      title: 'Zed & Cursor side by side',
      comments: null,
    });
    expect(postOf(tree.items[2]!).createdAt.getTime()).toBe(1772445300500);
  });

  it('drops the deleted comment', () => {
    expect(tree.items[1]).toMatchObject({ kind: 'dropped', externalId: 't1_c2', reason: 'deleted' });
  });

  it('skips a "more" stub, counting it and the ids it stands for', () => {
    expect(tree.moreStubs).toBe(1);
    expect(tree.moreIds).toBe(3);
  });

  it('decodes an entity-escaped body and cleans body_html', () => {
    expect(postOf(tree.items[0]!).body).toBe('Zed & its speed won me over');
    expect(postOf(tree.items[2]!).body).toBe('Cursor still wins on completions <3');
  });

  it('keeps the line breaks of a body without body_html', () => {
    const raw = {
      kind: 't1',
      data: { id: 'a', name: 't1_a', body: 'one &lt;b&gt;\n\ntwo', created_utc: 1, parent_id: 't3_x', link_id: 't3_x', permalink: '/r/x/' },
    };
    expect(postOf(mapRedditThing(raw)).body).toBe('one <b>\n\ntwo');
  });
});
