import type { NormalizedPost } from '../core/post.ts';
import type { EntityRecord } from '../db/queries/entities.ts';
import { isUnsure, loadAspectModel, readAspects, type AspectFinding } from '../understand/aspects/index.ts';
import { analysisVersion } from './analysis-version.ts';
import { extractFlows, mentionOccurrences, type Flow } from '../understand/flows/index.ts';
import { createLinker } from '../understand/linking/index.ts';
import { extractVersion } from '../understand/versions/index.ts';
import { loadSentimentModel, type SentimentResult, type TextSpan } from '../understand/sentiment/index.ts';

export interface AnalyzedMention {
  entityId: number;
  slug: string;
  direct: boolean;
  matchedText: string;
  start: number;
  end: number;
  /** Every span the sentiment reads as this entity (for an ancestor: its descendants' mentions). */
  spans: TextSpan[];
  sentiment: SentimentResult;
  /** Which tier produced `sentiment`: the local model, or the optional LLM tier. */
  sentimentTier: 'local' | 'llm';
  aspects: AspectFinding[];
  /** Which tier produced `aspects`. */
  aspectTier: 'rules' | 'llm';
  /** The rules tier is unsure here: a candidate for the optional LLM tier. */
  aspectsUnsure: boolean;
  /** The version the post names for this entity ("4.5", "2.0.55"; src/understand/versions), null when none. */
  version: string | null;
}

/** A switching statement (src/understand/flows) with its tracked sides' entity ids. */
export interface AnalyzedFlow extends Flow {
  fromEntityId: number | null;
  toEntityId: number | null;
  /** Which tier read it: the rules, or the optional LLM tier. */
  tier: 'rules' | 'llm';
}

/**
 * Flows with their sides' entity ids, looked up by slug; a flow left with no tracked side (a slug
 * no longer tracked) is dropped.
 */
export function withEntityIds(
  flows: readonly Flow[],
  idOf: (slug: string) => number | undefined,
  tier: AnalyzedFlow['tier'],
): AnalyzedFlow[] {
  return flows.flatMap((flow): AnalyzedFlow[] => {
    const fromEntityId = flow.from === null ? null : (idOf(flow.from) ?? null);
    const toEntityId = flow.to === null ? null : (idOf(flow.to) ?? null);
    return fromEntityId === null && toEntityId === null ? [] : [{ ...flow, fromEntityId, toEntityId, tier }];
  });
}

export interface Analysis {
  /** The text offsets refer to: see documentText. */
  text: string;
  post: SentimentResult;
  mentions: AnalyzedMention[];
  /** Switching statements: "moved from X to Y", "cancelled X", "went back to X", "use Y alongside X". */
  flows: AnalyzedFlow[];
}

/** The parts of a post analysis reads. */
export type AnalysisInput = Pick<NormalizedPost, 'title' | 'body' | 'parentId'> &
  // The url ties an issue's bare "Version:" field to the tool whose tracker the issue is in.
  Partial<Pick<NormalizedPost, 'url'>>;

export interface Analyzer {
  modelVersion: string;
  analyze(post: AnalysisInput): Analysis;
}

/**
 * What a post says: the title counts for top-level posts only, since a comment's title is its
 * thread's, not its own words.
 */
export function documentText(post: AnalysisInput): string {
  return post.title && !post.parentId ? `${post.title}\n\n${post.body}` : post.body;
}

/** Linking, targeted sentiment and aspects for one post, over the entities tracked now. */
export function createAnalyzer(entities: EntityRecord[]): Analyzer {
  const linker = createLinker(entities);
  const bySlug = new Map(entities.map((e) => [e.slug, e]));
  const model = loadSentimentModel();
  const aspectModel = loadAspectModel();
  return {
    modelVersion: analysisVersion(),
    analyze(post) {
      const text = documentText(post);
      const linked = linker.link(text);
      const direct = linked.filter((m) => m.direct);
      // All targets at once, so each is read with the others marked ("X is great but Y crashes").
      const targeted = model.classifyTargeted(
        text,
        direct.map((m) => m.spans),
      );
      const bySpanStart = new Map(direct.map((m, i) => [m.start, i]));
      const othersOf = direct.map((_, i) => direct.flatMap((o, j) => (j === i ? [] : o.spans)));
      const aspectsOf = direct.map((m, i) => readAspects(aspectModel, text, m.spans, othersOf[i]!));
      const unsure = direct.map((m, i) => isUnsure(aspectsOf[i]!, text, m.spans, { otherMentions: othersOf[i]! }));
      const mentions: AnalyzedMention[] = [];
      for (const m of linked) {
        const entity = bySlug.get(m.slug);
        if (entity === undefined) continue;
        // An ancestor carries the span of the mention that implied it, and shares its reading.
        const index = bySpanStart.get(m.start);
        mentions.push({
          entityId: entity.id,
          slug: m.slug,
          direct: m.direct,
          matchedText: m.matchedText,
          start: m.start,
          end: m.end,
          spans: m.spans,
          sentiment: index === undefined ? model.classifyTargeted(text, [m.spans])[0]! : targeted[index]!,
          sentimentTier: 'local',
          aspects: index === undefined ? [] : aspectsOf[index]!,
          aspectTier: 'rules',
          aspectsUnsure: m.direct && index !== undefined && unsure[index]!,
          version: extractVersion(text, { ...m, kind: entity.kind }, { url: post.url }),
        });
      }
      const flows = withEntityIds(extractFlows(text, mentionOccurrences(linked)), (slug) => bySlug.get(slug)?.id, 'rules');
      return { text, post: model.classify(text), mentions, flows };
    },
  };
}
