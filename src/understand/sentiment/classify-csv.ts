import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, CsvError } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { Piscina } from 'piscina';
import { ValidationError } from '../../core/errors.ts';
import { loadSentimentModel, type SentimentResult } from './classifier.ts';

const REQUIRED_COLUMNS = ['id', 'text'] as const;

function roundTo4(value: number): number {
  return Math.round(value * 10000) / 10000;
}

function describeCsvError(error: unknown): unknown {
  if (error instanceof CsvError) {
    const line = (error as CsvError & { lines?: number }).lines;
    return new ValidationError(`malformed CSV at line ${line ?? '?'}: ${error.message}`, { cause: error });
  }
  return error;
}

/** Output written in chunks of this size: one write per row took about a quarter of a 100,000-row run. */
const WRITE_CHUNK = 1 << 16;

/**
 * Gathers the small chunks csv-stringify emits (one per row) into writes of about WRITE_CHUNK
 * characters, as C's stdio buffers output that is not a terminal; a terminal gets every row at once.
 */
function bufferedForFiles(output: NodeJS.WritableStream): Transform {
  const interactive = (output as { isTTY?: boolean }).isTTY === true;
  let pending: string[] = [];
  let size = 0;
  const release = (): string => {
    const text = pending.join('');
    pending = [];
    size = 0;
    return text;
  };
  return new Transform({
    transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback) {
      pending.push(String(chunk));
      size += chunk.length;
      callback(null, interactive || size >= WRITE_CHUNK ? release() : undefined);
    },
    flush(callback: TransformCallback) {
      callback(null, size > 0 ? release() : undefined);
    },
  });
}

/** Texts handed to a worker thread at a time. */
const BATCH = 1000;

export interface ClassifyCsvOptions {
  /** Worker threads that classify (0 or left out: the calling thread does). */
  threads?: number;
}

type CsvRecord = Record<string, string>;
type Classifier = { classifyMany(texts: string[]): Promise<SentimentResult[]>; inFlight: number; close(): Promise<void> };

function createClassifier(options: ClassifyCsvOptions): Classifier {
  const threads = options.threads ?? 0;
  if (threads <= 0) {
    const model = loadSentimentModel();
    return { classifyMany: (texts) => Promise.resolve(texts.map((text) => model.classify(text))), inFlight: 1, close: async () => {} };
  }
  const pool = new Piscina({
    filename: new URL('./classify-worker.mjs', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
  });
  return {
    classifyMany: (texts) => pool.run(texts) as Promise<SentimentResult[]>,
    // Enough batches queued to keep every thread busy while the next ones are parsed.
    inFlight: threads * 2,
    close: () => pool.close(),
  };
}

/**
 * `vibecheck sentiment classify FILE`: reads CSV with `id` and `text` columns (others ignored) and
 * streams `id,label,score,confidence` rows in input order. With `threads`, batches of texts are
 * classified in worker threads while this thread parses and writes.
 */
export async function classifyCsv(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  options: ClassifyCsvOptions = {},
): Promise<{ rows: number }> {
  let rows = 0;
  const parser = parse({
    bom: true,
    columns: (header: string[]) => {
      const names = header.map((name) => name.trim());
      for (const column of REQUIRED_COLUMNS) {
        if (!names.includes(column)) throw new ValidationError(`CSV header is missing the "${column}" column`);
      }
      return names;
    },
  });
  const classifier = createClassifier(options);
  async function* classifyRecords(records: AsyncIterable<CsvRecord>): AsyncGenerator<Array<string | number>> {
    const pending: Array<Promise<Array<Array<string | number>>>> = [];
    const submit = (batch: CsvRecord[]): void => {
      const done = classifier
        .classifyMany(batch.map((record) => record.text ?? ''))
        .then((results) =>
          results.map((result, i) => [batch[i]!.id ?? '', result.label, roundTo4(result.score), roundTo4(result.confidence)]),
        );
      // Awaited in order below; this only keeps a later batch's failure from going unhandled meanwhile.
      done.catch(() => {});
      pending.push(done);
    };
    let batch: CsvRecord[] = [];
    for await (const record of records) {
      batch.push(record);
      if (batch.length < BATCH) continue;
      submit(batch);
      batch = [];
      while (pending.length >= classifier.inFlight) {
        for (const row of await pending.shift()!) {
          rows += 1;
          yield row;
        }
      }
    }
    if (batch.length > 0) submit(batch);
    for (const done of pending) {
      for (const row of await done) {
        rows += 1;
        yield row;
      }
    }
  }
  const writer = stringify({ header: true, columns: ['id', 'label', 'score', 'confidence'] });
  try {
    await pipeline(input, parser, classifyRecords, writer, bufferedForFiles(output), output, { end: output !== process.stdout });
  } catch (error) {
    throw describeCsvError(error);
  } finally {
    await classifier.close();
  }
  return { rows };
}
