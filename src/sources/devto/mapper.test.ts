import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DevtoArticle } from './api-types.ts';
import { describeForMatching, flattenDevtoComments, mapDevtoArticle, parseDevtoArticle, readTags } from './mapper.ts';
import { listPhrases } from '../terms.ts';
import { compileArticleMatcher } from './terms.ts';

const list = JSON.parse(readFileSync(new URL('./fixtures/articles-latest.json', import.meta.url), 'utf8')) as unknown[];
const single = JSON.parse(readFileSync(new URL('./fixtures/article-single.json', import.meta.url), 'utf8')) as unknown;
const tree = JSON.parse(readFileSync(new URL('./fixtures/comments-tree.json', import.meta.url), 'utf8')) as unknown[];

function articleOf(raw: unknown): DevtoArticle {
  const parsed = parseDevtoArticle(raw);
  if (parsed.kind !== 'article') throw new Error(parsed.rejection.reason);
  return parsed.article;
}

describe('parseDevtoArticle', () => {
  it('rejects an article without a publish date, naming its id', () => {
    expect(parseDevtoArticle(list[3])).toMatchObject({
      kind: 'rejected',
      rejection: { externalId: '2301453', reason: expect.stringMatching(/^published_at:/) },
    });
  });
});

describe('readTags', () => {
  it('reads the array tag_list of the list response and the string tag_list of the single response alike', () => {
    expect(readTags(articleOf(list[0]))).toEqual(['ai', 'claudecode', 'refactoring']);
    expect(readTags(articleOf(single))).toEqual(['ai', 'claudecode', 'refactoring']);
    expect(readTags({ ...articleOf(list[1]), tag_list: undefined, tags: 'css, web' })).toEqual(['css', 'web']);
  });
});

describe('mapDevtoArticle', () => {
  it('maps the full article from body_html: code fenced, script gone, entities decoded', () => {
    const post = mapDevtoArticle(articleOf(single));
    expect(post).toMatchObject({
      source: 'devto',
      externalId: '2301456',
      url: 'https://dev.to/ana_builds/i-let-claude-code-refactor-my-monorepo-4k2j',
      author: 'ana_builds',
      title: "I let Claude Code refactor my monorepo — here's what broke",
      score: 96,
      comments: 18,
      parentId: null,
      threadId: '2301456',
    });
    expect(post.createdAt.toISOString()).toBe('2026-03-02T09:30:00.000Z');
    expect(post.body).toBe('Setup\n\nWe pointed it at the repo & asked for a plan.\n\n```\nclaude --plan\n```\n\nIt mostly worked.');
  });

  it('falls back to Markdown without front matter, then to the description', () => {
    const markdownOnly = mapDevtoArticle({ ...articleOf(single), body_html: null });
    expect(markdownOnly.body).toBe('## Setup\n\nWe pointed it at the repo & asked for a plan.');
    expect(mapDevtoArticle(articleOf(list[2])).body).toBe('Trying the new ollama release on a laptop.');
  });

  it('normalises an offset publish time to UTC', () => {
    expect(mapDevtoArticle(articleOf(list[2])).createdAt.toISOString()).toBe('2026-03-02T09:10:00.000Z');
  });
});

describe('compileArticleMatcher', () => {
  const matches = compileArticleMatcher(
    listPhrases([
      { slug: 'claude-code', phrases: ['Claude Code'] },
      { slug: 'ollama', phrases: ['Ollama'] },
    ]),
  );

  it('matches a phrase in title or description, or its squashed form as a tag', () => {
    const [first, second, third] = list.slice(0, 3).map(articleOf);
    expect(matches(describeForMatching(first!), [])).toBe(true);
    expect(matches('nothing here', readTags(first!))).toBe(true);
    expect(matches(describeForMatching(second!), readTags(second!))).toBe(false);
    expect(matches(describeForMatching(third!), readTags(third!))).toBe(true);
  });

  it('does not match inside other words', () => {
    expect(matches('myollama and claude codes', [])).toBe(false);
  });
});

describe('flattenDevtoComments', () => {
  const article = { externalId: '2301456', title: 'I let Claude Code refactor my monorepo' };
  const items = flattenDevtoComments(tree, article);
  const posts = items.flatMap((item) => (item.kind === 'post' ? [item.post] : []));

  it('walks the tree depth first, each comment under its enclosing comment or the article', () => {
    expect(posts.map((p) => [p.externalId, p.parentId])).toEqual([
      ['2k9f1', '2301456'],
      ['2k9f7', '2k9f1'],
      ['2k9fd', '2k9fc'],
      ['2k9fk', '2k9fj'],
    ]);
    expect(posts.every((p) => p.threadId === '2301456' && p.title === article.title && p.source === 'devto')).toBe(true);
  });

  it('maps author, url from username and id_code, UTC time and decoded plain text', () => {
    expect(posts[0]).toMatchObject({
      author: 'kai_dev',
      url: 'https://dev.to/kai_dev/comment/2k9f1',
      body: 'Did Claude Code keep your `tsconfig` paths? Mine broke & I had to revert.',
      comments: 1,
      score: null,
    });
    expect(posts[1]?.body).toBe('They survived — I pinned them in the plan first.');
    expect(posts[1]?.createdAt.toISOString()).toBe('2026-03-02T09:20:00.000Z');
    expect(posts[2]?.body).toBe('Replying anyway: <3 the plan mode');
  });

  it('drops deleted and hidden placeholders and rejects an unparseable comment by its id_code', () => {
    expect(items.filter((item) => item.kind === 'dropped')).toHaveLength(2);
    expect(posts.some((p) => /\[(deleted|hidden)/.test(p.body))).toBe(false);
    expect(items.filter((item) => item.kind === 'rejected')).toEqual([
      { kind: 'rejected', rejection: { externalId: '2k9fj', reason: expect.stringMatching(/^created_at:/) } },
    ]);
  });

  it('returns nothing for an article without comments', () => {
    expect(flattenDevtoComments([], article)).toEqual([]);
  });
});
