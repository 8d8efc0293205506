import { loadPool, poolText } from '../opinion/pool.ts';
import { readFlowLabels, readFlowSample } from './labels.ts';

/**
 * Checks an annotation file's format: every line parses, ids are drawn posts, evidence is a substring
 * of the post's text. It judges nothing else.
 *
 *   tsx scripts/flows/check-labels.ts FILE
 */
const file = process.argv[2];
if (!file) throw new Error('usage: check-labels.ts FILE');
const { labels, errors } = readFlowLabels(file);
const drawn = new Set(readFlowSample().map((p) => p.id));
const texts = new Map(
  loadPool()
    .filter((p) => drawn.has(p.id))
    .map((p) => [p.id, poolText(p)]),
);
const seen = new Set<string>();
for (const label of labels) {
  const text = texts.get(label.id);
  if (!text) errors.push(`${label.id}: not a drawn post`);
  if (seen.has(label.id)) errors.push(`${label.id}: labelled twice`);
  seen.add(label.id);
  const evidence = [
    ...label.flows.map((f) => f.evidence),
    ...Object.values(label.aspects)
      .flat()
      .map((a) => a.evidence),
  ];
  for (const e of evidence) if (text && !text.includes(e)) errors.push(`${label.id}: evidence not in the text: ${JSON.stringify(e)}`);
}
console.log(`${labels.length} posts read, ${errors.length} problems`);
for (const e of errors) console.log(e);
process.exitCode = errors.length ? 1 : 0;
