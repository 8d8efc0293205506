import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { SourceName, type NormalizedPost } from '../core/post.ts';
import { escapeControls, INT32_MAX, INT32_MIN, storablePost } from '../core/storable.ts';
import { htmlToText } from '../sources/text.ts';
import type { DatabaseKind } from '../db/client.ts';
import type { IngestResult, Ingestor, PreparedBatch } from './ingest.ts';

const ID_LIKE = 'expected a non-empty string of at most 512 characters or a non-negative integer';
const idLike = z
  .union([z.string().trim().min(1, ID_LIKE).max(512, ID_LIKE), z.number().int(ID_LIKE).nonnegative(ID_LIKE)], { error: ID_LIKE })
  .transform(String);
const optionalText = z
  .string()
  .max(10_000)
  .nullish()
  .transform((v) => v ?? null);

/** One line of the import format (docs: interface.md, "Post import format"). */
export const ImportLine = z.object({
  source: SourceName,
  externalId: idLike,
  url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .nullish()
    .transform((v) => v ?? null),
  author: optionalText,
  title: optionalText,
  body: z.string().max(1_000_000),
  createdAt: z.iso
    .datetime({ offset: true, error: 'expected an ISO 8601 date-time such as 2026-03-01T12:00:00Z' })
    .refine((value) => !Number.isNaN(Date.parse(value)), 'not a real date'),
  score: z
    .number()
    .min(INT32_MIN, `at least ${INT32_MIN}`)
    .max(INT32_MAX, `at most ${INT32_MAX}`)
    .nullish()
    .transform((v) => (v === null || v === undefined ? null : Math.round(v))),
  comments: z
    .number()
    .int()
    .nonnegative()
    .max(INT32_MAX, `at most ${INT32_MAX}`)
    .nullish()
    .transform((v) => v ?? null),
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
  /** Lines with bytes that are not UTF-8, stored with U+FFFD in their place. */
  invalidUtf8: number;
  /** What was stored but not as written: invalid UTF-8, by line. */
  warnings: ImportError[];
  /** The createdAt of the oldest and newest line accepted (stored or already stored), as ISO strings; null when none was. */
  oldest: string | null;
  newest: string | null;
}

export const emptyImportSummary = (): ImportSummary => ({
  read: 0,
  stored: 0,
  duplicates: 0,
  rejected: 0,
  errors: [],
  invalidUtf8: 0,
  warnings: [],
  oldest: null,
  newest: null,
});

/** Only the first errors and warnings are kept in full; `rejected` and `invalidUtf8` always count them all. */
export const MAX_REPORTED_ERRORS = 1000;
/**
 * Longest line read. The longest post the format takes (a 1,000,000-character body) fits with room
 * for escapes; a longer line (a file without line breaks, /dev/zero) is skipped, never held.
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;
/** Posts per transaction: fewer, larger commits measured faster up to about this size (bench import). */
const BATCH_SIZE = 2000;

/**
 * Parses one line into a post the database will take (storablePost), or says why it cannot: the
 * message names the field at fault, and quotes of the input come with control characters escaped.
 */
export function parseImportLine(text: string, now = new Date()): { post: NormalizedPost } | { error: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { error: escapeControls(`invalid JSON: ${(error as Error).message}`) };
  }
  const parsed = ImportLine.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.length ? issue.path.join('.') : 'line';
    return { error: escapeControls(`${field}: ${issue?.message ?? 'invalid'}`) };
  }
  const storable = storablePost(toNormalizedPost(parsed.data), now);
  return storable.ok ? { post: storable.value } : { error: escapeControls(storable.reason) };
}

/** One line of input: its text, or null when it was longer than the limit; and whether its bytes were valid UTF-8. */
export interface InputLine {
  number: number;
  text: string | null;
  validUtf8: boolean;
}

/**
 * Splits a byte stream into lines at \n (a \r before it is dropped), holding at most `maxBytes` of
 * one line: a longer line is yielded once, as soon as it is known to be too long, with text null,
 * and the rest of it is skipped. Bytes that are not UTF-8 become U+FFFD and the line says so.
 */
export async function* readLines(input: Readable, maxBytes = MAX_LINE_BYTES): AsyncGenerator<InputLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  let number = 1;
  const take = (): InputLine => {
    let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    parts = [];
    size = 0;
    if (bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, -1);
    // A byte order mark starts some files written on Windows; it is not part of the first post.
    if (number === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    return { number, text: bytes.toString('utf8'), validUtf8: isUtf8(bytes) };
  };
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (;;) {
      const newline = buffer.indexOf(0x0a, start);
      const end = newline === -1 ? buffer.length : newline;
      if (!skipping && size + (end - start) > maxBytes) {
        skipping = true;
        parts = [];
        size = 0;
        yield { number, text: null, validUtf8: true };
      } else if (!skipping && end > start) {
        parts.push(buffer.subarray(start, end));
        size += end - start;
      }
      if (newline === -1) break;
      if (skipping) skipping = false;
      else yield take();
      number++;
      start = newline + 1;
    }
  }
  if (!skipping && size > 0) yield take();
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
  const summary = emptyImportSummary();
  const reject = (line: number, message: string): void => {
    summary.rejected++;
    if (summary.errors.length < MAX_REPORTED_ERRORS) summary.errors.push({ line, message });
  };
  let batch: NormalizedPost[] = [];
  // The line of each post of the batch, by identity: the database may still refuse one.
  let lineOf = new Map<string, number>();
  // Batches are analysed ahead (in worker threads when the ingestor has them) while the oldest
  // prepared batches commit. At most `prepareAhead` + `concurrentCommits` batches are held, so
  // memory stays flat however long the input.
  const preparing: Array<{ prepared: Promise<PreparedBatch>; lineOf: Map<string, number> }> = [];
  const committing: Array<{ result: Promise<IngestResult>; lineOf: Map<string, number> }> = [];
  const settleOldest = async (): Promise<void> => {
    const oldest = committing.shift()!;
    const result = await oldest.result;
    summary.stored += result.stored;
    summary.duplicates += result.duplicates;
    for (const rejected of result.rejected)
      reject(oldest.lineOf.get(`${rejected.source}\u0000${rejected.externalId}`) ?? 0, rejected.reason);
    onProgress?.(summary);
  };
  const commitOldest = async (): Promise<void> => {
    const oldest = preparing.shift()!;
    const prepared = await oldest.prepared;
    while (committing.length >= concurrentCommits) await settleOldest();
    const result = ingestor.commit(prepared);
    // Its failure surfaces when it is settled; until then it must not count as unhandled.
    result.catch(() => undefined);
    committing.push({ result, lineOf: oldest.lineOf });
  };
  const flush = async (): Promise<void> => {
    if (batch.length > 0) {
      const prepared = ingestor.prepare({ posts: batch });
      prepared.catch(() => undefined);
      preparing.push({ prepared, lineOf });
      batch = [];
      lineOf = new Map();
    }
    while (preparing.length > ingestor.prepareAhead) await commitOldest();
  };
  const now = new Date();
  for await (const line of readLines(input)) {
    if (line.text === null) {
      summary.read++;
      reject(line.number, `longer than ${MAX_LINE_BYTES / 1_048_576} MiB (${MAX_LINE_BYTES} bytes); skipped`);
      continue;
    }
    const text = line.text.trim();
    if (text === '') continue;
    summary.read++;
    const parsed = parseImportLine(text, now);
    if ('error' in parsed) {
      reject(line.number, parsed.error);
      continue;
    }
    if (!line.validUtf8) {
      summary.invalidUtf8++;
      if (summary.warnings.length < MAX_REPORTED_ERRORS) {
        summary.warnings.push({ line: line.number, message: 'not valid UTF-8: stored with U+FFFD in place of the bytes that are not' });
      }
    }
    const at = parsed.post.createdAt.toISOString();
    if (summary.oldest === null || at < summary.oldest) summary.oldest = at;
    if (summary.newest === null || at > summary.newest) summary.newest = at;
    batch.push(parsed.post);
    lineOf.set(`${parsed.post.source}\u0000${parsed.post.externalId}`, line.number);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  while (preparing.length > 0) await commitOldest();
  while (committing.length > 0) await settleOldest();
  // Lines the database refused are known only when their batch commits, after later lines were read.
  summary.errors.sort((a, b) => a.line - b.line);
  return summary;
}
