import { describe, expect, it } from 'vitest';
import type { NormalizedPost } from '../core/post.ts';
import type { AspectFinding } from '../understand/aspects/index.ts';
import type { Analysis, AnalyzedMention } from './analyze.ts';
import { buildMentionRows } from './ingest.ts';

const post: NormalizedPost = {
  source: 'hn',
  externalId: '1',
  url: null,
  author: null,
  title: null,
  body: 'Cursor is pricey and slow.',
  createdAt: new Date('2026-03-01T12:00:00Z'),
  score: null,
  comments: null,
  parentId: null,
  threadId: null,
};

const finding = (aspect: AspectFinding['aspect'], extra: Partial<AspectFinding> = {}): AspectFinding => ({
  aspect,
  polarity: 'negative',
  score: -0.6,
  confidence: 0.8,
  evidence: { start: 0, end: 6, text: 'Cursor' },
  ...extra,
});

const mention = (aspects: AspectFinding[], aspectTier: AnalyzedMention['aspectTier']): AnalyzedMention => ({
  entityId: 7,
  slug: 'cursor',
  direct: true,
  matchedText: 'Cursor',
  start: 0,
  end: 6,
  spans: [{ start: 0, end: 6 }],
  sentiment: { label: 'negative', score: -0.5, confidence: 0.7 },
  sentimentTier: 'local',
  aspects,
  aspectTier,
  aspectsUnsure: false,
  version: null,
});

const analysis = (m: AnalyzedMention): Analysis => ({
  text: post.body,
  post: { label: 'negative', score: -0.5, confidence: 0.7 },
  mentions: [m],
  flows: [],
});

describe('stored aspect rows', () => {
  it("tell the learned model's additions from the rules' findings", () => {
    const { aspects } = buildMentionRows(1, post, analysis(mention([finding('cost'), finding('speed', { tier: 'model' })], 'rules')), 'v');
    expect(aspects.map((a) => [a.aspect, a.tier])).toEqual([
      ['cost', 'rules'],
      ['speed', 'model'],
    ]);
  });

  it('keep the LLM tier as the tier of what it read', () => {
    const { aspects } = buildMentionRows(1, post, analysis(mention([finding('cost')], 'llm')), 'v');
    expect(aspects.map((a) => a.tier)).toEqual(['llm']);
  });
});
