import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ASPECT_NAMES } from '../../src/understand/aspects/types.ts';
import { cohenKappa } from '../opinion/agreement.ts';
import { loadPool, poolText } from '../opinion/pool.ts';
import { FLOW_LABELS_DIR, readFlowLabels, readFlowSample, type FlowPostLabels } from './labels.ts';

/**
 * Combines the two annotation passes over labels/flows/sample.json.
 *
 *   tsx scripts/flows/merge-passes.ts passes --from DIR [--disputes OUTDIR]
 *     collects DIR/A-*.jsonl and DIR/B-*.jsonl into labels/flows/pass-{a,b}.jsonl, prints their
 *     agreement on flows, versions and aspects per drawing round, and writes the posts they disagree
 *     on that no earlier adjudication settled (text and both readings) to OUTDIR/C-N.txt, batches for
 *     the adjudicating pass. DIR holds every round's passes (a later round: copy pass-a.jsonl and
 *     pass-b.jsonl in as A-0.jsonl and B-0.jsonl).
 *   tsx scripts/flows/merge-passes.ts final --from DIR
 *     writes labels/flows/adjudicated.jsonl from DIR/C-*.jsonl (a later round: copy adjudicated.jsonl
 *     in as C-0.jsonl), then labels/flows/labels.jsonl:
 *     agreed posts keep the shared reading, disputed ones the adjudicated one, and posts only the
 *     first pass read keep its reading.
 */

const [command] = process.argv.slice(2);
const argValue = (flag: string): string | undefined => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const from = argValue('--from');
if (!from || (command !== 'passes' && command !== 'final'))
  throw new Error('usage: merge-passes.ts passes|final --from DIR [--disputes OUTDIR]');

function collect(dir: string, prefix: string): Map<string, FlowPostLabels> {
  const out = new Map<string, FlowPostLabels>();
  for (const name of readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.jsonl'))
    .sort()) {
    const { labels, errors } = readFlowLabels(path.join(dir, name));
    if (errors.length) throw new Error(`${name}: ${errors.length} bad lines, first: ${errors[0]}`);
    for (const label of labels) out.set(label.id, label);
  }
  return out;
}

const flowKey = (f: FlowPostLabels['flows'][number]): string => `${f.from ?? '-'}>${f.to ?? '-'}:${f.kind}`;
const versionKey = (v: FlowPostLabels['versions'][number]): string => `${v.entity}@${v.version}`;
const sameSet = (a: string[], b: string[]): boolean => a.length === b.length && [...a].sort().join('|') === [...b].sort().join('|');

/** What must match for two readings of a post to agree: flows with reasons, versions, aspects with polarity. */
function reading(l: FlowPostLabels): { flows: string[]; versions: string[]; aspects: string[] } {
  return {
    flows: l.flows.map((f) => `${flowKey(f)}/${f.reason ?? '-'}`),
    versions: l.versions.map(versionKey),
    aspects: Object.entries(l.aspects).flatMap(([slug, list]) => list.map((a) => `${slug}.${a.aspect}=${a.polarity}`)),
  };
}

function f1(a: string[], b: string[]): string {
  const setB = new Set(b);
  const both = a.filter((k) => setB.has(k)).length;
  return a.length + b.length === 0 ? 'n/a' : ((2 * both) / (a.length + b.length)).toFixed(3);
}

function printAgreement(a: Map<string, FlowPostLabels>, b: Map<string, FlowPostLabels>): string[] {
  const ids = [...a.keys()].filter((id) => b.has(id)).sort();
  const disputed: string[] = [];
  const flows: [string[], string[]] = [[], []];
  const flowsNoReason: [string[], string[]] = [[], []];
  const versions: [string[], string[]] = [[], []];
  const aspectCells: Array<[string, string]> = [];
  for (const id of ids) {
    const [la, lb] = [a.get(id)!, b.get(id)!];
    const [ra, rb] = [reading(la), reading(lb)];
    flows[0].push(...ra.flows.map((k) => `${id} ${k}`));
    flows[1].push(...rb.flows.map((k) => `${id} ${k}`));
    flowsNoReason[0].push(...la.flows.map((f) => `${id} ${flowKey(f)}`));
    flowsNoReason[1].push(...lb.flows.map((f) => `${id} ${flowKey(f)}`));
    versions[0].push(...ra.versions.map((k) => `${id} ${k}`));
    versions[1].push(...rb.versions.map((k) => `${id} ${k}`));
    for (const slug of new Set([...Object.keys(la.aspects), ...Object.keys(lb.aspects)])) {
      for (const aspect of ASPECT_NAMES) {
        const pa = la.aspects[slug]?.find((x) => x.aspect === aspect)?.polarity ?? 'none';
        const pb = lb.aspects[slug]?.find((x) => x.aspect === aspect)?.polarity ?? 'none';
        aspectCells.push([pa === 'none' ? pa : 'some', pb === 'none' ? pb : 'some']);
      }
    }
    if (!agree(la, lb)) disputed.push(id);
  }
  console.log(`${ids.length} posts in both passes (A ${a.size}, B ${b.size})`);
  console.log(
    `flows: A ${flows[0].length}, B ${flows[1].length}; F1 between passes on (from, to, kind) ${f1(...flowsNoReason)}, with reason ${f1(...flows)}`,
  );
  console.log(`versions: A ${versions[0].length}, B ${versions[1].length}; F1 between passes ${f1(...versions)}`);
  console.log(`aspects: Cohen's kappa of presence over (post, entity, aspect) cells ${cohenKappa(aspectCells).toFixed(3)}`);
  console.log(`${disputed.length} posts differ somewhere`);
  return disputed;
}

function writeLabels(file: string, labels: Iterable<FlowPostLabels>): void {
  writeFileSync(
    file,
    [...labels]
      .sort((x, y) => x.id.localeCompare(y.id))
      .map((l) => JSON.stringify(l))
      .join('\n') + '\n',
  );
}

const agree = (x: FlowPostLabels, y: FlowPostLabels): boolean => {
  const [rx, ry] = [reading(x), reading(y)];
  return sameSet(rx.flows, ry.flows) && sameSet(rx.versions, ry.versions) && sameSet(rx.aspects, ry.aspects);
};

if (command === 'passes') {
  const [passA, passB] = [collect(from, 'A-'), collect(from, 'B-')];
  writeLabels(path.join(FLOW_LABELS_DIR, 'pass-a.jsonl'), passA.values());
  writeLabels(path.join(FLOW_LABELS_DIR, 'pass-b.jsonl'), passB.values());
  // Agreement per drawing round; disputes of a post settled by an earlier adjudication are not asked again.
  const settled = collect(FLOW_LABELS_DIR, 'adjudicated');
  const disputed: string[] = [];
  const sample = readFlowSample();
  for (const round of [...new Set(sample.map((entry) => entry.round ?? 1))].sort()) {
    const inRound = new Set(sample.filter((entry) => (entry.round ?? 1) === round).map((entry) => entry.id));
    const only = (pass: Map<string, FlowPostLabels>) => new Map([...pass].filter(([id]) => inRound.has(id)));
    if (![...passA.keys()].some((id) => inRound.has(id))) continue;
    console.log(`round ${round}:`);
    disputed.push(...printAgreement(only(passA), only(passB)).filter((id) => !settled.has(id)));
  }
  const out = argValue('--disputes');
  if (out) {
    const texts = new Map(loadPool().map((p) => [p.id, poolText(p)]));
    const blocks = disputed.map((id) =>
      [
        `=== ${id} ===`,
        texts.get(id),
        `--- reading 1: ${JSON.stringify(passA.get(id))}`,
        `--- reading 2: ${JSON.stringify(passB.get(id))}`,
        '',
      ].join('\n'),
    );
    const half = Math.ceil(blocks.length / 2);
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'C-1.txt'), blocks.slice(0, half).join('\n'));
    writeFileSync(path.join(out, 'C-2.txt'), blocks.slice(half).join('\n'));
    console.log(`disputes in ${out}/C-1.txt and C-2.txt`);
  }
} else {
  const [a, b] = [collect(FLOW_LABELS_DIR, 'pass-a'), collect(FLOW_LABELS_DIR, 'pass-b')];
  const adjudicated = collect(from, 'C-');
  writeLabels(path.join(FLOW_LABELS_DIR, 'adjudicated.jsonl'), adjudicated.values());
  const merged = new Map<string, FlowPostLabels>();
  for (const { id } of readFlowSample()) {
    const [la, lb] = [a.get(id), b.get(id)];
    // A post only the first pass read (round 3's second pass read 200 of its 1,400) keeps that reading.
    const label = adjudicated.get(id) ?? (la && (!lb || agree(la, lb)) ? la : undefined);
    if (label) merged.set(id, label);
    else console.log(`${id}: no agreed or adjudicated reading; left out`);
  }
  writeLabels(path.join(FLOW_LABELS_DIR, 'labels.jsonl'), merged.values());
  console.log(`labels.jsonl: ${merged.size} posts (${adjudicated.size} adjudicated)`);
}
