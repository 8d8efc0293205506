import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cleanMarkdown, mapGithubComment, mapGithubDiscussion, mapGithubIssue, parseIssueThread, type GithubMapResult } from './mapper.ts';
import { quotePhrase } from '../terms.ts';
import { toSearchTime } from './terms.ts';

const search = JSON.parse(readFileSync(new URL('./fixtures/search-issues.json', import.meta.url), 'utf8')) as { items: unknown[] };
const graphql = JSON.parse(readFileSync(new URL('./fixtures/discussions.json', import.meta.url), 'utf8')) as {
  data: { search: { nodes: unknown[] } };
};
const comments = JSON.parse(readFileSync(new URL('./fixtures/issue-comments.json', import.meta.url), 'utf8')) as unknown[];
const PARENT = {
  externalId: 'I_kwDOKx1aBc6xYz01',
  title: 'Claude Code hangs on "compacting" with large repos',
  threadId: 'acme/agent-kit#812',
};

function postOf(result: GithubMapResult | undefined) {
  if (result?.kind !== 'post') throw new Error(`expected a post, got ${result?.kind}`);
  return result.post;
}

describe('mapGithubIssue', () => {
  it('maps an issue: node_id as id, repo#number thread, reactions as score, clean Markdown body', () => {
    const post = postOf(mapGithubIssue(search.items[0]));
    expect(post).toMatchObject({
      source: 'github',
      externalId: 'I_kwDOKx1aBc6xYz01',
      url: 'https://github.com/acme/agent-kit/issues/812',
      author: 'river-otter',
      title: 'Claude Code hangs on "compacting" with large repos',
      score: 9,
      comments: 14,
      parentId: null,
      threadId: 'acme/agent-kit#812',
    });
    expect(post.createdAt.toISOString()).toBe('2026-03-01T22:14:05.000Z');
    expect(post.body).toBe(
      '### Steps\n1. Run `claude` in a repo with 40k files\n2. Wait > 10 minutes\n\nExpected: it & the IDE keep working 🙂',
    );
  });

  it('normalises an offset timestamp to UTC and accepts a ghost author and a null body', () => {
    const post = postOf(mapGithubIssue(search.items[1]));
    expect(post.createdAt.toISOString()).toBe('2026-03-01T19:00:00.000Z');
    expect(post).toMatchObject({ author: null, body: '', score: null, threadId: 'someone/dotfiles#3' });
  });

  it('rejects an item with an unreadable created_at, naming its node id', () => {
    expect(mapGithubIssue(search.items[2])).toMatchObject({
      kind: 'rejected',
      rejection: { externalId: 'I_kwDOAbCdEf5aBcD4', reason: expect.stringMatching(/^created_at:/) },
    });
  });
});

describe('mapGithubDiscussion', () => {
  it('maps a discussion node with upvotes as score', () => {
    const post = postOf(mapGithubDiscussion(graphql.data.search.nodes[0]));
    expect(post).toMatchObject({
      externalId: 'D_kwDOHq9zZs4AXy1b',
      author: 'moss-lantern',
      score: 12,
      comments: 5,
      threadId: 'community/community#77',
      body: 'We burn through them in a week — any tips?',
    });
  });

  it('rejects a node without a url', () => {
    expect(mapGithubDiscussion(graphql.data.search.nodes[1])).toMatchObject({
      kind: 'rejected',
      rejection: { reason: expect.stringMatching(/^url:/) },
    });
  });
});

describe('mapGithubComment', () => {
  it('maps a comment under its issue: node_id as id, issue title and thread, issue as parent, reactions as score', () => {
    const post = postOf(mapGithubComment(comments[0], PARENT));
    expect(post).toMatchObject({
      source: 'github',
      externalId: 'IC_kwDOKx1aBc6hQ9aa',
      url: 'https://github.com/acme/agent-kit/issues/812#issuecomment-2711000001',
      author: 'quiet-heron',
      title: 'Claude Code hangs on "compacting" with large repos',
      score: 4,
      comments: null,
      parentId: 'I_kwDOKx1aBc6xYz01',
      threadId: 'acme/agent-kit#812',
    });
    expect(post.createdAt.toISOString()).toBe('2026-03-02T07:41:19.000Z');
    expect(post.body).toBe('Same here with Claude Code 1.4 — setting `MAX_FILES` helped.\n\nlog\n\nnothing <useful>');
  });

  it('accepts a ghost author, a null body and an offset timestamp', () => {
    const post = postOf(mapGithubComment(comments[1], PARENT));
    expect(post).toMatchObject({ author: null, body: '', score: null, parentId: 'I_kwDOKx1aBc6xYz01' });
    expect(post.createdAt.toISOString()).toBe('2026-03-02T07:00:00.000Z');
  });

  it('rejects a comment with an unreadable created_at, naming its node id', () => {
    expect(mapGithubComment(comments[2], PARENT)).toMatchObject({
      kind: 'rejected',
      rejection: { externalId: 'IC_kwDOKx1aBc6hQ9cc', reason: expect.stringMatching(/^created_at:/) },
    });
  });
});

describe('parseIssueThread', () => {
  it('splits owner/repo#number and refuses any other shape', () => {
    expect(parseIssueThread('acme/agent-kit#812')).toEqual({ repo: 'acme/agent-kit', number: 812 });
    expect(parseIssueThread('https://api.github.com/repos#3')).toBeNull();
    expect(parseIssueThread(null)).toBeNull();
  });
});

describe('cleanMarkdown', () => {
  it('keeps Markdown lines, drops comments, script blocks and tags, decodes numeric and named entities', () => {
    expect(
      cleanMarkdown(
        'a <!-- hidden --> b\n<style>x{}</style>\n<details><summary>Log</summary>\n\n```\nerr &lt;1&gt;\n```\n</details> &#39;q&#39;',
      ),
    ).toBe("a  b\n\nLog\n\n```\nerr <1>\n```\n 'q'");
  });

  it('leaves an unknown named entity as written', () => {
    expect(cleanMarkdown('a &notanentity; b')).toBe('a &notanentity; b');
  });

  it('removes an unterminated script block to the end', () => {
    expect(cleanMarkdown('ok <script>while(1){}')).toBe('ok');
  });
});

describe('search terms', () => {
  it('quotes phrases and formats second-precision UTC times', () => {
    expect(quotePhrase('claude code')).toBe('"claude code"');
    expect(toSearchTime(Date.parse('2026-03-01T10:00:00.999Z') / 1000)).toBe('2026-03-01T10:00:00Z');
  });
});
