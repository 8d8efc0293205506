import { readFileSync } from 'node:fs';
import { loadEntityRegistry } from '../../src/pipeline/entities.ts';
import { readLabelFile } from './pool.ts';

/**
 * Checks an annotator's output against its batch: every post once, in order, known slugs only.
 *
 *   tsx scripts/opinion/check-batch.ts BATCH.txt LABELS.jsonl
 */
const [batchFile, labelFile] = process.argv.slice(2);
if (!batchFile || !labelFile) {
  console.error('usage: check-batch.ts BATCH.txt LABELS.jsonl');
  process.exit(2);
}
const expected = [...readFileSync(batchFile, 'utf8').matchAll(/^=== (P\d{6}) /gm)].map((m) => m[1]!);
const slugs = new Set(loadEntityRegistry().entities.map((e) => e.slug));
const problems: string[] = [];
let rows: ReturnType<typeof readLabelFile> = [];
try {
  rows = readLabelFile(labelFile);
} catch (error) {
  problems.push(String(error instanceof Error ? error.message : error));
}
const seen = new Map<string, number>();
for (const row of rows) {
  seen.set(row.id, (seen.get(row.id) ?? 0) + 1);
  for (const slug of Object.keys(row.labels)) if (!slugs.has(slug)) problems.push(`${row.id}: unknown slug "${slug}"`);
}
const missing = expected.filter((id) => !seen.has(id));
const extra = [...seen.keys()].filter((id) => !expected.includes(id));
const repeated = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
if (missing.length) problems.push(`missing ${missing.length}: ${missing.slice(0, 20).join(' ')}`);
if (extra.length) problems.push(`not in the batch: ${extra.join(' ')}`);
if (repeated.length) problems.push(`more than once: ${repeated.join(' ')}`);
if (problems.length === 0 && rows.some((row, i) => row.id !== expected[i])) problems.push('lines are not in the batch order');
if (problems.length) {
  console.log(problems.join('\n'));
  process.exit(1);
}
const pairs = rows.reduce((n, row) => n + Object.keys(row.labels).length, 0);
console.log(`ok: ${rows.length} posts, ${pairs} (post, entity) labels`);
