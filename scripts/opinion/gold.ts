import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { GoldPost } from './pipeline-eval.ts';
import { LABELS_DIR, Polarity, isTopLevel, loadPool, readLabelFile, resolveOpinionsDir, type PoolPost } from './pool.ts';

/** The labelled sets opinion is measured on, as posts ready for the pipeline. */

export type Split = 'train' | 'test';

interface SampleEntry {
  id: string;
  round: number;
  split: Split;
}

export function readSample(): SampleEntry[] {
  return (JSON.parse(readFileSync(path.join(LABELS_DIR, 'sample.json'), 'utf8')) as { posts: SampleEntry[] }).posts;
}

export function poolAvailable(): boolean {
  return existsSync(path.join(resolveOpinionsDir(), 'pool/posts.jsonl'));
}

/** A pool post as the pipeline reads it (a comment's thread title is not its words), with its labels. */
export function toGoldPost(post: PoolPost, labels: GoldPost['labels'] = {}): GoldPost {
  return {
    id: post.id,
    source: post.source,
    title: isTopLevel(post) ? post.title : null,
    body: post.body,
    createdAt: post.createdAt,
    labels,
  };
}

/** Our labelled real posts of one split (of the given labelling rounds; default all), their texts read from ../shared. */
export function loadLabelledPool(split: Split, rounds?: readonly number[]): GoldPost[] {
  if (rounds?.length === 0) return [];
  const wanted = new Set(
    readSample()
      .filter((p) => p.split === split && (!rounds || rounds.includes(p.round)))
      .map((p) => p.id),
  );
  const labels = new Map(readLabelFile(path.join(LABELS_DIR, 'labels.jsonl')).map((row) => [row.id, row.labels]));
  return loadPool()
    .filter((post) => wanted.has(post.id) && labels.has(post.id))
    .map((post) => toGoldPost(post, labels.get(post.id)));
}

const ConstructedPost = z.object({
  id: z.string(),
  source: z.string(),
  text: z.string(),
  sentiment: z.record(z.string(), Polarity),
});

/** A constructed set (JSON Lines of {id, source, text, sentiment}); the text goes in as a body. */
export function loadConstructed(file: string): GoldPost[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => ConstructedPost.parse(JSON.parse(line)))
    .map((post) => ({
      id: post.id,
      source: post.source,
      title: null,
      body: post.text,
      createdAt: '2026-06-01T12:00:00Z',
      labels: post.sentiment,
    }));
}
