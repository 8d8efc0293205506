// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Explanation } from '../api/types.ts';
import { eventDayHref, EXPLAINED_POSTS, ExplainedPosts } from './chart-events.tsx';
import { describeBuckets } from './chart-model.ts';
import { BucketTooltip, ChartTable, type LineView } from './chart-parts.tsx';

afterEach(cleanup);

const point = (
  bucketStart: string,
  n: number,
  score: number | null,
  low: number | null,
  high: number | null,
  positive = 0,
  negative = 0,
) => ({
  bucketStart,
  n,
  positive,
  neutral: n - positive - negative,
  negative,
  score,
  scoreLow: low,
  scoreHigh: high,
});

const line = (label: string): LineView => ({
  key: label,
  label,
  color: '#0072b2',
  buckets: describeBuckets(
    [
      point('2026-03-02T00:00:00Z', 40, 0.25, 0.1, 0.4, 20, 6),
      point('2026-03-09T00:00:00Z', 3, -0.4, -1, 0.6, 0, 2),
      point('2026-03-16T00:00:00Z', 0, null, null, null),
    ],
    { from: '2026-03-04T00:00:00Z', to: '2026-03-23T00:00:00Z', bucket: 'week' },
    new Date('2026-04-01T00:00:00Z'),
  ),
});

describe('ChartTable', () => {
  it('lists every bucket with its range, n, mean, interval and counts, flagging few mentions and partial buckets', () => {
    render(<ChartTable lines={[line('Cursor')]} bucket="week" caption="Cursor by week" />);
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]!.textContent).toContain('Mar 2 – Mar 8, 2026');
    expect(rows[0]!.textContent).toContain('the window starts inside this bucket');
    expect(rows[0]!.textContent).toContain('+0.25');
    expect(rows[0]!.textContent).toContain('+0.10 to +0.40');
    expect(rows[0]!.getAttribute('data-low-sample')).toBeNull();
    expect(rows[0]!.getAttribute('data-incomplete')).toBe('starts-before-window');
    expect(rows[1]!.getAttribute('data-low-sample')).toBe('true');
    expect(rows[1]!.textContent).toContain('(few)');
    expect(rows[2]!.textContent).toContain('—');
  });

  it('names the entity of each row when several lines share the table', () => {
    render(<ChartTable lines={[line('Cursor'), line('Claude Code')]} bucket="week" caption="two" />);
    expect(screen.getByRole('columnheader', { name: 'Entity' })).toBeTruthy();
    expect(screen.getAllByRole('row')).toHaveLength(7);
  });
});

describe('BucketTooltip', () => {
  it('shows range, n, mean, interval and the three counts of the hovered bucket', () => {
    render(<BucketTooltip lines={[line('Cursor')]} index={0} bucket="week" left={10} top={10} flip={false} />);
    const tip = screen.getByRole('status');
    expect(tip.textContent).toContain('Mar 2 – Mar 8, 2026');
    expect(tip.textContent).toContain('n = 40');
    expect(tip.textContent).toContain('mean +0.25');
    expect(tip.textContent).toContain('95% interval +0.10 to +0.40');
    expect(tip.textContent).toContain('20 positive · 14 neutral · 6 negative');
  });

  it('says when a bucket has too few mentions to read alone', () => {
    render(<BucketTooltip lines={[line('Cursor')]} index={1} bucket="week" left={10} top={10} flip={false} />);
    expect(screen.getByRole('status').textContent).toContain('few: under 10');
  });
});

describe('event explanations', () => {
  const post = (postId: number, title: string | null, url: string | null, excerpt: string) => ({
    postId,
    source: 'hn',
    url,
    title,
    excerpt,
    createdAt: '2026-03-02T10:00:00Z',
    label: 'negative' as const,
    score: -0.8,
    engagement: 10,
    aspects: [],
    contribution: -0.01,
  });

  it(`lists at most ${EXPLAINED_POSTS} posts, links only http(s) and shows post text as text`, () => {
    const posts = [
      post(1, 'Outage thread', 'https://news.ycombinator.com/item?id=1', 'It is down'),
      post(2, null, 'javascript:alert(1)', '<b>not markup</b>'),
    ];
    for (let i = 3; i <= 7; i++) posts.push(post(i, `Post ${i}`, null, 'text'));
    // Only `posts` is read by the list; the rest of the answer does not matter here.
    const { container } = render(<ExplainedPosts explanation={{ posts } as unknown as Explanation} />);
    const items = container.querySelectorAll('li');
    expect(items).toHaveLength(EXPLAINED_POSTS);
    expect(screen.getByRole('link', { name: 'Outage thread' }).getAttribute('href')).toBe('https://news.ycombinator.com/item?id=1');
    expect(items[1]!.querySelector('a')).toBeNull();
    expect(items[1]!.textContent).toContain('<b>not markup</b>');
    expect(container.querySelector('b')).toBeNull();
    expect(items[0]!.textContent).toContain('negative −0.80 · Hacker News');
  });

  it("links an entity's event to the posts of its UTC day", () => {
    const event = {
      id: 1,
      entity: 'cursor',
      kind: 'spike',
      source: 'spikes',
      externalId: 'x',
      title: 't',
      url: null,
      body: null,
      occurredAt: '2026-03-02T00:00:00Z',
      details: {},
    } as const;
    const href = new URL(eventDayHref({ ...event, details: {} })!, 'http://localhost');
    expect(href.pathname).toBe('/entity/cursor');
    expect(Object.fromEntries(href.searchParams)).toEqual({ range: 'custom', from: '2026-03-02', to: '2026-03-03', bucket: 'hour' });
    expect(eventDayHref({ ...event, entity: null, details: {} })).toBeNull();
  });
});
