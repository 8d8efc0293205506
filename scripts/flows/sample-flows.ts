import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createSeededRandom, shuffled } from '../../src/core/seeded-random.ts';
import { MOVEMENT_CUE } from '../../src/understand/flows/cue.ts';
import { LABELS_DIR as OPINION_LABELS_DIR, loadPool, poolText, readLabelFile, type PoolPost } from '../opinion/pool.ts';
import { FLOW_LABELS_DIR, readFlowSample, type FlowSampleEntry } from './labels.ts';

/**
 * Draws the real posts we label for switching flows, versions and aspects (issue 16), and writes the
 * batches two independent annotation passes read.
 *
 *   tsx scripts/flows/sample-flows.ts --out /tmp/flows-annotate [--round 2]
 *
 * Posts come from those already labelled for opinion (labels/opinion/labels.jsonl), so the entities
 * each post refers to are known and shown to the annotators; they add flows, versions and aspects.
 * Switching statements are rare (a few in a hundred posts), so half the draw is posts with a broad
 * movement cue and half is drawn at random among posts naming at least one entity: recall on the
 * random half says how much a cue list misses. A quarter of each half is the dev split (rules may be
 * read against it); the rest is the test split, which nobody tuning rules reads.
 *
 * Round 2 (`--round 2`) draws 300 more posts (200 cued, 100 at random) among those no round drew,
 * all for the dev split: round 1's dev split (100 posts, 18 flows) was too small to read rules
 * against. Its entries are added to sample.json with `round: 2`; round 1's draw is left as it was.
 *
 * Round 3 (`--round 3`) draws 1,400 more (300 cued, 1,100 at random), all for the dev split, as
 * training data for a learned aspect model: the first pass reads them all, the second 200 of them
 * (for agreement), as rounds 3 and 4 of the opinion labels were made.
 *
 * Round 4 (`--round 4`) draws 476 more (the 176 cued posts left, 300 at random), all for the test split, read by
 * both passes: round 1's test split (300 posts, 70 flows) left intervals too wide to tell a change of
 * a few points (flows precision 0.31-0.70).
 */

const argValue = (flag: string, fallback: string): string => {
  const i = process.argv.indexOf(flag);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const outDir = path.resolve(argValue('--out', '/tmp/vibecheck-flows-annotate'));
const round = Number(argValue('--round', '1'));
// `secondPass`: how many of the round's posts the second pass reads (all when absent).
const ROUNDS: Record<number, { seed: number; cued: number; random: number; devShare: number; secondPass?: number }> = {
  1: { seed: 20261216, cued: 200, random: 200, devShare: 0.25 },
  2: { seed: 20261207, cued: 200, random: 100, devShare: 1 },
  3: { seed: 20261208, cued: 300, random: 1100, devShare: 1, secondPass: 200 },
  4: { seed: 20261209, cued: 176, random: 300, devShare: 0 },
};
const spec = ROUNDS[round];
if (!spec) throw new Error('--round: 1 to 4');
const { seed, devShare } = spec;
const MAX_CHARS = 1400;
const samplePath = path.join(FLOW_LABELS_DIR, 'sample.json');
const earlier = round === 1 || !existsSync(samplePath) ? [] : readFlowSample().filter((entry) => (entry.round ?? 1) < round);

const random = createSeededRandom(seed);
const drawnBefore = new Set(earlier.map((entry) => entry.id));
const entitiesById = new Map(readLabelFile(path.join(OPINION_LABELS_DIR, 'labels.jsonl')).map((l) => [l.id, Object.keys(l.labels)]));
const candidates = loadPool().filter((post) => {
  const text = poolText(post);
  return !drawnBefore.has(post.id) && (entitiesById.get(post.id)?.length ?? 0) > 0 && text.length >= 20 && text.length <= MAX_CHARS;
});
const cued = shuffled(
  candidates.filter((p) => MOVEMENT_CUE.test(poolText(p))),
  random,
).slice(0, spec.cued);
const cuedIds = new Set(cued.map((p) => p.id));
const randomHalf = shuffled(
  candidates.filter((p) => !cuedIds.has(p.id)),
  random,
).slice(0, spec.random);

const entries: FlowSampleEntry[] = [...earlier];
for (const [draw, posts] of [
  ['cue', cued],
  ['random', randomHalf],
] as const) {
  const devCount = Math.round(posts.length * devShare);
  posts.forEach((p, i) => entries.push({ id: p.id, draw, split: i < devCount ? 'dev' : 'test', ...(round > 1 ? { round } : {}) }));
}
entries.sort((a, b) => a.id.localeCompare(b.id));
mkdirSync(FLOW_LABELS_DIR, { recursive: true });
writeFileSync(
  samplePath,
  `${JSON.stringify({ rounds: ROUNDS, maxChars: MAX_CHARS, cue: MOVEMENT_CUE.source, posts: entries }, null, 1)}\n`,
);

function formatPost(post: PoolPost): string {
  const where = post.provenance.subreddit
    ? `${post.source} ${post.provenance.kind}, r/${post.provenance.subreddit}`
    : `${post.source} ${post.provenance.kind}`;
  return [
    `=== ${post.id} (${where}, ${post.createdAt.slice(0, 10)}) ===`,
    poolText(post),
    `--- entities: ${entitiesById.get(post.id)!.join(', ')}`,
    '',
  ].join('\n');
}

// The first pass reads every post, the second `secondPass` of them in another order; batches of 100.
const drawn = shuffled([...cued, ...randomHalf], random);
mkdirSync(outDir, { recursive: true });
for (const [pass, posts] of [
  ['A', drawn],
  ['B', shuffled(drawn, random).slice(0, spec.secondPass ?? drawn.length)],
] as const) {
  for (let b = 0; b * 100 < posts.length; b += 1) {
    writeFileSync(
      path.join(outDir, `flows${round > 1 ? `-r${round}` : ''}-${pass}-${b + 1}.txt`),
      posts
        .slice(b * 100, (b + 1) * 100)
        .map(formatPost)
        .join('\n'),
    );
  }
}
console.log(`${cued.length} cued + ${randomHalf.length} random posts; batches in ${outDir}`);
