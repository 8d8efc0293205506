import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildMentionCases, evaluateAspects, locateMentions, parseLabelledPosts, readForCase } from './evaluate-aspects.ts';

const DATA = fileURLToPath(new URL('../../../test/data/understand/posts.jsonl', import.meta.url));

/** Slightly under the shipped tier's figures (micro-F1 0.585, polarity accuracy 0.711), so only a regression fails. */
const MICRO_F1_FLOOR = 0.55;
const POLARITY_ACCURACY_FLOOR = 0.66;

describe('aspect first tier (learned model over the rules) on the labelled set', () => {
  it('keeps micro-F1 and polarity accuracy above their floors', () => {
    const { posts, skipped } = parseLabelledPosts(readFileSync(DATA, 'utf8'));
    expect(skipped).toBe(0);
    expect(posts.length).toBeGreaterThanOrEqual(300);
    const result = evaluateAspects(buildMentionCases(posts), readForCase);
    expect(result.micro.f1).toBeGreaterThanOrEqual(MICRO_F1_FLOOR);
    expect(result.micro.polarityAccuracy).toBeGreaterThanOrEqual(POLARITY_ACCURACY_FLOOR);
  });
});

describe('locateMentions', () => {
  it('does not count a name inside a longer name of another entity', () => {
    const found = locateMentions('Claude Code beats Claude.ai for me', ['claude', 'claude-code']);
    expect(found.get('claude-code')).toEqual([{ start: 0, end: 11 }]);
    expect(found.get('claude')).toEqual([{ start: 18, end: 24 }]);
  });
});
