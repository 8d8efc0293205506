import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { NormalizedEvent, NormalizedPost } from '../core/post.ts';
import { listEntities, type EntityRecord } from '../db/queries/entities.ts';
import {
  insertAnalysed,
  insertEvents,
  insertPosts,
  saveCursor,
  type AspectRow,
  type MentionRow,
  type PostRow,
} from '../db/queries/ingest.ts';
import type { DB } from '../db/schema.ts';
import type { LlmAspectTier } from '../understand/aspects/index.ts';
import { createAnalysisPool } from './analysis-pool.ts';
import { createAnalyzer, type Analysis, type AnalysisInput, type Analyzer } from './analyze.ts';

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

export interface IngestResult {
  /** New posts that count (not a repost of stored text). */
  stored: number;
  /** Posts already stored under the same (source, external id), or reposts of stored text. */
  duplicates: number;
  mentions: number;
  events: number;
}

/** Normalised text fingerprint: the same words reposted elsewhere hash the same. */
export function hashContent(text: string): string {
  return createHash('sha256').update(text.toLowerCase().replace(/\s+/g, ' ').trim()).digest('hex');
}

/** Points plus replies: how much attention a post drew, for the engagement-weighted score. */
export function engagementOf(post: Pick<NormalizedPost, 'score' | 'comments'>): number {
  return Math.max(0, Math.round((post.score ?? 0) + (post.comments ?? 0)));
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
        tier: m.aspectTier,
      });
    }
  }
  return { mentions, aspects };
}

export interface Ingestor {
  analyzer: Analyzer;
  /** Finds what is new in the batch and analyses it: CPU work, no writes. */
  prepare(batch: IngestBatch): Promise<PreparedBatch>;
  /** Stores a prepared batch in one transaction. */
  commit(prepared: PreparedBatch): Promise<IngestResult>;
  /** prepare, then commit. */
  ingest(batch: IngestBatch): Promise<IngestResult>;
  /** Batches worth preparing ahead of the one being committed: more when analysis runs in threads. */
  prepareAhead: number;
  /** Stops the analysis threads, if any. */
  close(): Promise<void>;
}

export interface IngestorOptions {
  aspectTier?: LlmAspectTier;
  /** The tracked entities, when the caller has just read them. */
  entities?: EntityRecord[];
  /** Worker threads for analysis; 0 (the default) analyses on the calling thread. */
  analysisThreads?: number;
}

export interface PreparedBatch {
  batch: IngestBatch;
  analyses: Map<NormalizedPost, Analysis>;
}

/**
 * Stores a batch exactly once: posts by (source, external id), their mentions, aspects and events,
 * the hourly and daily rollups they touch, and the collector's cursor, all in one transaction.
 */
export async function createIngestor(db: Kysely<DB>, options: IngestorOptions = {}): Promise<Ingestor> {
  const entities = options.entities ?? (await listEntities(db));
  const analyzer = createAnalyzer(entities);
  const pool = options.analysisThreads ? createAnalysisPool(entities, options.analysisThreads) : undefined;
  const analyzeMany = pool
    ? (posts: AnalysisInput[]) => pool.analyzeMany(posts.map(({ title, body, parentId }) => ({ title, body, parentId })))
    : async (posts: AnalysisInput[]) => posts.map((post) => analyzer.analyze(post));
  const prepare = async (batch: IngestBatch) => {
    const prepared = await prepareBatch(db, analyzeMany, batch);
    if (options.aspectTier) await refineUnsureAspects(options.aspectTier, prepared);
    return prepared;
  };
  const commit = (prepared: PreparedBatch) => commitBatch(db, analyzer, prepared);
  return {
    analyzer,
    prepare,
    commit,
    ingest: async (batch) => commit(await prepare(batch)),
    prepareAhead: pool ? pool.threads + 1 : 1,
    close: async () => pool?.close(),
  };
}

/** Calls to the second tier in flight at once. */
const LLM_CONCURRENCY = 4;

/**
 * Asks the optional LLM tier about the mentions the rules were unsure of. The tier never throws:
 * on any failure (budget, timeout, garbage) it hands back the rules' findings.
 */
async function refineUnsureAspects(tier: LlmAspectTier, prepared: PreparedBatch): Promise<void> {
  const work = [...prepared.analyses.values()].flatMap((analysis) =>
    analysis.mentions.filter((m) => m.aspectsUnsure).map((mention) => ({ analysis, mention })),
  );
  for (let i = 0; i < work.length; i += LLM_CONCURRENCY) {
    await Promise.all(
      work.slice(i, i + LLM_CONCURRENCY).map(async ({ analysis, mention }) => {
        const refined = await tier.refine(analysis.text, { start: mention.start, end: mention.end }, mention.slug, mention.aspects);
        if (refined.tier !== 'llm') return;
        // Ancestors share the reading of the mention that implied them.
        for (const m of analysis.mentions) {
          if (m.start === mention.start) Object.assign(m, { aspects: refined.findings, aspectTier: 'llm' });
        }
      }),
    );
  }
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

async function prepareBatch(
  db: Kysely<DB>,
  analyzeMany: (posts: AnalysisInput[]) => Promise<Analysis[]>,
  batch: IngestBatch,
): Promise<PreparedBatch> {
  const unique = [...new Map(batch.posts.map((post) => [keyOf(post), post])).values()];
  // Analysis is the expensive part: skip posts a previous run already stored.
  const stored = await findStored(db, unique);
  const fresh = unique.filter((post) => !stored.has(keyOf(post)));
  const analyses = await analyzeMany(fresh);
  return { batch, analyses: new Map(fresh.map((post, i) => [post, analyses[i]!])) };
}

async function commitBatch(db: Kysely<DB>, analyzer: Analyzer, { batch, analyses }: PreparedBatch): Promise<IngestResult> {
  return db.transaction().execute(async (trx) => {
    const fresh = [...analyses.keys()];
    const rows: PostRow[] = fresh.map((post) => {
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
    const byKey = new Map(fresh.map((post) => [keyOf(post), post]));
    const mentions: MentionRow[] = [];
    const aspects: AspectRow[] = [];
    for (const row of inserted) {
      if (row.duplicateOf !== null) continue;
      const post = byKey.get(keyOf(row))!;
      const rowsOfPost = buildMentionRows(row.id, post, analyses.get(post)!, analyzer.modelVersion);
      mentions.push(...rowsOfPost.mentions);
      aspects.push(...rowsOfPost.aspects);
    }
    await insertAnalysed(trx, mentions, aspects);
    const events = await insertEvents(
      trx,
      (batch.events ?? []).map((event) => {
        const first = analyzer.analyze({ title: event.title, body: event.body ?? '', parentId: null }).mentions.find((m) => m.direct);
        return { ...event, entityId: first?.entityId ?? null };
      }),
    );
    if (batch.cursor) await saveCursor(trx, batch.cursor.source, batch.cursor.queryKey, batch.cursor.value);
    const counted = inserted.filter((r) => r.duplicateOf === null).length;
    return { stored: counted, duplicates: batch.posts.length - counted, mentions: mentions.length, events };
  });
}
