import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadEntityRegistry } from '../src/pipeline/entities.ts';
import { extractFlows, mentionOccurrences, type Flow } from '../src/understand/flows/index.ts';
import { createLinker, toLinkableEntities } from '../src/understand/linking/index.ts';
import { FLOW_LABELS_DIR, readFlowLabels, readFlowSample, type FlowSampleEntry, type LabelledFlow } from './flows/labels.ts';
import { loadPool, poolText } from './opinion/pool.ts';

/**
 * Scores flow extraction (src/understand/flows) against the labelled real posts of labels/flows:
 *
 *   npm run eval:flows [-- --labels FILE] [--split dev|test|all] [--errors]
 *
 * A predicted flow is right when a labelled flow of the same post has the same (from, to, kind);
 * each labelled flow is matched at most once. Reason accuracy is over the matched flows. Figures are
 * given per split (dev, test) and per draw (cue: posts with a movement cue; random). Per-post errors
 * (--errors) are printed for the dev split only: test posts are never read while tuning the rules.
 */

const argValue = (flag: string): string | undefined => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const labelsFile = path.resolve(argValue('--labels') ?? path.join(FLOW_LABELS_DIR, 'labels.jsonl'));
const splitArg = argValue('--split') ?? 'all';
const showErrors = process.argv.includes('--errors');

if (!['dev', 'test', 'all'].includes(splitArg)) {
  console.error(`--split: expected dev, test or all, not "${splitArg}"`);
  process.exit(2);
}
if (!existsSync(labelsFile)) {
  console.error(`no labels at ${labelsFile}; pass --labels FILE (labels/flows/ANNOTATION.md describes the format)`);
  process.exit(2);
}

const { labels, errors } = readFlowLabels(labelsFile);
if (errors.length > 0) {
  console.error(`${errors.length} malformed label line(s), first: ${errors[0]}`);
  process.exit(1);
}
const sample = new Map(readFlowSample().map((entry) => [entry.id, entry]));
const pool = new Map(loadPool().map((post) => [post.id, post]));
const linker = createLinker(toLinkableEntities(loadEntityRegistry()));

interface Tally {
  posts: number;
  gold: number;
  predicted: number;
  matched: number;
  reasonRight: number;
}
const empty = (): Tally => ({ posts: 0, gold: 0, predicted: 0, matched: 0, reasonRight: 0 });
const tallies = new Map<string, Tally>();
const add = (key: string, t: Tally) => {
  const into = tallies.get(key) ?? empty();
  for (const k of Object.keys(t) as (keyof Tally)[]) into[k] += t[k];
  tallies.set(key, into);
};

const keyOf = (f: Pick<LabelledFlow, 'from' | 'to' | 'kind'>) => `${f.kind} ${f.from ?? '-'}->${f.to ?? '-'}`;

/** Pairs predicted with labelled flows on (from, to, kind), each used once. */
function match(gold: LabelledFlow[], predicted: Flow[]) {
  const left = [...gold];
  const pairs: Array<{ gold: LabelledFlow; predicted: Flow }> = [];
  const extra: Flow[] = [];
  for (const p of predicted) {
    const i = left.findIndex((g) => keyOf(g) === keyOf(p));
    if (i >= 0) pairs.push({ gold: left.splice(i, 1)[0]!, predicted: p });
    else extra.push(p);
  }
  return { pairs, extra, missed: left };
}

let skipped = 0;
const devErrors: string[] = [];
for (const label of labels) {
  const entry: FlowSampleEntry | undefined = sample.get(label.id);
  const post = pool.get(label.id);
  if (!entry || !post) {
    skipped++;
    continue;
  }
  if (splitArg !== 'all' && entry.split !== splitArg) continue;
  const text = poolText(post);
  const predicted = extractFlows(text, mentionOccurrences(linker.link(text)));
  const { pairs, extra, missed } = match(label.flows, predicted);
  const t: Tally = {
    posts: 1,
    gold: label.flows.length,
    predicted: predicted.length,
    matched: pairs.length,
    reasonRight: pairs.filter((p) => p.gold.reason === p.predicted.reason).length,
  };
  add(`${entry.split} all`, t);
  add(`${entry.split} ${entry.draw}`, t);
  const wrongReasons = pairs.filter((p) => p.gold.reason !== p.predicted.reason);
  if (showErrors && entry.split === 'dev' && (extra.length > 0 || missed.length > 0 || wrongReasons.length > 0)) {
    const lines = [`=== ${label.id} (${entry.draw}) ===`, text.length > 700 ? `${text.slice(0, 700)}…` : text];
    for (const f of extra) lines.push(`  + wrong   ${keyOf(f)} [${f.reason ?? '-'}] "${f.evidence.text}"`);
    for (const f of missed) lines.push(`  - missed  ${keyOf(f)} [${f.reason ?? '-'}] "${f.evidence}"`);
    for (const p of wrongReasons)
      lines.push(`  ~ reason  ${keyOf(p.gold)} labelled ${p.gold.reason ?? '-'}, read ${p.predicted.reason ?? '-'}`);
    devErrors.push(lines.join('\n'));
  }
}

const ratio = (a: number, b: number) => (b === 0 ? '   -' : (a / b).toFixed(2));
console.log(`labels: ${labelsFile} (${labels.length} posts${skipped ? `, ${skipped} not in the sample or the pool` : ''})`);
console.log('split  draw    posts  gold  pred  match  precision  recall    F1  reason-acc');
for (const split of ['dev', 'test']) {
  for (const draw of ['all', 'cue', 'random']) {
    const t = tallies.get(`${split} ${draw}`);
    if (!t) continue;
    const p = t.predicted === 0 ? null : t.matched / t.predicted;
    const r = t.gold === 0 ? null : t.matched / t.gold;
    const f1 = p !== null && r !== null && p + r > 0 ? ((2 * p * r) / (p + r)).toFixed(2) : '   -';
    console.log(
      `${split.padEnd(6)} ${draw.padEnd(7)} ${String(t.posts).padStart(5)} ${String(t.gold).padStart(5)} ${String(t.predicted).padStart(5)} ${String(t.matched).padStart(6)}  ${ratio(t.matched, t.predicted).padStart(9)}  ${ratio(t.matched, t.gold).padStart(6)}  ${f1.padStart(4)}  ${ratio(t.reasonRight, t.matched).padStart(10)}`,
    );
  }
}
if (showErrors) console.log(devErrors.length === 0 ? '\n(no dev errors)' : `\n${devErrors.join('\n\n')}`);
