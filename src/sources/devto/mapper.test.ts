import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DevtoArticle } from './api-types.ts';
import { describeForMatching, mapDevtoArticle, parseDevtoArticle, readTags } from './mapper.ts';
import { listPhrases } from '../terms.ts';
import { compileArticleMatcher } from './terms.ts';

const list = JSON.parse(readFileSync(new URL('./fixtures/articles-latest.json', import.meta.url), 'utf8')) as unknown[];
const single = JSON.parse(readFileSync(new URL('./fixtures/article-single.json', import.meta.url), 'utf8')) as unknown;

function articleOf(raw: unknown): DevtoArticle {
  const parsed = parseDevtoArticle(raw);
  if (parsed.kind !== 'article') throw new Error(parsed.rejection.reason);
  return parsed.article;
}

describe('parseDevtoArticle', () => {
  it('rejects an article without a publish date, naming its id', () => {
    expect(parseDevtoArticle(list[3])).toMatchObject({ kind: 'rejected', rejection: { externalId: '2301453', reason: expect.stringMatching(/^published_at:/) } });
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
  const matches = compileArticleMatcher(listPhrases([{ slug: 'claude-code', phrases: ['Claude Code'] }, { slug: 'ollama', phrases: ['Ollama'] }]));

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
