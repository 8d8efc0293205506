import type { LinkedMention } from '../linking/index.ts';
import type { FlowMention } from './types.ts';

/**
 * Every occurrence of every directly named entity, the way extractFlows reads them. Ancestors the
 * linker implies (anthropic behind "Claude Code") are left out: a flow names the most specific entity.
 */
export function mentionOccurrences(linked: readonly Pick<LinkedMention, 'slug' | 'direct' | 'spans' | 'start' | 'end'>[]): FlowMention[] {
  return linked
    .filter((m) => m.direct)
    .flatMap((m) =>
      (m.spans.length > 0 ? m.spans : [{ start: m.start, end: m.end }]).map((s) => ({ slug: m.slug, start: s.start, end: s.end })),
    )
    .sort((a, b) => a.start - b.start);
}
