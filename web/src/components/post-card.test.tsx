// @vitest-environment jsdom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { PostItem } from '../api/types.ts';
import { locateMention, PostCard, safeHref } from './post-card.tsx';

afterEach(cleanup);

const post = (over: Partial<PostItem>): PostItem => ({
  source: 'hn',
  externalId: '1',
  url: 'https://news.ycombinator.com/item?id=1',
  createdAt: '2026-03-01T12:00:00Z',
  title: null,
  body: 'I tried Cursor today',
  author: 'someone',
  engagement: 12,
  direct: true,
  label: 'positive',
  score: 0.5,
  confidence: 0.9,
  sentimentTier: 'local',
  matchedText: 'Cursor',
  start: 8,
  end: 14,
  aspects: [],
  ...over,
});

describe('locateMention', () => {
  it('uses body offsets for an untitled post', () => {
    expect(locateMention(post({}))).toEqual({ title: [], body: [{ start: 8, end: 14 }] });
  });

  it('maps offsets of "title\\n\\nbody" to the title or the body', () => {
    const titled = { title: 'Cursor review', body: 'Why I use Cursor', matchedText: 'Cursor' };
    expect(locateMention(post({ ...titled, start: 0, end: 6 }))).toEqual({ title: [{ start: 0, end: 6 }], body: [] });
    expect(locateMention(post({ ...titled, start: 25, end: 31 }))).toEqual({ title: [], body: [{ start: 10, end: 16 }] });
  });

  it('uses body offsets for a titled comment whose offsets count in the body alone', () => {
    expect(locateMention(post({ title: 'Re: tools', body: 'I tried Cursor today' }))).toEqual({ title: [], body: [{ start: 8, end: 14 }] });
  });

  it('falls back to the first occurrence of the matched text when the offsets do not fit', () => {
    expect(locateMention(post({ body: 'cursor is fine', start: 40, end: 46 }))).toEqual({ title: [], body: [{ start: 0, end: 6 }] });
  });
});

describe('safeHref', () => {
  it('keeps http(s) links and refuses javascript: and data: ones', () => {
    expect(safeHref('https://example.com/a')).toBe('https://example.com/a');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,<script>1</script>')).toBeNull();
    expect(safeHref('not a url')).toBeNull();
  });
});

describe('PostCard', () => {
  it('shows a hostile body as text with the mention marked, and no link for a javascript: url', () => {
    const body = 'Cursor <script>window.__xss=1</script>';
    const { container } = render(
      <PostCard post={post({ body, start: 0, end: 6, url: 'javascript:alert(1)' })} onAspect={() => undefined} />,
    );
    expect(container.querySelector('.post-body')!.textContent).toBe(body);
    expect(container.querySelector('mark')!.textContent).toBe('Cursor');
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('a')).toBeNull();
  });

  it("says which reader stored the label, and marks the LLM tier's", () => {
    const local = render(<PostCard post={post({ confidence: 0.734 })} onAspect={() => undefined} />).container.querySelector(
      '.label-chip',
    )!;
    expect(local.getAttribute('title')).toBe('read by the local model, confidence 0.73');
    expect(local.textContent).not.toContain('LLM');
    cleanup();
    const llm = render(
      <PostCard post={post({ sentimentTier: 'llm', confidence: 0.9 })} onAspect={() => undefined} />,
    ).container.querySelector('.label-chip')!;
    expect(llm.getAttribute('title')).toBe('read by the LLM tier, confidence 0.90');
    expect(llm.textContent).toMatch(/· LLM$/);
  });
});
