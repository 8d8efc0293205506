import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { TargetSpans } from './features.ts';
import { LABELS, type SentimentLabel } from './model.ts';

/** Training-time only: the product never reads the labelled data. */
export interface LabelledText {
  id: string;
  label: number;
  text: string;
  /** For a targeted item: the mentions whose sentiment the label gives, and the other entities'. */
  target?: TargetSpans;
  /** Loss weight (default 1). */
  weight?: number;
  /** Items of one group (the same post) always land in the same fold. */
  group?: string;
}

export const DATA_FILES = { stackoverflow: 'stackoverflow-train.csv', github: 'github-train.csv' } as const;
export type DataSetName = keyof typeof DATA_FILES;

export function resolveDataDir(): string {
  const override = process.env.SENTIMENT_DATA_DIR;
  if (override) return path.resolve(override);
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  return path.resolve(repo, '../shared/data/sentiment');
}

export function parseLabelledCsv(content: string): LabelledText[] {
  const records = parse(content, { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  return records.map((record, i) => {
    const label = LABELS.indexOf(record.label as SentimentLabel);
    if (label < 0) throw new Error(`row ${i + 2}: unknown label "${record.label}"`);
    return { id: record.id ?? String(i), label, text: record.text ?? '' };
  });
}

export function loadDataSet(name: DataSetName, dataDir = resolveDataDir()): LabelledText[] {
  return parseLabelledCsv(readFileSync(path.join(dataDir, DATA_FILES[name]), 'utf8'));
}
