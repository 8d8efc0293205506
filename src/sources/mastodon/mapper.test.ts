import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareIds, deriveHashtags, mapStatus, type StatusResult } from './mapper.ts';

const INSTANCE = 'https://mastodon.example';
const statuses = JSON.parse(readFileSync(new URL('./fixtures/tag-timeline.json', import.meta.url), 'utf8')) as unknown[];
const results = statuses.map((s) => mapStatus(s, INSTANCE));

const postOf = (result: StatusResult | undefined) => {
  if (result?.kind !== 'post') throw new Error(`expected a post, got ${JSON.stringify(result)}`);
  return result.post;
};

describe('mapStatus', () => {
  it('maps uri, url, acct and counts', () => {
    const post = postOf(results[0]);
    expect(post.externalId).toBe('https://social.example/users/nadia/statuses/113557712345678901');
    expect(post.url).toBe('https://social.example/@nadia/113557712345678901');
    expect(post.author).toBe('nadia@social.example');
    expect(post.score).toBe(7);
    expect(post.comments).toBe(2);
    expect(post.createdAt.toISOString()).toBe('2026-11-25T14:03:11.000Z');
    expect(post.title).toBeNull();
  });

  it('keeps the invisible parts of a shortened link so the URL is whole, without scripts', () => {
    expect(postOf(results[0]).body).toBe(
      "Shipping with #ClaudeCode & it's fast: https://docs.example.com/agents/getting-started/long-path",
    );
  });

  it('unwraps a boost to the boosted status but pages by the boost id', () => {
    const result = results[1];
    expect(result?.kind === 'post' && result.id).toBe('113557700000000002');
    const post = postOf(result);
    expect(post.externalId).toBe('https://code.example/users/li/statuses/42');
    expect(post.author).toBe('li@code.example');
    expect(post.body).toBe("Cursor's new agent mode broke my `git rebase`.");
    expect(post.parentId).toBe('mastodon.example:113549999999999999');
    expect(post.score).toBe(30);
  });

  it('puts the content warning before the text and qualifies a local acct with the instance', () => {
    const post = postOf(results[2]);
    expect(post.body).toBe('rant about AI tools\n\nThey are fine.');
    expect(post.author).toBe('sam@mastodon.example');
  });

  it('rejects a status whose id is not numeric, naming its uri', () => {
    expect(results[3]).toEqual({
      kind: 'rejected',
      id: null,
      rejection: { externalId: 'https://elsewhere.example/objects/abc', reason: expect.stringMatching(/^invalid status at id/) },
    });
  });
});

describe('deriveHashtags', () => {
  it('lowercases and strips spaces and punctuation, dropping duplicates and all-digit tags', () => {
    expect(deriveHashtags(['Claude Code', 'claude-code', 'GPT-4o', '2025', 'Café IA'])).toEqual(['claudecode', 'gpt4o', 'caféia']);
  });
});

describe('compareIds', () => {
  it('orders ids beyond 2^53 correctly', () => {
    expect(compareIds('113557712345678901', '113557712345678900')).toBe(1);
    expect(compareIds('99', '100')).toBe(-1);
    expect(compareIds('9007199254740993', '9007199254740993')).toBe(0);
  });
});
