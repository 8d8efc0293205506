import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatQuestionId, mapQuestion } from './mapper.ts';

const page = JSON.parse(readFileSync(new URL('./fixtures/search-page.json', import.meta.url), 'utf8')) as { items: unknown[] };
const [first, deletedOwner, broken] = page.items;

describe('mapQuestion', () => {
  it('maps a question with decoded title and author, plain-text body and a UTC date', () => {
    const result = mapQuestion(first, 'stackoverflow');
    expect(result.kind).toBe('post');
    if (result.kind !== 'post') return;
    const { post } = result;
    expect(post.externalId).toBe('so:q:79900001');
    expect(post.title).toBe("Why can't Claude Code see my venv?");
    expect(post.author).toBe('Ana & Bo');
    expect(post.url).toBe('https://stackoverflow.com/questions/79900001/why-can-t-claude-code-see-my-venv');
    expect(post.createdAt.toISOString()).toBe('2025-11-26T04:00:00.000Z');
    expect(post.score).toBe(3);
    expect(post.comments).toBe(2);
    expect(post.parentId).toBeNull();
  });

  it('strips scripts, decodes entities and keeps code fenced in the body', () => {
    const result = mapQuestion(first, 'stackoverflow');
    if (result.kind !== 'post') throw new Error('expected a post');
    expect(result.post.body).not.toMatch(/alert|<script/);
    expect(result.post.body).toContain('inside a venv & it ignores it');
    expect(result.post.body).toContain('```\n$ which python\n/usr/bin/python\n```');
  });

  it('gives no author for an owner whose account no longer exists', () => {
    const result = mapQuestion(deletedOwner, 'stackoverflow');
    if (result.kind !== 'post') throw new Error('expected a post');
    expect(result.post.author).toBeNull();
    expect(result.post.title).toBe('Cursor tab completion "slow" on large repos');
    expect(result.post.body).toBe('Completions take > 5 s.');
  });

  it('rejects an item without a link, naming its id and the missing field', () => {
    const result = mapQuestion(broken, 'stackoverflow');
    expect(result).toEqual({
      kind: 'rejected',
      rejection: { externalId: 'so:q:79900003', reason: expect.stringMatching(/^invalid question at link:/) },
    });
  });

  it('rejects a non-object item without an id', () => {
    const result = mapQuestion('oops', 'stackoverflow');
    expect(result.kind === 'rejected' && result.rejection.externalId).toBeNull();
  });
});

describe('formatQuestionId', () => {
  it('uses so for Stack Overflow and the site name elsewhere', () => {
    expect(formatQuestionId('stackoverflow', 5)).toBe('so:q:5');
    expect(formatQuestionId('superuser', 5)).toBe('superuser:q:5');
  });
});
