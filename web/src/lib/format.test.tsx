// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import {
  formatAspect,
  formatChange,
  formatCount,
  formatDate,
  formatPercent,
  formatRelative,
  formatScore,
  formatSource,
  scoreTone,
} from './format.ts';

describe('formatScore', () => {
  it('signs scores with + and a true minus, two decimals', () => {
    expect(formatScore(0.4234)).toBe('+0.42');
    expect(formatScore(-0.125)).toBe('\u22120.13');
    expect(formatScore(1)).toBe('+1.00');
  });

  it('shows a score that rounds to zero without a sign', () => {
    expect(formatScore(0.004)).toBe('0.00');
    expect(formatScore(-0.004)).toBe('0.00');
  });

  it('shows a dash for a missing or non-finite score', () => {
    expect(formatScore(null)).toBe('\u2014');
    expect(formatScore(undefined)).toBe('\u2014');
    expect(formatScore(Number.NaN)).toBe('\u2014');
  });
});

describe('formatChange and formatPercent', () => {
  it('signs a change like a score', () => {
    expect(formatChange(-0.5)).toBe('\u22120.50');
    expect(formatChange(0.08)).toBe('+0.08');
  });

  it('turns a share into a percentage with the asked digits', () => {
    expect(formatPercent(0.1234)).toBe('12%');
    expect(formatPercent(0.1234, 1)).toBe('12.3%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(null)).toBe('\u2014');
  });
});

describe('formatCount', () => {
  it('groups thousands below ten thousand and compacts above', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1234)).toBe('1,234');
    expect(formatCount(12_345)).toBe('12.3k');
    expect(formatCount(120_000)).toBe('120k');
    expect(formatCount(2_500_000)).toBe('2.5M');
  });
});

describe('scoreTone', () => {
  it('calls a score positive or negative only beyond the threshold', () => {
    expect(scoreTone(0.2)).toBe('positive');
    expect(scoreTone(-0.2)).toBe('negative');
    expect(scoreTone(0.01)).toBe('neutral');
    expect(scoreTone(null)).toBe('neutral');
  });
});

describe('dates', () => {
  it('formats a date in UTC so every reader sees the same day', () => {
    expect(formatDate('2026-03-04T23:30:00Z')).toBe('Mar 4, 2026');
  });

  it('says how long ago, then falls back to the date', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    expect(formatRelative('2026-03-10T11:59:30Z', now)).toBe('just now');
    expect(formatRelative('2026-03-10T11:15:00Z', now)).toBe('45 min ago');
    expect(formatRelative('2026-03-10T07:00:00Z', now)).toBe('5 h ago');
    expect(formatRelative('2026-03-07T12:00:00Z', now)).toBe('3 d ago');
    expect(formatRelative('2025-12-01T12:00:00Z', now)).toBe('Dec 1, 2025');
    expect(formatRelative(null, now)).toBe('never');
  });
});

describe('formatSource and formatAspect', () => {
  it('names every collector as people do, and leaves an unknown source as it is', () => {
    expect(
      ['hn', 'reddit', 'devto', 'discourse', 'github', 'stackexchange', 'lobsters', 'bluesky', 'mastodon', 'rss'].map(formatSource),
    ).toEqual(['Hacker News', 'Reddit', 'Dev.to', 'Discourse', 'GitHub', 'Stack Overflow', 'Lobsters', 'Bluesky', 'Mastodon', 'RSS feeds']);
    expect(formatSource('my-forum')).toBe('my-forum');
    expect([formatSource('import'), formatSource('youtube')]).toEqual(['Imported', 'YouTube']);
  });

  it('writes an aspect as words', () => {
    expect(formatAspect('code_quality')).toBe('Code quality');
    expect(formatAspect('context-window')).toBe('Context window');
    expect(formatAspect('speed')).toBe('Speed');
    expect(formatAspect('ux')).toBe('UX');
  });
});
