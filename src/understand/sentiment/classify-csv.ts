import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, CsvError } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { loadSentimentModel, type SentimentModel } from './classifier.ts';

const REQUIRED_COLUMNS = ['id', 'text'] as const;

function roundTo4(value: number): number {
  return Math.round(value * 10000) / 10000;
}

function describeCsvError(error: unknown): unknown {
  if (error instanceof CsvError) {
    const line = (error as CsvError & { lines?: number }).lines;
    return new Error(`malformed CSV at line ${line ?? '?'}: ${error.message}`, { cause: error });
  }
  return error;
}

/**
 * `vibecheck sentiment classify FILE`: reads CSV with `id` and `text` columns (others ignored) and
 * streams `id,label,score,confidence` rows in input order.
 */
export async function classifyCsv(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  model: SentimentModel = loadSentimentModel(),
): Promise<{ rows: number }> {
  let rows = 0;
  const parser = parse({
    bom: true,
    columns: (header: string[]) => {
      const names = header.map((name) => name.trim());
      for (const column of REQUIRED_COLUMNS) {
        if (!names.includes(column)) throw new Error(`CSV header is missing the "${column}" column`);
      }
      return names;
    },
  });
  const classify = new Transform({
    objectMode: true,
    transform(record: Record<string, string>, _encoding: BufferEncoding, callback: TransformCallback) {
      const result = model.classify(record.text ?? '');
      rows += 1;
      callback(null, [record.id ?? '', result.label, roundTo4(result.score), roundTo4(result.confidence)]);
    },
  });
  const writer = stringify({ header: true, columns: ['id', 'label', 'score', 'confidence'] });
  try {
    await pipeline(input, parser, classify, writer, output, { end: output !== process.stdout });
  } catch (error) {
    throw describeCsvError(error);
  }
  return { rows };
}
