import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EntityRegistry } from '../src/core/entity.ts';
import { createLinker, toLinkableEntities } from '../src/understand/linking/index.ts';
import { extractVersion, extractVersions } from '../src/understand/versions/index.ts';
import { FLOW_LABELS_DIR, readFlowLabels, readFlowSample, type FlowPostLabels } from './flows/labels.ts';
import { loadPool, poolText, type PoolPost } from './opinion/pool.ts';

// Usage: npm run eval:versions [-- --labels FILE] [-- --split dev|test] [-- --errors]
// Precision and recall of the (entity, version) pairs each labelled real post names (labels/flows),
// over the mentions the real linker finds. Errors are printed for the dev split only: the test split
// gives figures and is never read while rules change.
const args = process.argv.slice(2);
const argValue = (flag: string): string | undefined => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const file = resolve(argValue('--labels') ?? `${FLOW_LABELS_DIR}/labels.jsonl`);
const only = argValue('--split');
if (only !== undefined && only !== 'dev' && only !== 'test') throw new Error('--split takes dev or test');
const showErrors = args.includes('--errors');
if (!existsSync(file)) {
  console.error(`eval-versions: no label file at ${file} (pass --labels FILE)`);
  process.exit(2);
}

const registry = EntityRegistry.parse(JSON.parse(readFileSync(new URL('../registry/entities.json', import.meta.url), 'utf8')));
const linker = createLinker(toLinkableEntities(registry));
const kinds = new Map(registry.entities.map((e) => [e.slug, e.kind]));
const { labels, errors } = readFlowLabels(file);
const sample = readFlowSample();
const pool = new Map(loadPool().map((p) => [p.id, p]));

interface Counts {
  posts: number;
  tp: number;
  fp: number;
  fn: number;
  /** The one version stored per mention: right when the labels name that pair. */
  stored: number;
  storedRight: number;
  /** TP / FP / FN per entity kind: model generations and client releases fail differently. */
  byKind: Map<string, { tp: number; fp: number; fn: number }>;
}

const pairKey = (entity: string, version: string): string => `${entity}@${version}`;

function predict(post: PoolPost): { all: Set<string>; stored: Set<string> } {
  const text = poolText(post);
  const all = new Set<string>();
  const stored = new Set<string>();
  for (const m of linker.link(text)) {
    const kind = kinds.get(m.slug);
    if (kind === undefined) throw new Error(`linked ${m.slug}, which the registry does not hold`);
    const target = { ...m, kind };
    for (const v of extractVersions(text, target, { url: post.url })) all.add(pairKey(m.slug, v));
    const one = extractVersion(text, target, { url: post.url });
    if (one) stored.add(pairKey(m.slug, one));
  }
  return { all, stored };
}

function evaluate(split: 'dev' | 'test'): Counts {
  const ids = new Set(sample.filter((p) => p.split === split).map((p) => p.id));
  const counts: Counts = { posts: 0, tp: 0, fp: 0, fn: 0, stored: 0, storedRight: 0, byKind: new Map() };
  const tally = (pair: string, field: 'tp' | 'fp' | 'fn') => {
    const kind = kinds.get(pair.split('@')[0]!) ?? 'unknown';
    const entry = counts.byKind.get(kind) ?? { tp: 0, fp: 0, fn: 0 };
    entry[field]++;
    counts.byKind.set(kind, entry);
  };
  for (const label of labels.filter((l: FlowPostLabels) => ids.has(l.id))) {
    const post = pool.get(label.id);
    if (!post) continue;
    counts.posts++;
    const gold = new Set(label.versions.map((v) => pairKey(v.entity, v.version)));
    const { all, stored } = predict(post);
    const fps = [...all].filter((p) => !gold.has(p));
    const fns = [...gold].filter((p) => !all.has(p));
    for (const p of all) tally(p, gold.has(p) ? 'tp' : 'fp');
    for (const p of fns) tally(p, 'fn');
    counts.tp += all.size - fps.length;
    counts.fp += fps.length;
    counts.fn += fns.length;
    counts.stored += stored.size;
    counts.storedRight += [...stored].filter((p) => gold.has(p)).length;
    if (showErrors && split === 'dev' && (fps.length > 0 || fns.length > 0)) {
      console.log(`${label.id}  false +: ${fps.join(' ') || '-'}  missed: ${fns.join(' ') || '-'}`);
    }
  }
  return counts;
}

const pct = (n: number, d: number): string => (d === 0 ? '     -' : ((100 * n) / d).toFixed(1).padStart(6));
console.log(`versions on ${file} (${labels.length} labelled posts, ${errors.length} lines skipped)`);
console.log('split  posts   TP   FP   FN    prec  recall   stored  stored-prec');
const results = (only ? [only as 'dev' | 'test'] : (['dev', 'test'] as const)).map((split) => [split, evaluate(split)] as const);
for (const [split, c] of results) {
  console.log(
    `${split.padEnd(5)} ${String(c.posts).padStart(6)} ${String(c.tp).padStart(4)} ${String(c.fp).padStart(4)} ${String(c.fn).padStart(4)} ${pct(c.tp, c.tp + c.fp)} ${pct(c.tp, c.tp + c.fn)} ${String(c.stored).padStart(8)} ${pct(c.storedRight, c.stored)}`,
  );
}
console.log('');
console.log('split kind     TP   FP   FN    prec  recall');
for (const [split, c] of results) {
  for (const [kind, k] of [...c.byKind.entries()].sort()) {
    console.log(
      `${split.padEnd(5)} ${kind.padEnd(6)} ${String(k.tp).padStart(4)} ${String(k.fp).padStart(4)} ${String(k.fn).padStart(4)} ${pct(k.tp, k.tp + k.fp)} ${pct(k.tp, k.tp + k.fn)}`,
    );
  }
}
