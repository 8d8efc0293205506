import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { NormalizedEvent, NormalizedPost } from '../core/post.ts';
import { clampInteger, escapeControls, storableEvent, storablePost } from '../core/storable.ts';
import { listEntities, type EntityRecord } from '../db/queries/entities.ts';
import type { Executor } from '../db/queries/entities.ts';
import {
  insertAnalysed,
  insertEvents,
  insertPosts,
  saveCursor,
  type AspectRow,
  type EventRow,
  type MentionRow,
  type PostRow,
} from '../db/queries/ingest.ts';
import { insertFlows, type FlowRow } from '../db/queries/flows.ts';
import { writeAroundRefusedRows } from '../db/refused-rows.ts';
import type { DB } from '../db/schema.ts';
import type { LlmAspectTier } from '../understand/aspects/index.ts';
import { flowEntities, mayStateFlow, mentionOccurrences, type LlmFlowTier } from '../understand/flows/index.ts';
import { SENTIMENT_UNSURE_BELOW, type LlmSentimentTier } from '../understand/sentiment/index.ts';
import { createAnalysisPool } from './analysis-pool.ts';
import { createAnalyzer, withEntityIds, type Analysis, type AnalysisInput, type Analyzer } from './analyze.ts';

export interface CursorUpdate {
  source: string;
  queryKey: string;
  value: unknown;
}

export interface IngestBatch {
  posts: NormalizedPost[];
  events?: NormalizedEvent[];
  /** Committed in the same transaction as the posts it covers. */
  cursor?: CursorUpdate;
}

/** A post or event of a batch that was not stored, and why; the rest of its batch was. */
export interface RejectedItem {
  kind: 'post' | 'event';
  source: string;
  externalId: string;
  reason: string;
}

export interface IngestResult {
  /** New posts that count (not a repost of a stored post). */
  stored: number;
  /** Posts already stored under the same (source, external id), or reposts of a stored post. */
  duplicates: number;
  mentions: number;
  events: number;
  /** Posts and events that cannot be stored (storablePost, storableEvent) or that the database refused. */
  rejected: RejectedItem[];
}

/** Normalised text fingerprint: the same words reposted elsewhere hash the same. */
export function hashContent(text: string): string {
  return createHash('sha256').update(text.toLowerCase().replace(/\s+/g, ' ').trim()).digest('hex');
}

/** Points plus replies: how much attention a post drew, for the engagement-weighted score. */
export function engagementOf(post: Pick<NormalizedPost, 'score' | 'comments'>): number {
  return clampInteger((post.score ?? 0) + (post.comments ?? 0), 0) ?? 0;
}

/** The stored rows of one analysed post: a mention per entity, and its aspects. */
export function buildMentionRows(
  postId: number,
  post: NormalizedPost,
  analysis: Analysis,
  modelVersion: string,
): { mentions: MentionRow[]; aspects: AspectRow[] } {
  const engagement = engagementOf(post);
  const mentions: MentionRow[] = [];
  const aspects: AspectRow[] = [];
  for (const m of analysis.mentions) {
    mentions.push({
      postId,
      entityId: m.entityId,
      createdAt: post.createdAt,
      source: post.source,
      direct: m.direct,
      matchedText: m.matchedText,
      start: m.start,
      end: m.end,
      label: m.sentiment.label,
      score: m.sentiment.score,
      confidence: m.sentiment.confidence,
      sentimentTier: m.sentimentTier,
      version: m.version,
      modelVersion,
      engagement,
    });
    for (const a of m.aspects) {
      aspects.push({
        postId,
        entityId: m.entityId,
        createdAt: post.createdAt,
        source: post.source,
        aspect: a.aspect,
        polarity: a.polarity,
        score: a.score,
        confidence: a.confidence,
        evidence: a.evidence.text,
        start: a.evidence.start,
        end: a.evidence.end,
        // The learned model's additions to the rules are told apart from the rules' own findings.
        tier: a.tier ?? m.aspectTier,
      });
    }
  }
  return { mentions, aspects };
}

/** The stored rows of one analysed post's switching flows, with the post's time and source. */
export function buildFlowRows(
  postId: number,
  post: Pick<NormalizedPost, 'createdAt' | 'source'>,
  analysis: Pick<Analysis, 'flows'>,
): FlowRow[] {
  return analysis.flows.map((flow) => ({
    postId,
    fromEntityId: flow.fromEntityId,
    toEntityId: flow.toEntityId,
    kind: flow.kind,
    reason: flow.reason,
    evidence: flow.evidence.text,
    start: flow.evidence.start,
    end: flow.evidence.end,
    confidence: flow.confidence,
    createdAt: post.createdAt,
    source: post.source,
    tier: flow.tier,
  }));
}

export interface Ingestor {
  analyzer: Analyzer;
  /** Finds what is new in the batch and analyses it: CPU work, no writes. */
  prepare(batch: IngestBatch): Promise<PreparedBatch>;
  /** Analyses posts with the local model and rules only (no tiers), in the analysis threads if any. */
  analyzeMany(posts: AnalysisInput[]): Promise<Analysis[]>;
  /** Stores a prepared batch in one transaction. */
  commit(prepared: PreparedBatch): Promise<IngestResult>;
  /** prepare, then commit. */
  ingest(batch: IngestBatch): Promise<IngestResult>;
  /** Batches worth preparing ahead of the one being committed: more when analysis runs in threads. */
  prepareAhead: number;
  /** Stops the analysis threads, if any. */
  close(): Promise<void>;
}

/** The optional LLM tiers ingest reads posts with. Whoever creates an ingestor hands them on whole (ingestTiers). */
export interface IngestTiers {
  aspectTier?: LlmAspectTier | undefined;
  sentimentTier?: LlmSentimentTier | undefined;
  /** Asked about the switching flows of posts that may state one (mayStateFlow). */
  flowTier?: LlmFlowTier | undefined;
}

/** Just the tiers of a runtime, or of options that carry more, to hand on to an ingest. */
export const ingestTiers = ({ aspectTier, sentimentTier, flowTier }: IngestTiers): IngestTiers => ({ aspectTier, sentimentTier, flowTier });

export interface IngestorOptions extends IngestTiers {
  /** The tracked entities, when the caller has just read them. */
  entities?: EntityRecord[];
  /** Worker threads for analysis; 0 (the default) analyses on the calling thread. */
  analysisThreads?: number;
}

export interface PreparedBatch {
  batch: IngestBatch;
  /** The batch's storable posts not stored yet, each with its analysis. */
  analyses: Map<NormalizedPost, Analysis>;
  /** The batch's storable events. */
  events: NormalizedEvent[];
  /** What the edge refused already. */
  rejected: RejectedItem[];
}

/**
 * Stores a batch exactly once: posts by (source, external id), their mentions, aspects and events,
 * the hourly and daily rollups they touch, and the collector's cursor, all in one transaction.
 * A post or event that cannot be stored is rejected alone, with its reason; it never costs the
 * rest of its batch or the cursor.
 */
export async function createIngestor(db: Kysely<DB>, options: IngestorOptions = {}): Promise<Ingestor> {
  const entities = options.entities ?? (await listEntities(db));
  const analyzer = createAnalyzer(entities);
  const pool = options.analysisThreads ? createAnalysisPool(entities, options.analysisThreads) : undefined;
  const analyzeMany = pool
    ? (posts: AnalysisInput[]) => pool.analyzeMany(posts.map(({ title, body, parentId, url }) => ({ title, body, parentId, url })))
    : async (posts: AnalysisInput[]) => posts.map((post) => analyzer.analyze(post));
  const nameOf = new Map(entities.map((e) => [e.slug, e.name]));
  const idOf = new Map(entities.map((e) => [e.slug, e.id]));
  const prepare = async (batch: IngestBatch) => {
    const prepared = await prepareBatch(db, analyzeMany, batch);
    if (options.aspectTier) await refineAspects(options.aspectTier, prepared);
    if (options.sentimentTier) await refineSentiment(options.sentimentTier, prepared, (slug) => nameOf.get(slug) ?? slug);
    if (options.flowTier)
      await refineFlows(
        options.flowTier,
        prepared,
        (slug) => nameOf.get(slug) ?? slug,
        (slug) => idOf.get(slug),
      );
    return prepared;
  };
  const commit = (prepared: PreparedBatch) => commitBatch(db, analyzer, prepared);
  return {
    analyzer,
    prepare,
    analyzeMany,
    commit,
    ingest: async (batch) => commit(await prepare(batch)),
    prepareAhead: pool ? pool.threads + 1 : 1,
    close: async () => pool?.close(),
  };
}

/** Calls to an LLM tier in flight at once. */
export const LLM_CONCURRENCY = 4;

/** Runs `task` over `items`, at most `limit` at a time; a slot is refilled as soon as it frees. */
export async function forEachLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * Asks the optional LLM tier about the mentions the rules were unsure of, or every direct mention
 * when the tier says so (LLM_ASPECTS=every). The tier never throws: on any failure (budget, timeout,
 * garbage) it hands back the rules' findings.
 */
async function refineAspects(tier: LlmAspectTier, prepared: PreparedBatch): Promise<void> {
  const work = [...prepared.analyses.values()].flatMap((analysis) =>
    analysis.mentions.filter((m) => (tier.every ? m.direct : m.aspectsUnsure)).map((mention) => ({ analysis, mention })),
  );
  await forEachLimited(work, LLM_CONCURRENCY, async ({ analysis, mention }) => {
    const refined = await tier.refine(analysis.text, { start: mention.start, end: mention.end }, mention.slug, mention.aspects);
    if (refined.tier !== 'llm') return;
    // Ancestors share the reading of the mention that implied them.
    for (const m of analysis.mentions) {
      if (m.start === mention.start) Object.assign(m, { aspects: refined.findings, aspectTier: 'llm' });
    }
  });
}

/**
 * Asks the optional LLM tier about the direct mentions whose local sentiment is unsure (confidence
 * below SENTIMENT_UNSURE_BELOW), or every direct mention when the tier says so (LLM_SENTIMENT=every).
 * The tier never throws: on any failure the local result stays, with tier 'local'. An ancestor
 * implied at the same place takes the refined reading, as it took the local one.
 */
export async function refineSentiment(
  tier: LlmSentimentTier,
  prepared: PreparedBatch,
  nameOf: (slug: string) => string = (slug) => slug,
): Promise<void> {
  const work = [...prepared.analyses.values()].flatMap((analysis) =>
    analysis.mentions
      .filter((m) => m.direct && (tier.every || m.sentiment.confidence < SENTIMENT_UNSURE_BELOW))
      .map((mention) => ({ analysis, mention })),
  );
  await forEachLimited(work, LLM_CONCURRENCY, async ({ analysis, mention }) => {
    const spans = mention.spans.length > 0 ? mention.spans : [{ start: mention.start, end: mention.end }];
    const refined = await tier.refine(analysis.text, spans, { slug: mention.slug, name: nameOf(mention.slug) }, mention.sentiment);
    if (refined.tier !== 'llm') return;
    for (const m of analysis.mentions) {
      if (m === mention || (!m.direct && m.start === mention.start)) Object.assign(m, { sentiment: refined.result, sentimentTier: 'llm' });
    }
  });
}

/**
 * Asks the optional LLM tier about the flows of the posts that may state one: a directly named
 * tracked entity, and a flow the rules found or a movement cue (mayStateFlow); the rest are never
 * asked, to keep within the daily budget. When the tier answers, its flows (none, possibly) replace
 * the rules' flows of the post, with tier 'llm'; on any failure (budget, timeout, garbage) the
 * rules' flows stay.
 */
export async function refineFlows(
  tier: LlmFlowTier,
  prepared: PreparedBatch,
  nameOf: (slug: string) => string,
  idOf: (slug: string) => number | undefined,
): Promise<void> {
  const work = [...prepared.analyses.values()].flatMap((analysis) => {
    const mentions = mentionOccurrences(analysis.mentions);
    const entities = flowEntities(mentions, nameOf);
    return mayStateFlow(analysis.text, entities.length, analysis.flows.length) ? [{ analysis, mentions, entities }] : [];
  });
  await forEachLimited(work, LLM_CONCURRENCY, async ({ analysis, mentions, entities }) => {
    const refined = await tier.refine(analysis.text, mentions, entities, analysis.flows);
    if (refined.tier === 'llm') analysis.flows = withEntityIds(refined.flows, idOf, 'llm');
  });
}

async function findStored(db: Kysely<DB>, posts: NormalizedPost[]): Promise<Set<string>> {
  if (posts.length === 0) return new Set();
  const rows = await sql<{ source: string; external_id: string }>`
    SELECT p.source, p.external_id FROM posts p
    JOIN unnest(${posts.map((p) => p.source)}::text[], ${posts.map((p) => p.externalId)}::text[]) AS k(source, external_id)
      ON p.source = k.source AND p.external_id = k.external_id`.execute(db);
  return new Set(rows.rows.map((r) => `${r.source}\u0000${r.external_id}`));
}

const keyOf = (post: Pick<NormalizedPost, 'source' | 'externalId'>): string => `${post.source}\u0000${post.externalId}`;

/** The batch's posts and events made storable (storablePost, storableEvent), and those that cannot be. */
function cleanBatch(
  batch: IngestBatch,
  now = new Date(),
): { posts: NormalizedPost[]; events: NormalizedEvent[]; rejected: RejectedItem[] } {
  const posts: NormalizedPost[] = [];
  const events: NormalizedEvent[] = [];
  const rejected: RejectedItem[] = [];
  for (const post of batch.posts) {
    const storable = storablePost(post, now);
    if (storable.ok) posts.push(storable.value);
    else rejected.push({ kind: 'post', source: post.source, externalId: String(post.externalId), reason: storable.reason });
  }
  for (const event of batch.events ?? []) {
    const storable = storableEvent(event, now);
    if (storable.ok) events.push(storable.value);
    else rejected.push({ kind: 'event', source: event.source, externalId: String(event.externalId), reason: storable.reason });
  }
  return { posts, events, rejected };
}

async function prepareBatch(
  db: Kysely<DB>,
  analyzeMany: (posts: AnalysisInput[]) => Promise<Analysis[]>,
  batch: IngestBatch,
): Promise<PreparedBatch> {
  const { posts, events, rejected } = cleanBatch(batch);
  const unique = [...new Map(posts.map((post) => [keyOf(post), post])).values()];
  // Analysis is the expensive part: skip posts a previous run already stored.
  const stored = await findStored(db, unique);
  const fresh = unique.filter((post) => !stored.has(keyOf(post)));
  const analyses = await analyzeMany(fresh);
  return { batch, analyses: new Map(fresh.map((post, i) => [post, analyses[i]!])), events, rejected };
}

const refusal = (error: Error): string => `the database refused it: ${escapeControls(error.message.split('\n')[0] ?? '')}`;

/**
 * Stores posts, their mentions and aspects, and the rollups they touch. Runs inside a savepoint of
 * writeAroundRefusedRows, possibly for a part of the batch: parts written one after another in one
 * transaction store exactly what the whole would have.
 */
async function writePosts(
  trx: Executor,
  analyzer: Analyzer,
  posts: NormalizedPost[],
  analyses: Map<NormalizedPost, Analysis>,
): Promise<{ stored: number; mentions: number }> {
  const rows: PostRow[] = posts.map((post) => {
    const analysis = analyses.get(post)!;
    return {
      ...post,
      contentHash: hashContent(analysis.text),
      label: analysis.post.label,
      sentimentScore: analysis.post.score,
      confidence: analysis.post.confidence,
      modelVersion: analyzer.modelVersion,
    };
  });
  const inserted = await insertPosts(trx, rows);
  const byKey = new Map(posts.map((post) => [keyOf(post), post]));
  const mentions: MentionRow[] = [];
  const aspects: AspectRow[] = [];
  const flows: FlowRow[] = [];
  for (const row of inserted) {
    if (row.duplicateOf !== null) continue;
    const post = byKey.get(keyOf(row))!;
    const rowsOfPost = buildMentionRows(row.id, post, analyses.get(post)!, analyzer.modelVersion);
    mentions.push(...rowsOfPost.mentions);
    aspects.push(...rowsOfPost.aspects);
    flows.push(...buildFlowRows(row.id, post, analyses.get(post)!));
  }
  await insertAnalysed(trx, mentions, aspects);
  await insertFlows(trx, flows);
  return { stored: inserted.filter((r) => r.duplicateOf === null).length, mentions: mentions.length };
}

/**
 * One transaction: the posts, the events, the cursor. Rows the database refuses for their values
 * are found (writeAroundRefusedRows) and reported; the rest of the batch and its cursor are stored.
 */
async function commitBatch(db: Kysely<DB>, analyzer: Analyzer, prepared: PreparedBatch): Promise<IngestResult> {
  const { batch, analyses } = prepared;
  const eventRows: EventRow[] = prepared.events.map((event) => {
    const first = analyzer.analyze({ title: event.title, body: event.body ?? '', parentId: null }).mentions.find((m) => m.direct);
    return { ...event, entityId: first?.entityId ?? null };
  });
  return db.transaction().execute(async (trx) => {
    const rejected = [...prepared.rejected];
    const posts = await writeAroundRefusedRows(trx, [...analyses.keys()], (part) => writePosts(trx, analyzer, part, analyses));
    for (const { item, error } of posts.refused)
      rejected.push({ kind: 'post', source: item.source, externalId: item.externalId, reason: refusal(error) });
    const events = await writeAroundRefusedRows(trx, eventRows, (part) => insertEvents(trx, part));
    for (const { item, error } of events.refused)
      rejected.push({ kind: 'event', source: item.source, externalId: item.externalId, reason: refusal(error) });
    if (batch.cursor) await saveCursor(trx, batch.cursor.source, batch.cursor.queryKey, batch.cursor.value);
    const stored = posts.results.reduce((sum, r) => sum + r.stored, 0);
    const rejectedPosts = rejected.filter((r) => r.kind === 'post').length;
    return {
      stored,
      duplicates: batch.posts.length - stored - rejectedPosts,
      mentions: posts.results.reduce((sum, r) => sum + r.mentions, 0),
      events: events.results.reduce((sum, n) => sum + n, 0),
      rejected,
    };
  });
}
