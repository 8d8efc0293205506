import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { documentText } from '../../src/pipeline/analyze.ts';
import { loadEntityRegistry } from '../../src/pipeline/entities.ts';
import { parseImportLine } from '../../src/pipeline/import-posts.ts';
import { compileAliasSource } from '../../src/understand/linking/alias-pattern.ts';
import { createLinker, toLinkableEntities } from '../../src/understand/linking/index.ts';
import type { LabelledText } from '../../src/understand/sentiment/dataset.ts';
import type { TextSpan } from '../../src/understand/sentiment/features.ts';
import { LABELS, type SentimentLabel } from '../../src/understand/sentiment/model.ts';
import type { GoldPost } from './pipeline-eval.ts';
import { resolveOpinionsDir } from './pool.ts';

/**
 * Turns labelled posts into targeted training items: one per (post, entity), with the spans the
 * linker finds for that entity (as at run time) and the other linked entities' spans.
 */

const registry = loadEntityRegistry();
const linker = createLinker(toLinkableEntities(registry));
/** Every spelling of each entity, for gold entities the linker missed (they still teach opinion). */
const loosePatterns = new Map(
  registry.entities.map((entity) => {
    const d = entity.disambiguation;
    const surfaces = [
      ...new Set([entity.name, ...entity.aliases, ...d.ambiguousAliases, ...(d.strictAliases ?? []), ...d.caseSensitiveAliases]),
    ];
    return [entity.slug, surfaces.map((s) => new RegExp(`(?<![\\p{L}\\p{N}_])${compileAliasSource(s)}`, 'giu'))] as const;
  }),
);

function looseSpans(text: string, slug: string): TextSpan[] {
  const spans: TextSpan[] = [];
  for (const pattern of loosePatterns.get(slug) ?? []) {
    for (const match of text.matchAll(pattern)) {
      if (!spans.some((s) => match.index < s.end && match.index + match[0].length > s.start))
        spans.push({ start: match.index, end: match.index + match[0].length });
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** The text the pipeline analyses for a gold post (HTML turned to text, title for top-level posts). */
export function pipelineText(post: GoldPost): string {
  const parsed = parseImportLine(
    JSON.stringify({ source: post.source, externalId: post.id, title: post.title, body: post.body, createdAt: post.createdAt }),
  );
  if ('error' in parsed) throw new Error(`${post.id}: ${parsed.error}`);
  return documentText(parsed.post);
}

export interface TargetedItems {
  items: LabelledText[];
  /** Gold pairs with no span to read (the name is not found at all). */
  unplaced: number;
}

export function targetedItems(posts: readonly GoldPost[], weight = 1): TargetedItems {
  const items: LabelledText[] = [];
  let unplaced = 0;
  for (const post of posts) {
    const text = pipelineText(post);
    const linked = linker.link(text).filter((m) => m.direct);
    const spansOf = new Map(linked.map((m) => [m.slug, m.spans]));
    for (const [slug, polarity] of Object.entries(post.labels)) {
      const spans = spansOf.get(slug) ?? looseSpans(text, slug);
      if (spans.length === 0) {
        unplaced += 1;
        continue;
      }
      const others = linked.filter((m) => m.slug !== slug).flatMap((m) => m.spans);
      items.push({ id: `${post.id}:${slug}`, label: LABELS.indexOf(polarity), text, target: { spans, others }, weight, group: post.id });
    }
  }
  return { items, unplaced };
}

/** The public opinion corpora of ../shared/data/opinions/general that carry three-way or two-way polarity. */
export type GeneralCorpus = 'lin2018' | 'dabrowski' | 'sst' | 'tweets' | 'uci' | 'senticr';

const GENERAL_FILES: Record<GeneralCorpus, string[]> = {
  lin2018: ['lin2018_so_java_libraries/data.csv'],
  dabrowski: ['dabrowski_app_review_features/data.csv'],
  sst: ['sst_sentences/train.csv', 'sst_sentences/dev.csv', 'sst_sentences/test.csv'],
  tweets: ['tweet_eval_sentiment/train_semeval2017_4a.csv', 'tweet_eval_sentiment/val.csv', 'tweet_eval_sentiment/test.csv'],
  uci: ['uci_sentiment_labelled_sentences/data.csv'],
  senticr: ['senticr_code_review/data.csv'],
};

/** Rows whose label is one of the three polarities (mixed, no_feature and non-negative rows are left out). */
export function loadGeneral(corpus: GeneralCorpus, weight = 1, dir = resolveOpinionsDir()): LabelledText[] {
  const out: LabelledText[] = [];
  for (const file of GENERAL_FILES[corpus]) {
    const rows = parse(readFileSync(path.join(dir, 'general', file), 'utf8'), { columns: true, skip_empty_lines: true }) as Array<
      Record<string, string>
    >;
    rows.forEach((row, i) => {
      const label = LABELS.indexOf(row.label as SentimentLabel);
      if (label >= 0 && row.text) out.push({ id: `${corpus}:${file}:${i}`, label, text: row.text, weight });
    });
  }
  return out;
}
