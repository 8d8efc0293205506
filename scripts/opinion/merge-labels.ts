import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { comparePasses } from './agreement.ts';
import { LABELS_DIR, loadPool, poolText, readLabelFile, type PostLabels } from './pool.ts';

/**
 * Combines the annotation passes of a round.
 *
 *   tsx scripts/opinion/merge-labels.ts passes --round 1 --from DIR [--disputes OUTDIR]
 *     collects DIR/r1-A-*.jsonl and DIR/r1-B-*.jsonl into labels/opinion/round1-pass-{a,b}.jsonl,
 *     prints their agreement, and writes the posts they disagree on (text and both readings) to
 *     OUTDIR/r1-C-NN.txt, batches for the adjudicating pass.
 *   tsx scripts/opinion/merge-labels.ts final --round 1 --from DIR
 *     writes labels/opinion/round1-adjudicated.jsonl from DIR/r1-C-*.jsonl, then rebuilds
 *     labels/opinion/labels.jsonl: agreed posts keep the shared labels, disputed ones take the
 *     adjudicated labels, and posts only the first pass read keep its labels.
 *   tsx scripts/opinion/merge-labels.ts single --round 2 --from DIR
 *     for a round labelled by one pass: writes labels/opinion/round2-pass-a.jsonl and puts its
 *     posts into labels/opinion/labels.jsonl as they are.
 */

const [command] = process.argv.slice(2);
const argValue = (flag: string): string | undefined => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const round = Number(argValue('--round') ?? '1');
const from = argValue('--from');

function collect(dir: string, pass: string): Map<string, PostLabels> {
  const prefix = `r${round}-${pass}-`;
  const files = readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.jsonl'))
    .sort();
  const rows = new Map<string, PostLabels>();
  for (const file of files) {
    for (const row of readLabelFile(path.join(dir, file))) {
      if (rows.has(row.id)) throw new Error(`${file}: ${row.id} labelled twice in pass ${pass}`);
      rows.set(row.id, row);
    }
  }
  return rows;
}

function sortLabels(row: PostLabels): PostLabels {
  return { id: row.id, labels: Object.fromEntries(Object.entries(row.labels).sort(([a], [b]) => a.localeCompare(b))) };
}

function writeRows(file: string, rows: Iterable<PostLabels>): void {
  const sorted = [...rows].map(sortLabels).sort((a, b) => a.id.localeCompare(b.id));
  writeFileSync(file, sorted.map((row) => JSON.stringify(row)).join('\n') + '\n');
}

function readRows(file: string): Map<string, PostLabels> {
  return new Map(readLabelFile(file).map((row) => [row.id, row]));
}

const passFile = (pass: string): string => path.join(LABELS_DIR, `round${round}-pass-${pass}.jsonl`);
const adjudicatedFile = path.join(LABELS_DIR, `round${round}-adjudicated.jsonl`);
const sampleIds = (): string[] =>
  (JSON.parse(readFileSync(path.join(LABELS_DIR, 'sample.json'), 'utf8')) as { posts: Array<{ id: string; round: number }> }).posts
    .filter((p) => p.round === round)
    .map((p) => p.id);

function describe(label: PostLabels['labels']): string {
  const entries = Object.entries(label);
  return entries.length ? entries.map(([slug, polarity]) => `${slug} ${polarity}`).join(', ') : '(no tracked entity)';
}

if (command === 'passes') {
  if (!from) throw new Error('--from DIR is required');
  const a = collect(from, 'A');
  const b = collect(from, 'B');
  const ids = sampleIds();
  const missing = ids.filter((id) => !a.has(id) || !b.has(id));
  if (missing.length) console.log(`not yet labelled by both passes: ${missing.length} posts`);
  writeRows(passFile('a'), a.values());
  writeRows(passFile('b'), b.values());
  const agreement = comparePasses(a, b);
  console.log(
    [
      `posts labelled by both passes: ${agreement.posts}`,
      `pairs: ${agreement.unionPairs} in either pass, ${agreement.bothPairs} in both, ${agreement.onlyFirst} only in A, ${agreement.onlySecond} only in B`,
      `polarity kappa over pairs in both: ${agreement.polarityKappa.toFixed(3)}`,
      `kappa over the union (not labelled as a fourth category): ${agreement.unionKappa.toFixed(3)}`,
      `pass B scored against pass A: macro-F1 ${agreement.macroF1.toFixed(3)}`,
      `posts to adjudicate: ${agreement.disputed.length}`,
    ].join('\n'),
  );
  const disputes = argValue('--disputes');
  if (disputes) {
    const pool = new Map(loadPool().map((post) => [post.id, post]));
    const blocks = agreement.disputed.map((id) => {
      const post = pool.get(id)!;
      const where = post.provenance.subreddit
        ? `${post.source} ${post.provenance.kind}, r/${post.provenance.subreddit}`
        : `${post.source} ${post.provenance.kind}`;
      return [
        `=== ${id} (${where}) ===`,
        poolText(post),
        `--- reading 1: ${describe(a.get(id)!.labels)}`,
        `--- reading 2: ${describe(b.get(id)!.labels)}`,
        '',
      ].join('\n');
    });
    const size = 110;
    for (let b = 0; b * size < blocks.length; b += 1) {
      writeFileSync(
        path.join(disputes, `r${round}-C-${String(b + 1).padStart(2, '0')}.txt`),
        blocks.slice(b * size, (b + 1) * size).join('\n'),
      );
    }
    console.log(`wrote ${blocks.length} disputed posts to ${disputes}/r${round}-C-*.txt`);
  }
} else if (command === 'final') {
  const a = readRows(passFile('a'));
  const b = readRows(passFile('b'));
  if (from) writeRows(adjudicatedFile, collect(from, 'C').values());
  const adjudicated = existsSync(adjudicatedFile) ? readRows(adjudicatedFile) : new Map<string, PostLabels>();
  const { disputed } = comparePasses(a, b);
  const unsettled = disputed.filter((id) => !adjudicated.has(id));
  if (unsettled.length)
    throw new Error(`${unsettled.length} disputed posts have no adjudicated labels, e.g. ${unsettled.slice(0, 5).join(' ')}`);
  const disputedSet = new Set(disputed);
  const finalFile = path.join(LABELS_DIR, 'labels.jsonl');
  const existing = existsSync(finalFile) ? [...readRows(finalFile).values()].filter((row) => !a.has(row.id)) : [];
  // A round whose second pass read only part of it (round 3) keeps the first pass on the rest.
  const merged = [...a.keys()].map((id) => (disputedSet.has(id) ? adjudicated.get(id)! : a.get(id)!));
  writeRows(finalFile, [...existing, ...merged]);
  const pairs = merged.reduce((n, row) => n + Object.keys(row.labels).length, 0);
  console.log(
    `round ${round}: ${merged.length} posts, ${pairs} pairs (${disputed.length} posts adjudicated); ${finalFile} holds ${existing.length + merged.length} posts`,
  );
} else if (command === 'single') {
  if (!from) throw new Error('--from DIR is required');
  const a = collect(from, 'A');
  const missing = sampleIds().filter((id) => !a.has(id));
  if (missing.length) throw new Error(`round ${round}: ${missing.length} posts not labelled yet, e.g. ${missing.slice(0, 5).join(' ')}`);
  writeRows(passFile('a'), a.values());
  const finalFile = path.join(LABELS_DIR, 'labels.jsonl');
  const existing = existsSync(finalFile) ? [...readRows(finalFile).values()].filter((row) => !a.has(row.id)) : [];
  writeRows(finalFile, [...existing, ...a.values()]);
  const pairs = [...a.values()].reduce((n, row) => n + Object.keys(row.labels).length, 0);
  console.log(`round ${round}: ${a.size} posts, ${pairs} pairs (one pass); ${finalFile} holds ${existing.length + a.size} posts`);
} else {
  console.error('usage: merge-labels.ts passes|final|single --round N [--from DIR] [--disputes OUTDIR]');
  process.exit(2);
}
