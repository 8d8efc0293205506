import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapAlgoliaHit, mapFirebaseItem, type HnMapResult } from './mapper.ts';
import { compilePhraseMatcher, listPhrases, quotePhrase } from '../terms.ts';

const hits = JSON.parse(readFileSync(new URL('./fixtures/algolia-hits.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const items = JSON.parse(readFileSync(new URL('./fixtures/firebase-items.json', import.meta.url), 'utf8')) as Record<string, unknown>;

function postOf(result: HnMapResult) {
  if (result.kind !== 'post') throw new Error(`expected a post, got ${result.kind}`);
  return result.post;
}

describe('mapAlgoliaHit', () => {
  it('maps an Ask HN story: decoded title, clean body without script, discussion URL, own id as thread', () => {
    const post = postOf(mapAlgoliaHit(hits.story));
    expect(post).toMatchObject({
      source: 'hn',
      externalId: '47100001',
      url: 'https://news.ycombinator.com/item?id=47100001',
      author: 'quietfox',
      title: 'Ask HN: Is Claude Code worth it for a small team & solo devs?',
      score: 57,
      comments: 31,
      parentId: null,
      threadId: '47100001',
    });
    expect(post.createdAt.toISOString()).toBe('2026-03-02T09:15:07.000Z');
    expect(post.body).toContain("It's fast, but the bill wasn't small.");
    expect(post.body).toContain('notes here');
    expect(post.body).toContain('```\nnpm i -g some-cli\nsome-cli --plan\n```');
    expect(post.body).not.toMatch(/alert|<script|&#x27;/);
  });

  it('keeps the link URL of a link story and leaves its body empty', () => {
    const post = postOf(mapAlgoliaHit(hits.linkStory));
    expect(post.url).toBe('https://example.org/blog/cursor-3');
    expect(post.body).toBe('');
    expect(post.threadId).toBe('47100077');
  });

  it("maps a comment with its story's title, its parent and its thread", () => {
    const post = postOf(mapAlgoliaHit(hits.comment));
    expect(post).toMatchObject({
      externalId: '47100010',
      title: 'Ask HN: Is Claude Code worth it for a small team & solo devs?',
      parentId: '47100002',
      threadId: '47100001',
      score: null,
      comments: null,
      url: 'https://news.ycombinator.com/item?id=47100010',
    });
    expect(post.body).toBe('Honestly Claude Code saved me hours > the "agent" mode is great.\n\nOnly gripe: `--resume` loses context.');
  });

  it('accepts the older index shape with explicit nulls', () => {
    const post = postOf(mapAlgoliaHit(hits.oldStyle));
    expect(post).toMatchObject({ externalId: '27690001', threadId: '27690001', parentId: null, url: 'https://example.net/copilot' });
    expect(post.createdAt.toISOString()).toBe('2021-06-30T18:01:44.000Z');
  });

  it('drops a comment with neither author nor text as deleted', () => {
    expect(mapAlgoliaHit(hits.deletedComment)).toEqual({ kind: 'dropped', externalId: '47100011', reason: 'deleted' });
  });

  it('rejects a hit whose created_at_i is not a number, naming the field and the id', () => {
    const result = mapAlgoliaHit(hits.badTime);
    expect(result.kind).toBe('rejected');
    if (result.kind === 'rejected') {
      expect(result.rejection.externalId).toBe('47100012');
      expect(result.rejection.reason).toMatch(/^created_at_i:/);
    }
  });

  it('rejects something that is not an object at all', () => {
    expect(mapAlgoliaHit('nope')).toMatchObject({ kind: 'rejected', rejection: { externalId: null } });
  });
});

describe('mapFirebaseItem', () => {
  it('maps a link story and an Ask HN story with text', () => {
    expect(postOf(mapFirebaseItem(items.story))).toMatchObject({
      externalId: '47200001',
      url: 'https://example.com/gemini-cli-mcp',
      title: 'Gemini CLI now supports MCP & hooks',
      score: 9,
      comments: 3,
      threadId: '47200001',
    });
    const ask = postOf(mapFirebaseItem(items.askStory));
    expect(ask.body).toBe("Has anyone moved from Cursor to Zed's agent?");
    expect(ask.createdAt.toISOString()).toBe(new Date(1772450060 * 1000).toISOString());
  });

  it('maps a comment to its direct parent', () => {
    expect(postOf(mapFirebaseItem(items.comment))).toMatchObject({ parentId: '47200001', threadId: null, title: null });
  });

  it('drops deleted, dead and job items and a null (missing) item is rejected', () => {
    expect(mapFirebaseItem(items.deleted)).toMatchObject({ kind: 'dropped', reason: 'deleted' });
    expect(mapFirebaseItem(items.dead)).toMatchObject({ kind: 'dropped', reason: 'dead' });
    expect(mapFirebaseItem(items.job)).toMatchObject({ kind: 'dropped', reason: 'type job' });
    expect(mapFirebaseItem(null).kind).toBe('rejected');
  });
});

describe('terms', () => {
  it('lists distinct lowercased phrases across terms', () => {
    expect(
      listPhrases([
        { slug: 'claude-code', phrases: ['Claude Code', 'claude  code', 'claude-code'] },
        { slug: 'cursor', phrases: ['Cursor', ' '] },
      ]),
    ).toEqual(['claude code', 'claude-code', 'cursor']);
  });

  it('quotes a phrase and strips inner quotes', () => {
    expect(quotePhrase('say "hi"')).toBe('"say  hi"');
  });

  it('matches whole words case-insensitively, including phrases ending in symbols', () => {
    const matches = compilePhraseMatcher(['claude code', 'c++', 'zed']);
    expect(matches('I like CLAUDE   code a lot')).toBe(true);
    expect(matches('writing C++ daily')).toBe(true);
    expect(matches('she was amazed')).toBe(false);
    expect(matches('Zed.')).toBe(true);
    expect(compilePhraseMatcher([])('anything')).toBe(false);
  });
});
