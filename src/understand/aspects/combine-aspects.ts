import { polarityOf } from './extract-aspects.ts';
import type { AspectFinding, AspectName } from './types.ts';

/**
 * Merges findings from several mentions or tiers into one per aspect: scores are averaged by
 * confidence, the evidence is the most confident finding's, and confidence is the highest seen.
 */
export function combineAspects(lists: readonly (readonly AspectFinding[])[]): AspectFinding[] {
  const byAspect = new Map<AspectName, AspectFinding[]>();
  for (const list of lists) {
    for (const f of list) {
      const group = byAspect.get(f.aspect) ?? [];
      group.push(f);
      byAspect.set(f.aspect, group);
    }
  }
  const combined: AspectFinding[] = [];
  for (const [aspect, group] of byAspect) {
    let weighted = 0;
    let weights = 0;
    let best = group[0];
    for (const f of group) {
      weighted += f.score * Math.max(f.confidence, 0.01);
      weights += Math.max(f.confidence, 0.01);
      if (best && f.confidence > best.confidence) best = f;
    }
    if (!best) continue;
    const score = Math.round((weighted / weights) * 1000) / 1000;
    combined.push({
      aspect,
      polarity: group.length === 1 ? best.polarity : polarityOf(score),
      score,
      confidence: best.confidence,
      evidence: best.evidence,
    });
  }
  return combined.sort((a, b) => b.confidence - a.confidence);
}
