import { describe, expect, it } from 'vitest';
import { evaluateLinking } from './evaluate-linking.ts';

describe('evaluateLinking', () => {
  it('computes micro precision, recall and F1 and lists each error with a snippet', () => {
    const posts = [
      { id: 'a', text: 'Cursor and Zed', entities: ['cursor', 'zed'] },
      { id: 'b', text: 'the cursor blinks', entities: [] },
    ];
    const predict = (text: string) =>
      text.startsWith('Cursor') ? [{ slug: 'cursor', start: 0, end: 6 }] : [{ slug: 'cursor', start: 4, end: 10 }];
    const report = evaluateLinking(posts, predict);
    expect(report.truePositives).toBe(1);
    expect(report.falsePositives).toBe(1);
    expect(report.falseNegatives).toBe(1);
    expect(report.precision).toBeCloseTo(0.5);
    expect(report.recall).toBeCloseTo(0.5);
    expect(report.f1).toBeCloseTo(0.5);
    expect(report.errors).toEqual([
      { id: 'a', slug: 'zed', kind: 'false-negative', snippet: '[[]]Cursor and Zed' },
      { id: 'b', slug: 'cursor', kind: 'false-positive', snippet: 'the [[cursor]] blinks' },
    ]);
    expect(report.perEntity.find((s) => s.slug === 'cursor')).toEqual({
      slug: 'cursor',
      truePositives: 1,
      falsePositives: 1,
      falseNegatives: 0,
    });
  });

  it('counts an empty prediction on an empty label as perfect', () => {
    const report = evaluateLinking([{ id: 'x', text: 'nothing here', entities: [] }], () => []);
    expect([report.precision, report.recall]).toEqual([1, 1]);
  });
});
