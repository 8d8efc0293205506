import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readSample } from '../../../scripts/opinion/gold.ts';
import { LABELS_DIR, Polarity, readLabelFile } from '../../../scripts/opinion/pool.ts';
import { loadEntityRegistry } from '../../../src/pipeline/entities.ts';

// The committed label files: well formed, known slugs, and the test split kept apart from training.
const slugs = new Set(loadEntityRegistry().entities.map((e) => e.slug));
const ConstructedPost = z.strictObject({
  id: z.string(),
  source: z.enum(['hn', 'reddit', 'github', 'youtube']),
  text: z.string().min(1),
  sentiment: z.record(z.string(), Polarity),
  tags: z.array(z.string()).optional(),
});
const readConstructed = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => ConstructedPost.parse(JSON.parse(line)));

const constructedTest = readConstructed(path.join(import.meta.dirname, 'constructed-test.jsonl'));
const constructedTrain = readConstructed(path.join(LABELS_DIR, 'constructed-train.jsonl'));

describe('opinion label files', () => {
  it('constructed posts have unique ids and only tracked slugs', () => {
    for (const set of [constructedTest, constructedTrain]) {
      expect(new Set(set.map((p) => p.id)).size).toBe(set.length);
      for (const post of set) for (const slug of Object.keys(post.sentiment)) expect(slugs, `${post.id}: ${slug}`).toContain(slug);
    }
  });

  it('no constructed test text is also a training text', () => {
    const norm = (text: string) => text.toLowerCase().replace(/\W+/g, ' ').trim();
    const train = new Set(constructedTrain.map((p) => norm(p.text)));
    expect(constructedTest.filter((p) => train.has(norm(p.text))).map((p) => p.id)).toEqual([]);
  });

  it('every sampled post is labelled once, with tracked slugs', () => {
    const labels = readLabelFile(path.join(LABELS_DIR, 'labels.jsonl'));
    const sample = readSample();
    expect(new Set(labels.map((row) => row.id)).size).toBe(labels.length);
    expect(labels.map((row) => row.id).sort()).toEqual(sample.map((p) => p.id).sort());
    for (const row of labels) for (const slug of Object.keys(row.labels)) expect(slugs, `${row.id}: ${slug}`).toContain(slug);
  });

  it('the test split comes from the doubly annotated round only, and every pass covers its round', () => {
    const sample = readSample();
    expect(sample.filter((p) => p.split === 'test').every((p) => p.round === 1)).toBe(true);
    const round1 = sample.filter((p) => p.round === 1).map((p) => p.id).sort();
    for (const pass of ['a', 'b']) {
      expect(readLabelFile(path.join(LABELS_DIR, `round1-pass-${pass}.jsonl`)).map((row) => row.id).sort()).toEqual(round1);
    }
  });
});
