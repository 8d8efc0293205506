import { stringify } from 'csv-stringify/sync';
import { planRange, type SeriesWindowInput } from '../../core/series-window.ts';
import type { EntityRecord, Executor } from '../../db/queries/entities.ts';
import { listMentionedPosts, type PostCursor } from '../../db/queries/posts.ts';
import { presentPost } from './posts.ts';
import { buildSentimentSeries } from './series.ts';

/** An export holds at most this many posts (newest first); `postsTruncated` says when more exist. */
export const MAX_EXPORT_POSTS = 10_000;
const PAGE = 1_000;

export async function buildEntityExport(
  db: Executor,
  entity: EntityRecord,
  input: SeriesWindowInput & { source?: string | undefined },
  now = new Date(),
) {
  const { series, events: _events, ...window } = await buildSentimentSeries(db, entity, input, now);
  const { from, to } = planRange(input, now);
  const posts: ReturnType<typeof presentPost>[] = [];
  const read = (after: PostCursor | undefined, limit: number) =>
    listMentionedPosts(db, { entityId: entity.id, from, to, source: input.source, after, limit });
  let after: PostCursor | undefined;
  for (;;) {
    const page = await read(after, Math.min(PAGE, MAX_EXPORT_POSTS - posts.length));
    posts.push(...page.map(presentPost));
    after = page[page.length - 1]?.cursor;
    if (page.length < PAGE || posts.length >= MAX_EXPORT_POSTS || after === undefined) break;
  }
  const truncated = posts.length >= MAX_EXPORT_POSTS && after !== undefined && (await read(after, 1)).length > 0;
  return { ...window, series, posts, postsTruncated: truncated };
}

export type EntityExportData = Awaited<ReturnType<typeof buildEntityExport>>;

const SERIES_COLUMNS = [
  'bucketStart',
  'n',
  'positive',
  'neutral',
  'negative',
  'score',
  'scoreLow',
  'scoreHigh',
  'netSentiment',
  'netSentimentLow',
  'netSentimentHigh',
  'weightedScore',
  'weightedScoreLow',
  'weightedScoreHigh',
] as const;
const POST_COLUMNS = [
  'source',
  'externalId',
  'url',
  'createdAt',
  'author',
  'title',
  'body',
  'engagement',
  'direct',
  'label',
  'score',
  'confidence',
  'sentimentTier',
  'matchedText',
  'start',
  'end',
  'aspects',
] as const;

/**
 * A text cell a spreadsheet would run as a formula (=, +, -, @, tab or carriage return first) gets a
 * leading apostrophe, as OWASP's CSV injection advice says; numbers are written as they are.
 */
export function escapeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * One RFC 4180 table: a `record` column says whether a row is a series bucket or a post; each kind
 * fills its own columns (score is shared) and leaves the others empty. Aspects are `name:polarity` joined by `;`.
 * Scraped text is escaped against formula injection (escapeFormula).
 */
export function toExportCsv(data: EntityExportData): string {
  const columns = ['record', 'entity', ...new Set<string>([...SERIES_COLUMNS, ...POST_COLUMNS])];
  const rows: Array<Record<string, unknown>> = [
    ...data.series.map((point) => ({ record: 'series', entity: data.entity, ...point })),
    ...data.posts.map((post) => ({
      record: 'post',
      entity: data.entity,
      ...post,
      aspects: post.aspects.map((a) => `${a.aspect}:${a.polarity}`).join(';'),
    })),
  ];
  return stringify(rows, { header: true, columns, cast: { boolean: (value) => String(value), string: escapeFormula } });
}
