import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The unlabelled pool of real posts (../shared/data/opinions/pool) and the labels we made on it
 * (labels/opinion). The texts stay in ../shared: only ids and labels are committed here.
 */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const LABELS_DIR = path.join(REPO, 'labels/opinion');

export function resolveOpinionsDir(): string {
  const override = process.env.OPINIONS_DATA_DIR;
  return override ? path.resolve(override) : path.resolve(REPO, '../shared/data/opinions');
}

const PoolRow = z.object({
  id: z.string(),
  source: z.string(),
  externalId: z.string().nullable(),
  url: z.string().nullable(),
  author: z.string().nullable().optional(),
  createdAt: z.string(),
  title: z.string().nullable(),
  body: z.string(),
  provenance: z.object({ repo: z.string(), kind: z.string(), subreddit: z.string().optional() }).passthrough(),
});
export type PoolPost = z.infer<typeof PoolRow>;

/** Comments carry no title of their own (their thread's title is provenance, not their words). */
export function isTopLevel(post: PoolPost): boolean {
  return post.provenance.kind !== 'comment';
}

/** The text a reader (and the pipeline) sees: a top-level post's title, then its body. */
export function poolText(post: PoolPost): string {
  const title = isTopLevel(post) ? (post.title ?? '').trim() : '';
  const body = post.body.trim();
  if (!title) return body;
  return body ? `${title}\n\n${body}` : title;
}

export function loadPool(dir = resolveOpinionsDir()): PoolPost[] {
  const lines = readFileSync(path.join(dir, 'pool/posts.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  return lines.map((line) => PoolRow.parse(JSON.parse(line)));
}

export const Polarity = z.enum(['positive', 'neutral', 'negative']);
export type Polarity = z.infer<typeof Polarity>;

/** One annotated post: the entities its text refers to, each with the author's polarity toward it. */
export const PostLabels = z.strictObject({
  id: z.string().regex(/^P\d{6}$/),
  labels: z.record(z.string(), Polarity),
});
export type PostLabels = z.infer<typeof PostLabels>;

export function readLabelFile(file: string): PostLabels[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((line, i) => {
      const parsed = PostLabels.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${file}:${i + 1}: ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    });
}
