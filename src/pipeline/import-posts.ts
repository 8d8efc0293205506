import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { SourceName, type NormalizedPost } from '../core/post.ts';
import { htmlToText } from '../sources/text.ts';
import type { DatabaseKind } from '../db/client.ts';
import type { IngestResult, Ingestor, PreparedBatch } from './ingest.ts';

const idLike = z.union([z.string().trim().min(1).max(512), z.number().int().nonnegative()]).transform(String);
const optionalText = z.string().max(10_000).nullish().transform((v) => v ?? null);

/** One line of the import format (docs: interface.md, "Post import format"). */
export const ImportLine = z.object({
  source: SourceName,
  externalId: idLike,
  url: z.url({ protocol: /^https?$/ }).nullish().transform((v) => v ?? null),
  author: optionalText,
  title: optionalText,
  body: z.string().max(1_000_000),
  createdAt: z.iso
    .datetime({ offset: true, error: 'expected an ISO 8601 date-time such as 2026-03-01T12:00:00Z' })
    .refine((value) => !Number.isNaN(Date.parse(value)), 'not a real date'),
  score: z.number().finite().nullish().transform((v) => (v === null || v === undefined ? null : Math.round(v))),
  comments: z.number().int().nonnegative().nullish().transform((v) => v ?? null),
  parentId: idLike.nullish().transform((v) => v ?? null),
  threadId: idLike.nullish().transform((v) => v ?? null),
});
export type ImportLine = z.infer<typeof ImportLine>;

const LOOKS_LIKE_HTML = /<\/?[a-z][^>]*>|&(?:[a-z]+|#\d+|#x[0-9a-f]+);/i;

export function toNormalizedPost(line: ImportLine): NormalizedPost {
  return {
    ...line,
    body: LOOKS_LIKE_HTML.test(line.body) ? htmlToText(line.body) : line.body.trim(),
    title: line.title && LOOKS_LIKE_HTML.test(line.title) ? htmlToText(line.title) : line.title,
    createdAt: new Date(line.createdAt),
  };
}

export interface ImportError {
  line: number;
  message: string;
}

export interface ImportSummary {
  read: number;
  stored: number;
  duplicates: number;
  rejected: number;
  errors: ImportError[];
}

/** Only the first errors are kept in full; `rejected` always counts them all. */
export const MAX_REPORTED_ERRORS = 1000;
/** Posts per transaction: fewer, larger commits measured faster up to about this size (bench import). */
const BATCH_SIZE = 2000;

/** Parses one line; the message names the field at fault. */
export function parseImportLine(text: string): { post: NormalizedPost } | { error: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { error: `invalid JSON: ${(error as Error).message}` };
  }
  const parsed = ImportLine.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.length ? issue.path.join('.') : 'line';
    return { error: `${field}: ${issue?.message ?? 'invalid'}` };
  }
  return { post: toNormalizedPost(parsed.data) };
}

export function openImportInput(file: string): Readable {
  return file === '-' ? process.stdin : createReadStream(file);
}

/**
 * Streams JSON Lines through the same pipeline as collected posts, in batches, so memory stays flat
 * however large the file. Bad lines are reported by number and skipped; the rest is stored.
 */
/** A server writes two batches at once on two connections; the embedded database has one connection. */
export const concurrentCommitsFor = (kind: DatabaseKind): number => (kind === 'server' ? 2 : 1);

export interface ImportOptions {
  batchSize?: number;
  /**
   * Batches committing at once, each in its own transaction; more than one only helps a server,
   * where each has its own connection. Commits start in input order.
   */
  concurrentCommits?: number;
  onProgress?: (summary: ImportSummary) => void;
}

export async function importPosts(input: Readable, ingestor: Ingestor, options: ImportOptions = {}): Promise<ImportSummary> {
  const { batchSize = BATCH_SIZE, concurrentCommits = 1, onProgress } = options;
  const summary: ImportSummary = { read: 0, stored: 0, duplicates: 0, rejected: 0, errors: [] };
  let batch: NormalizedPost[] = [];
  // Batches are analysed ahead (in worker threads when the ingestor has them) while the oldest
  // prepared batches commit. At most `prepareAhead` + `concurrentCommits` batches are held, so
  // memory stays flat however long the input.
  const preparing: Promise<PreparedBatch>[] = [];
  const committing: Promise<IngestResult>[] = [];
  const settleOldest = async (): Promise<void> => {
    const result = await committing.shift()!;
    summary.stored += result.stored;
    summary.duplicates += result.duplicates;
    onProgress?.(summary);
  };
  const commitOldest = async (): Promise<void> => {
    const prepared = await preparing.shift()!;
    while (committing.length >= concurrentCommits) await settleOldest();
    const commit = ingestor.commit(prepared);
    // Its failure surfaces when it is settled; until then it must not count as unhandled.
    commit.catch(() => undefined);
    committing.push(commit);
  };
  const flush = async (): Promise<void> => {
    if (batch.length > 0) {
      const prepared = ingestor.prepare({ posts: batch });
      prepared.catch(() => undefined);
      preparing.push(prepared);
      batch = [];
    }
    while (preparing.length > ingestor.prepareAhead) await commitOldest();
  };
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const raw of lines) {
    lineNumber++;
    const text = raw.trim();
    if (text === '') continue;
    summary.read++;
    const parsed = parseImportLine(text);
    if ('error' in parsed) {
      summary.rejected++;
      if (summary.errors.length < MAX_REPORTED_ERRORS) summary.errors.push({ line: lineNumber, message: parsed.error });
      continue;
    }
    batch.push(parsed.post);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  while (preparing.length > 0) await commitOldest();
  while (committing.length > 0) await settleOldest();
  return summary;
}
