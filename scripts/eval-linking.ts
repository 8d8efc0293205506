/**
 * Evaluates entity linking on the labelled set: micro precision / recall / F1 over direct mentions,
 * per-entity figures for entities with errors, every false positive and negative, and throughput.
 * Usage: npm run eval:linking [-- --data FILE] [--registry FILE]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { EntityRegistry } from '../src/core/entity.ts';
import { createLinker } from '../src/understand/linking/linker.ts';
import { evaluateLinking } from '../src/understand/linking/evaluate-linking.ts';
import type { LabelledPost } from '../src/understand/linking/evaluate-linking.ts';
import { toLinkableEntities } from '../src/understand/linking/registry-entities.ts';

const LabelledLine = z.object({ id: z.string(), text: z.string(), entities: z.array(z.string()) });

function readOption(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 && process.argv[at + 1] ? (process.argv[at + 1] as string) : fallback;
}

const root = resolve(import.meta.dirname, '..');
const dataPath = resolve(readOption('--data', resolve(root, 'test/data/understand/posts.jsonl')));
const registryPath = resolve(readOption('--registry', resolve(root, 'registry/entities.json')));

const registry = EntityRegistry.parse(JSON.parse(readFileSync(registryPath, 'utf8')));
const entities = toLinkableEntities(registry);
const linker = createLinker(entities);

const posts: LabelledPost[] = [];
readFileSync(dataPath, 'utf8')
  .split('\n')
  .forEach((line, i) => {
    if (line.trim() === '') return;
    const parsed = LabelledLine.safeParse(JSON.parse(line));
    if (parsed.success) posts.push(parsed.data);
    else console.error(`skipping line ${i + 1}: ${parsed.error.message}`);
  });

const surfaces = new Map(
  entities.map((e) => [
    e.slug,
    [e.name, ...e.aliases, ...e.disambiguation.ambiguousAliases, ...(e.disambiguation.strictAliases ?? [])].map((a) =>
      a.replace(/\{v\}/g, '').trim().toLowerCase(),
    ),
  ]),
);
const locate = (slug: string, text: string): number => {
  const lower = text.toLowerCase();
  const hits = (surfaces.get(slug) ?? []).map((s) => lower.indexOf(s)).filter((i) => i >= 0);
  return hits.length > 0 ? Math.min(...hits) : 0;
};

const directOnly = (text: string) => linker.link(text).filter((m) => m.direct);
const report = evaluateLinking(posts, directOnly, locate);

const pct = (x: number): string => x.toFixed(3);
console.log(`data: ${dataPath} (${report.posts} posts), registry: ${registry.entities.length} entities`);
console.log(
  `micro precision ${pct(report.precision)}  recall ${pct(report.recall)}  F1 ${pct(report.f1)}  ` +
    `(tp ${report.truePositives}, fp ${report.falsePositives}, fn ${report.falseNegatives})`,
);

const withErrors = report.perEntity.filter((s) => s.falsePositives + s.falseNegatives > 0);
if (withErrors.length > 0) {
  console.log('\nentities with errors:            tp   fp   fn   precision recall');
  for (const s of withErrors) {
    const p = s.truePositives + s.falsePositives === 0 ? 1 : s.truePositives / (s.truePositives + s.falsePositives);
    const r = s.truePositives + s.falseNegatives === 0 ? 1 : s.truePositives / (s.truePositives + s.falseNegatives);
    console.log(
      `  ${s.slug.padEnd(30)} ${String(s.truePositives).padStart(4)} ${String(s.falsePositives).padStart(4)} ${String(s.falseNegatives).padStart(4)}   ${pct(p)}     ${pct(r)}`,
    );
  }
}
for (const kind of ['false-positive', 'false-negative'] as const) {
  const list = report.errors.filter((e) => e.kind === kind);
  console.log(`\n${kind}s (${list.length}):`);
  for (const e of list) console.log(`  ${e.id}  ${e.slug.padEnd(20)} ${e.snippet}`);
}

/** Links `texts` over and over for about a second; CPU time keeps the figure honest on a shared machine. */
function measureThroughput(texts: string[]): { wallPerSecond: number; cpuPerSecond: number; meanChars: number } {
  for (const t of texts) linker.link(t);
  const wallStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let linked = 0;
  let wall = 0;
  while (wall < 1.5 || linked < texts.length) {
    for (const t of texts) linker.link(t);
    linked += texts.length;
    wall = Number(process.hrtime.bigint() - wallStart) / 1e9;
  }
  const cpu = process.cpuUsage(cpuStart);
  const meanChars = texts.reduce((n, t) => n + t.length, 0) / Math.max(texts.length, 1);
  return { wallPerSecond: linked / wall, cpuPerSecond: linked / ((cpu.user + cpu.system) / 1e6), meanChars };
}

const texts = posts.map((p) => p.text);
const longer: string[] = [];
for (let i = 0; i + 3 <= texts.length; i += 3) longer.push(texts.slice(i, i + 3).join('\n\n'));
console.log('\nthroughput (one core; posts per wall-clock second / per CPU second):');
for (const [label, set] of [
  ['labelled posts', texts],
  ['three posts joined', longer],
] as const) {
  const r = measureThroughput([...set]);
  const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
  console.log(`  ${label.padEnd(20)} mean ${fmt(r.meanChars).padStart(5)} chars: ${fmt(r.wallPerSecond)} / ${fmt(r.cpuPerSecond)} posts/s`);
}
