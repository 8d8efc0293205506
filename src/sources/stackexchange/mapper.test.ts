import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatAnswerId, formatQuestionId, mapAnswer, mapQuestion, type AnswerParent } from './mapper.ts';

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
    expect(post.threadId).toBe('so:q:79900001');
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

const answers = JSON.parse(readFileSync(new URL('./fixtures/answers-page.json', import.meta.url), 'utf8')) as { items: unknown[] };
const [answer, anonymousAnswer, bodilessAnswer] = answers.items;
const question: AnswerParent = {
  externalId: 'so:q:79900001',
  url: 'https://stackoverflow.com/questions/79900001/why-can-t-claude-code-see-my-venv',
  title: "Why can't Claude Code see my venv?",
};
const parents = new Map([[79900001, question]]);

describe('mapAnswer', () => {
  it('maps an answer under its question: a: id, parent and thread, decoded author, text body, UTC date', () => {
    const result = mapAnswer(answer, 'stackoverflow', parents);
    if (result.kind !== 'post') throw new Error('expected a post');
    expect(result.post).toEqual({
      source: 'stackexchange',
      externalId: 'so:a:79900101',
      url: 'https://stackoverflow.com/a/79900101',
      author: 'Chloé D',
      title: "Why can't Claude Code see my venv?",
      body: 'Claude Code reads `PATH` at start & keeps it.\n\n```\nsource .venv/bin/activate\nclaude\n```',
      createdAt: new Date('2025-11-26T04:20:00.000Z'),
      score: 5,
      comments: null,
      parentId: 'so:q:79900001',
      threadId: 'so:q:79900001',
    });
  });

  it('keeps the link an answer brings and gives no author for a deleted account', () => {
    const result = mapAnswer(anonymousAnswer, 'stackoverflow', parents);
    if (result.kind !== 'post') throw new Error('expected a post');
    expect(result.post.url).toBe('https://stackoverflow.com/questions/79900001/why-can-t-claude-code-see-my-venv/79900102#79900102');
    expect(result.post.author).toBeNull();
  });

  it('rejects an answer without a body, naming its id and the missing field', () => {
    expect(mapAnswer(bodilessAnswer, 'stackoverflow', parents)).toEqual({
      kind: 'rejected',
      rejection: { externalId: 'so:a:79900103', reason: expect.stringMatching(/^invalid answer at body:/) },
    });
  });

  it('rejects an answer to a question that was not asked for', () => {
    expect(mapAnswer(answer, 'stackoverflow', new Map())).toEqual({
      kind: 'rejected',
      rejection: { externalId: 'so:a:79900101', reason: 'answer to question 79900001, which was not asked for' },
    });
  });

  it('uses the site prefix of other sites and no link when the question has none', () => {
    const result = mapAnswer(answer, 'superuser', new Map([[79900001, { ...question, externalId: 'superuser:q:79900001', url: null }]]));
    if (result.kind !== 'post') throw new Error('expected a post');
    expect(result.post.externalId).toBe('superuser:a:79900101');
    expect(result.post.parentId).toBe('superuser:q:79900001');
    expect(result.post.url).toBeNull();
  });
});

describe('formatAnswerId', () => {
  it('uses so for Stack Overflow and the site name elsewhere, with a: for answers', () => {
    expect(formatAnswerId('stackoverflow', 7)).toBe('so:a:7');
    expect(formatAnswerId('askubuntu', 7)).toBe('askubuntu:a:7');
  });
});
