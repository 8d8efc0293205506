import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AspectName, AspectPolarity } from '../../src/understand/aspects/types.ts';
import { loadPool, poolText } from '../opinion/pool.ts';

/** The labels of labels/flows (see labels/flows/ANNOTATION.md): flows, versions and aspects per post. */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FLOW_LABELS_DIR = path.join(REPO, 'labels/flows');

const Slug = z.string().regex(/^[a-z0-9-]+$/);

export const LabelledFlow = z
  .strictObject({
    from: Slug.nullable(),
    to: Slug.nullable(),
    kind: z.enum(['switch', 'return', 'adds']),
    reason: AspectName.nullable(),
    evidence: z.string().min(1),
  })
  .refine((f) => f.from !== null || f.to !== null, 'a flow needs at least one tracked side');
export type LabelledFlow = z.infer<typeof LabelledFlow>;

export const LabelledVersion = z.strictObject({ entity: Slug, version: z.string().regex(/^[a-z0-9][a-z0-9.]*$/) });
export type LabelledVersion = z.infer<typeof LabelledVersion>;

export const FlowPostLabels = z.strictObject({
  id: z.string().regex(/^P\d{6}$/),
  flows: z.array(LabelledFlow),
  versions: z.array(LabelledVersion),
  aspects: z.record(Slug, z.array(z.strictObject({ aspect: AspectName, polarity: AspectPolarity, evidence: z.string().min(1) }))),
});
export type FlowPostLabels = z.infer<typeof FlowPostLabels>;

export interface FlowSampleEntry {
  id: string;
  draw: 'cue' | 'random';
  split: 'dev' | 'test';
  /** The drawing round (scripts/flows/sample-flows.ts); absent for round 1. */
  round?: number;
}

export function readFlowSample(): FlowSampleEntry[] {
  return (JSON.parse(readFileSync(path.join(FLOW_LABELS_DIR, 'sample.json'), 'utf8')) as { posts: FlowSampleEntry[] }).posts;
}

/** Reads a label file; every line is checked, and the errors name the line. */
export function readFlowLabels(file: string): { labels: FlowPostLabels[]; errors: string[] } {
  const labels: FlowPostLabels[] = [];
  const errors: string[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (error) {
        errors.push(`${file}:${i + 1}: not JSON (${(error as Error).message})`);
        return;
      }
      const parsed = FlowPostLabels.safeParse(json);
      if (parsed.success) labels.push(parsed.data);
      else errors.push(`${file}:${i + 1}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    });
  return { labels, errors };
}

/** A labelled post with its drawing entry and its text (read from ../shared). */
export interface FlowPost {
  label: FlowPostLabels;
  entry: FlowSampleEntry;
  source: string;
  text: string;
}

/**
 * The labelled posts of a label file, with their texts; `errors` are the lines that did not parse,
 * `unplaced` counts labels whose post is not in the sample or the pool.
 */
export function loadFlowPosts(file = path.join(FLOW_LABELS_DIR, 'labels.jsonl')): {
  posts: FlowPost[];
  errors: string[];
  unplaced: number;
} {
  const { labels, errors } = readFlowLabels(file);
  const sample = new Map(readFlowSample().map((entry) => [entry.id, entry]));
  const pool = new Map(loadPool().map((post) => [post.id, post]));
  const posts: FlowPost[] = [];
  for (const label of labels) {
    const [entry, post] = [sample.get(label.id), pool.get(label.id)];
    if (entry && post) posts.push({ label, entry, source: post.source, text: poolText(post) });
  }
  return { posts, errors, unplaced: labels.length - posts.length };
}
