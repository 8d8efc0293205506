import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createSeededRandom, shuffled } from '../../src/core/seeded-random.ts';
import { loadEntityRegistry } from '../../src/pipeline/entities.ts';
import { extractFlows, mentionOccurrences } from '../../src/understand/flows/index.ts';
import { createLinker, toLinkableEntities } from '../../src/understand/linking/index.ts';
import { cohenKappa } from '../opinion/agreement.ts';
import { loadLabelledPool } from '../opinion/gold.ts';
import { loadPool, poolText } from '../opinion/pool.ts';
import { readFlowSample } from './labels.ts';

/**
 * A precision audit of flow extraction on posts nobody labelled: the extractor runs over the pool's
 * posts that no flows round drew (and that are not in the opinion test split), and a seeded draw of
 * those it finds flows in is written for a reader to judge each flow right or wrong by
 * labels/flows/ANNOTATION.md. The judgements (labels/flows/audit.jsonl) give precision on unseen
 * posts and the kinds of false positive, without reading the test split.
 *
 *   tsx scripts/flows/audit-flows.ts draw --out FILE [--posts N]
 *   tsx scripts/flows/audit-flows.ts score FILE [SECOND_JUDGE_FILE]
 *     (each line {"id","flow","right":bool,"why"}; two files: their agreement and the flows both judge right)
 */

interface Judgement {
  id: string;
  flow: { kind: string };
  right: boolean;
  why?: string;
}

const readJudgements = (file: string): Judgement[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Judgement);

const [command, ...rest] = process.argv.slice(2);
const argValue = (flag: string): string | undefined => {
  const i = rest.indexOf(flag);
  return i >= 0 ? rest[i + 1] : undefined;
};

if (command === 'draw') {
  const out = argValue('--out');
  if (!out) throw new Error('usage: audit-flows.ts draw --out FILE [--posts N]');
  const wanted = Number(argValue('--posts') ?? '100');
  const excluded = new Set([...readFlowSample().map((e) => e.id), ...loadLabelledPool('test').map((p) => p.id)]);
  const linker = createLinker(toLinkableEntities(loadEntityRegistry()));
  const withFlows = loadPool()
    .filter((post) => !excluded.has(post.id))
    .map((post) => {
      const text = poolText(post);
      return { post, text, flows: extractFlows(text, mentionOccurrences(linker.link(text))) };
    })
    .filter((x) => x.flows.length > 0);
  const drawn = shuffled(withFlows, createSeededRandom(20261207)).slice(0, wanted);
  const blocks = drawn.map(({ post, text, flows }) =>
    [
      `=== ${post.id} (${post.source} ${post.provenance.kind}${post.provenance.subreddit ? `, r/${post.provenance.subreddit}` : ''}) ===`,
      text,
      ...flows.map(
        (f) => `--- flow: ${JSON.stringify({ kind: f.kind, from: f.from, to: f.to, reason: f.reason, evidence: f.evidence.text })}`,
      ),
      '',
    ].join('\n'),
  );
  writeFileSync(path.resolve(out), blocks.join('\n'));
  console.log(
    `${withFlows.length} unlabelled posts with flows; ${drawn.length} drawn (${drawn.reduce((n, x) => n + x.flows.length, 0)} flows) to ${out}`,
  );
} else if (command === 'score') {
  const files = rest.filter((a) => !a.startsWith('--'));
  if (files.length === 0 || files.length > 2) throw new Error('usage: audit-flows.ts score FILE [SECOND_JUDGE_FILE]');
  const judged = files.map(readJudgements);
  judged.forEach((rows, j) => {
    const right = rows.filter((r) => r.right).length;
    console.log(`${files[j]}: ${rows.length} flows judged, ${right} right: precision ${(right / rows.length).toFixed(2)}`);
    for (const kind of ['switch', 'return', 'adds']) {
      const of = rows.filter((r) => r.flow.kind === kind);
      if (of.length) console.log(`  ${kind.padEnd(7)} ${of.filter((r) => r.right).length} / ${of.length}`);
    }
    const causes = new Map<string, number>();
    for (const r of rows) if (!r.right) causes.set(r.why || '-', (causes.get(r.why || '-') ?? 0) + 1);
    for (const [why, n] of [...causes].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(3)}  ${why}`);
  });
  if (judged.length === 2) {
    const [a, b] = judged as [Judgement[], Judgement[]];
    if (a.length !== b.length || a.some((r, i) => r.id !== b[i]!.id))
      throw new Error('the two files do not judge the same flows in the same order');
    const both = a.filter((r, i) => r.right && b[i]!.right).length;
    console.log(
      `agreement: ${a.filter((r, i) => r.right === b[i]!.right).length} / ${a.length}, Cohen's kappa ${cohenKappa(a.map((r, i) => [String(r.right), String(b[i]!.right)])).toFixed(3)}; right by both ${both} (precision ${(both / a.length).toFixed(2)}), by either ${a.filter((r, i) => r.right || b[i]!.right).length}`,
    );
  }
} else {
  throw new Error('usage: audit-flows.ts draw|score ...');
}
