import { describe, expect, it } from 'vitest';
import {
  buildExplanation,
  buildHeadline,
  computeContribution,
  computeExplanationChange,
  computeSourceContribution,
  contributionBase,
  describeChange,
  EXCERPT_CHARS,
  formatScore,
  makeExcerpt,
  planEventWindows,
  planPostRanking,
  rankAspectMoves,
  rankSourceMoves,
  type ExplainPostRow,
  type ExplanationParts,
} from './explain.ts';
import { compareWindows, EMPTY_SUMS, sumMentions, type MentionSample, type SentimentLabel } from './stats.ts';

const DAY = 86_400_000;
const label = (score: number): SentimentLabel => (score > 0.2 ? 'positive' : score < -0.2 ? 'negative' : 'neutral');
const mentions = (scores: number[]): MentionSample[] => scores.map((score) => ({ score, label: label(score), weight: 1 }));
const week = (start: string) => ({ from: new Date(start), to: new Date(new Date(start).getTime() + 7 * DAY) });

function post(postId: number, score: number, extra: Partial<ExplainPostRow> = {}): ExplainPostRow {
  return {
    postId,
    source: 'hn',
    url: `https://example.test/${postId}`,
    title: null,
    body: `post ${postId}`,
    mentionAt: 0,
    clipped: false,
    createdAt: new Date('2026-03-10T12:00:00Z'),
    label: label(score),
    score,
    engagement: 0,
    aspects: [],
    ...extra,
  };
}

describe('describeChange', () => {
  it("gives the API's change fields from Welch's test on the two windows", () => {
    const current = sumMentions(mentions([-0.5, -0.4, -0.6, -0.2]));
    const previous = sumMentions(mentions([0.5, 0.4, 0.6]));
    const comparison = compareWindows(current, previous);
    expect(describeChange(current, previous)).toEqual({
      previousN: 3,
      previousScore: comparison.previousScore,
      change: comparison.change,
      changeLow: comparison.changeLow,
      changeHigh: comparison.changeHigh,
      significant: true,
    });
  });
});

describe('contributions', () => {
  const window = [-1, -0.8, 0.2, 0.5, 0.1];
  const before = [0.3, 0.5, 0.1, 0.4];

  it('add up to the change of the mean score exactly: (score - previous mean) / n', () => {
    const previous = sumMentions(mentions(before));
    const base = contributionBase('score', previous);
    expect(base).toBeCloseTo(0.325, 12);
    const parts = mentions(window).map((m) => computeContribution('score', m, base, { n: window.length, days: 7 }));
    expect(parts[0]).toBeCloseTo((-1 - 0.325) / 5, 12);
    const change = compareWindows(sumMentions(mentions(window)), previous).change!;
    expect(parts.reduce((a, b) => a + b, 0)).toBeCloseTo(change, 12);
  });

  it('add up to the change of the negative share: ([negative] - previous share) / n', () => {
    const previous = sumMentions(mentions([-0.5, 0.5, 0.5, 0.5]));
    const base = contributionBase('negativeShare', previous);
    expect(base).toBe(0.25);
    const parts = mentions(window).map((m) => computeContribution('negativeShare', m, base, { n: 5, days: 1 }));
    expect(parts).toEqual([0.15, 0.15, -0.05, -0.05, -0.05]);
    expect(parts.reduce((a, b) => a + b, 0)).toBeCloseTo(2 / 5 - 0.25, 12);
  });

  it('measure from 0 when the window before was empty, and give each mention 1/days of the rate for volume', () => {
    expect(contributionBase('score', EMPTY_SUMS)).toBe(0);
    expect(computeContribution('score', { score: -0.5, label: 'negative' }, 0, { n: 2, days: 7 })).toBe(-0.25);
    expect(computeContribution('volume', { score: -0.5, label: 'negative' }, 0, { n: 2, days: 4 })).toBe(0.25);
    expect(computeContribution('score', { score: -0.5, label: 'negative' }, 0, { n: 0, days: 7 })).toBe(0);
  });

  it('per source add up to the change too; for volume each source gives its change in mentions a day', () => {
    const hnNow = sumMentions(mentions([-1, -0.8]));
    const redditNow = sumMentions(mentions([0.2, 0.5, 0.1]));
    const hnBefore = sumMentions(mentions([0.3, 0.5]));
    const redditBefore = sumMentions(mentions([0.1, 0.4]));
    const previous = sumMentions(mentions(before));
    const base = contributionBase('score', previous);
    const sizes = { n: 5, days: 7, previousDays: 7 };
    const hn = computeSourceContribution('score', { current: hnNow, previous: hnBefore }, base, sizes);
    const reddit = computeSourceContribution('score', { current: redditNow, previous: redditBefore }, base, sizes);
    expect(hn + reddit).toBeCloseTo(compareWindows(sumMentions(mentions(window)), previous).change!, 12);
    expect(computeSourceContribution('volume', { current: hnNow, previous: hnBefore }, 0, { n: 5, days: 1, previousDays: 28 })).toBeCloseTo(
      2 - 2 / 28,
      12,
    );
  });
});

describe('planPostRanking', () => {
  it('leads with the posts pushing the way the measure moved and opposes with the others', () => {
    expect(planPostRanking('score', 'down')).toEqual({ lead: 'score-asc', opposing: 'score-desc' });
    expect(planPostRanking('score', 'up')).toEqual({ lead: 'score-desc', opposing: 'score-asc' });
    expect(planPostRanking('score', 'flat')).toEqual({ lead: 'distance', opposing: null });
    expect(planPostRanking('negativeShare', 'up')).toEqual({ lead: 'negative-first', opposing: 'negative-last' });
    expect(planPostRanking('negativeShare', 'down')).toEqual({ lead: 'negative-last', opposing: 'negative-first' });
    expect(planPostRanking('volume', 'down')).toEqual({ lead: 'engagement', opposing: null });
  });
});

describe('rankAspectMoves', () => {
  const aspect = (name: string, now: number[], before: number[]) => ({
    aspect: name,
    current: sumMentions(mentions(now)),
    previous: sumMentions(mentions(before)),
  });

  it('ranks by pull (share x mean polarity, now minus before): a new cluster of complaints beats a mild shift', () => {
    const moves = rankAspectMoves('score', [aspect('speed', [0.3, 0.2], [0.5, 0.4]), aspect('limits', [-0.9, -0.8, -0.9], [])], 10, 10);
    expect(moves.map((m) => m.aspect)).toEqual(['limits', 'speed']);
    expect(moves[0]).toMatchObject({ n: 3, previousN: 0, share: 0.3, previousShare: 0, shareChange: 0.3, previousScore: null });
    expect(moves[0]!.pull).toBeCloseTo(0.3 * (-2.6 / 3), 12);
  });

  it('ranks by the change of share for volume, and keeps at most the limit', () => {
    const moves = rankAspectMoves('volume', [aspect('speed', [0.9], [0.9, 0.9, 0.9]), aspect('pricing', [0, 0, 0, 0, 0], [0])], 10, 10, 1);
    expect(moves.map((m) => m.aspect)).toEqual(['pricing']);
  });

  it('gives null shares for an empty window', () => {
    const [move] = rankAspectMoves('score', [aspect('speed', [], [0.5])], 0, 4);
    expect(move).toMatchObject({ share: null, previousShare: 0.25, shareChange: null, score: null });
  });
});

describe('makeExcerpt', () => {
  it('keeps a short body whole, with its whitespace collapsed', () => {
    expect(makeExcerpt({ body: '  It  works\n\nfine.  ', mentionAt: 0, clipped: false })).toBe('It works fine.');
  });

  it('cuts a long body around the mention on word boundaries, marking both cuts', () => {
    const body = `${'word '.repeat(200)}Cursor broke ${'again '.repeat(100)}`;
    const excerpt = makeExcerpt({ body, mentionAt: body.indexOf('Cursor'), clipped: false });
    expect(excerpt.length).toBeLessThanOrEqual(EXCERPT_CHARS);
    expect(excerpt).toMatch(/^…word word .*Cursor broke again .*again…$/);
  });

  it('starts at the top when the mention is in the title, and marks a stretch that starts mid-body', () => {
    expect(makeExcerpt({ body: 'short', mentionAt: -10, clipped: false })).toBe('short');
    expect(makeExcerpt({ body: 'rest of it', mentionAt: 0, clipped: true })).toBe('…rest of it');
  });
});

describe('formatScore', () => {
  it('signs scores and never prints -0.00', () => {
    expect([0.123, -0.081, -0.001, 0, 1].map(formatScore)).toEqual(['+0.12', '-0.08', '0.00', '0.00', '+1.00']);
  });
});

describe('buildHeadline', () => {
  const windows = { window: week('2026-03-08'), previousWindow: week('2026-03-01') };
  const headline = (
    now: number[],
    before: number[],
    extra: Partial<Parameters<typeof buildHeadline>[0]> = {},
    measure: 'score' | 'volume' = 'score',
  ) => {
    const { window, previousWindow, change } = computeExplanationChange(
      measure,
      windows,
      sumMentions(mentions(now)),
      sumMentions(mentions(before)),
    );
    return buildHeadline({ name: 'Cursor', change, window, previousWindow, sources: [], aspects: [], ...extra });
  };

  it('says a significant fall, the source carrying it and the aspect behind it', () => {
    const sources = rankSourceMoves(
      'score',
      [{ source: 'hn', current: sumMentions(mentions([-0.5, -0.6, -0.4])), previous: sumMentions(mentions([0.2, 0.1, 0.15])) }],
      0.15,
      { n: 3, days: 7, previousDays: 7 },
      { direction: 'down', measureChange: -0.65 },
    );
    const aspects = rankAspectMoves(
      'score',
      [{ aspect: 'rate_limits', current: sumMentions(mentions([-0.8])), previous: EMPTY_SUMS }],
      3,
      3,
    );
    expect(headline([-0.5, -0.6, -0.4], [0.2, 0.1, 0.15], { sources, aspects })).toBe(
      'Cursor: sentiment fell from +0.15 to -0.50 (significant), driven by hn; rate limits complaints up',
    );
  });

  it('names no source or aspect for a move within noise', () => {
    const sources = [{ source: 'hn', n: 3, score: 0.1, ...describeChange(EMPTY_SUMS, EMPTY_SUMS), contribution: 0.03, shareOfChange: 1 }];
    const aspects = rankAspectMoves('score', [{ aspect: 'speed', current: sumMentions(mentions([0.9])), previous: EMPTY_SUMS }], 3, 3);
    expect(headline([0.5, -0.5, 0.3], [0.1, 0.4, -0.3], { sources, aspects })).toBe(
      'Cursor: sentiment rose from +0.07 to +0.10 (within noise)',
    );
  });

  it('says when a move is within noise, too small a sample to judge, or no move', () => {
    expect(headline([0.5, -0.5, 0.3], [0.1, 0.4, -0.3])).toBe('Cursor: sentiment rose from +0.07 to +0.10 (within noise)');
    expect(headline([0.5], [0.1, 0.4])).toBe('Cursor: sentiment rose from +0.25 to +0.50 (too few mentions to judge)');
    expect(headline([0.2, 0.3], [0.3, 0.2])).toBe('Cursor: sentiment steady at +0.25 (within noise)');
    expect(headline([], [0.3])).toBe('Cursor: no mentions in the window (1 before)');
    expect(headline([0.3, 0.4], [])).toBe('Cursor: sentiment +0.35 over 2 mentions, none in the window before');
  });

  it('says mentions a day for volume', () => {
    expect(headline([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0], {}, 'volume')).toBe(
      'Cursor: mentions rose from 1 to 2 a day',
    );
  });
});

describe('planEventWindows', () => {
  const now = new Date('2026-03-20T00:00:00Z');

  it('explains a spike by its bucket against the trailing baseline, by the measure its kind names', () => {
    const planned = planEventWindows(
      { kind: 'spike', occurredAt: new Date('2026-03-10T00:00:00Z'), details: { spikeKind: 'negativity', bucket: 'day', zScore: 5 } },
      now,
      28,
    );
    expect(planned).toEqual({
      measure: 'negativeShare',
      window: { from: new Date('2026-03-10T00:00:00Z'), to: new Date('2026-03-11T00:00:00Z') },
      previousWindow: { from: new Date('2026-02-10T00:00:00Z'), to: new Date('2026-03-10T00:00:00Z') },
      spike: { zScore: 5 },
    });
    const hourly = planEventWindows(
      { kind: 'spike', occurredAt: new Date('2026-03-10T05:00:00Z'), details: { spikeKind: 'volume', bucket: 'hour' } },
      now,
      28,
    );
    expect(hourly.measure).toBe('volume');
    expect(hourly.window.to).toEqual(new Date('2026-03-10T06:00:00Z'));
    expect(hourly.spike).toBeUndefined();
  });

  it('explains a release by the 7 days from it, ending at now when they have not passed, at least an hour', () => {
    const old = planEventWindows({ kind: 'release', occurredAt: new Date('2026-03-01T00:00:00Z'), details: {} }, now, 28);
    expect(old).toEqual({ measure: 'score', window: week('2026-03-01'), previousWindow: week('2026-02-22') });
    const recent = planEventWindows({ kind: 'incident', occurredAt: new Date('2026-03-18T00:00:00Z'), details: {} }, now, 28);
    expect(recent.window.to).toEqual(now);
    const future = planEventWindows({ kind: 'note', occurredAt: new Date('2026-04-01T00:00:00Z'), details: {} }, now, 28);
    expect(future.window.to).toEqual(new Date('2026-04-01T01:00:00Z'));
  });

  it('explains a regression by the days it judged against its baseline days, by mean score; without them, like a release', () => {
    const details = {
      windowFrom: '2026-03-10T00:00:00.000Z',
      windowTo: '2026-03-13T00:00:00.000Z',
      baselineFrom: '2026-02-24T00:00:00.000Z',
    };
    const planned = planEventWindows({ kind: 'regression', occurredAt: new Date('2026-03-10T00:00:00Z'), details }, now, 28);
    expect(planned).toEqual({
      measure: 'score',
      window: { from: new Date('2026-03-10T00:00:00Z'), to: new Date('2026-03-13T00:00:00Z') },
      previousWindow: { from: new Date('2026-02-24T00:00:00Z'), to: new Date('2026-03-10T00:00:00Z') },
    });
    const reversed = planEventWindows(
      {
        kind: 'regression',
        occurredAt: new Date('2026-03-01T00:00:00Z'),
        details: { ...details, baselineFrom: '2026-03-11T00:00:00.000Z' },
      },
      now,
      28,
    );
    expect(reversed).toEqual({ measure: 'score', window: week('2026-03-01'), previousWindow: week('2026-02-22') });
  });
});

describe('buildExplanation', () => {
  const parts = (posts: ExplainPostRow[], opposing: ExplainPostRow[]): ExplanationParts => ({
    entity: { slug: 'cursor', name: 'Cursor' },
    source: null,
    event: null,
    measure: 'score',
    window: week('2026-03-08'),
    previousWindow: week('2026-03-01'),
    sources: [{ source: 'hn', current: sumMentions(mentions([-0.9, -0.8, 0.6])), previous: sumMentions(mentions([0.5, 0.3])) }],
    aspects: [],
    posts,
    opposingPosts: opposing,
    events: [],
  });

  it('lists a ranked post only when it pushes the way its list says', () => {
    const explanation = buildExplanation(parts([post(1, -0.9), post(2, -0.8), post(3, 0.6)], [post(3, 0.6), post(2, -0.8)]));
    expect(explanation.change.direction).toBe('down');
    expect(explanation.posts.map((p) => p.postId)).toEqual([1, 2]);
    expect(explanation.opposingPosts.map((p) => p.postId)).toEqual([3]);
    expect(explanation.posts[0]!.contribution).toBeCloseTo((-0.9 - 0.4) / 3, 12);
    expect(explanation.sources[0]!.shareOfChange).toBeCloseTo(1, 12);
    // JSON all the way: what an outbox or cache stores is what the API sends.
    expect(JSON.parse(JSON.stringify(explanation))).toEqual(explanation);
  });
});
