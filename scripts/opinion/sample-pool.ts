import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createSeededRandom, shuffled } from '../../src/core/seeded-random.ts';
import { loadEntityRegistry } from '../../src/pipeline/entities.ts';
import { compileAliasSource } from '../../src/understand/linking/alias-pattern.ts';
import { loadSentimentModel, type SentimentResult } from '../../src/understand/sentiment/index.ts';
import { createLinker, toLinkableEntities } from '../../src/understand/linking/index.ts';
import { pipelineText } from './datasets.ts';
import { toGoldPost } from './gold.ts';
import { LABELS_DIR, loadPool, poolText, type PoolPost } from './pool.ts';
import { UNSURE_BAND, inUnsureBand } from './unsure-band.ts';

/**
 * Draws the posts we label from the pool, and writes annotation batches for two independent passes.
 *
 *   tsx scripts/opinion/sample-pool.ts --round 1 --out /tmp/annotate  [--model FILE]
 *
 * Round 1 is stratified by (repository, kind) to resemble real posts about AI tools (Reddit and HN
 * comments, HN titles, GitHub issues), capped at 1,400 characters. A fifth of round 1's posts are
 * held out as the test split. Later rounds draw from what is left, for training only, and are
 * labelled by one pass: round 2 by strata, round 3 where the shipped model is unsure and negative is
 * in play (UNSURE_ROUNDS), with a second pass on part of it to measure agreement on such posts.
 * labels/opinion/sample.json records every drawn id with its round and split; the batches (which
 * hold the texts) go outside the project, since the texts stay in ../shared.
 */

const argValue = (flag: string, fallback: string): string => {
  const i = process.argv.indexOf(flag);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const round = Number(argValue('--round', '1'));
const outDir = path.resolve(argValue('--out', '/tmp/vibecheck-annotate'));
const BATCH_SIZE = Number(argValue('--batch-size', '170'));
const MAX_CHARS = 1400;
const TEST_SHARE = 0.2;

/** Posts drawn per (repository, kind) in each round. */
const QUOTAS: Record<number, Record<string, number>> = {
  1: {
    'maifeeulasad/LocalLLaMA comment': 1300,
    'maifeeulasad/LocalLLaMA post': 150,
    'waprin/claude-vs-codex-dashboard comment': 900,
    'waprin/claude-vs-codex-dashboard post': 100,
    'ShreeLakshmiKP/ai-pulse story title': 174,
    'GSL006/AI_Micro_Trend_Hunter story title': 10,
    'code-mj12/hn-ai-sentiment comment': 211,
    'code-mj12/hn-ai-sentiment story': 150,
    'kwfung/claude-code-issues-dashboard issue': 200,
    'engineerliz/ai-coding-research comment': 150,
    'lucyfarnik/ai-sentiment-analysis comment': 80,
  },
  // Training only, one annotation pass: more of the opinion-heavy repositories.
  2: {
    'maifeeulasad/LocalLLaMA comment': 1000,
    'maifeeulasad/LocalLLaMA post': 150,
    'waprin/claude-vs-codex-dashboard comment': 1000,
    'waprin/claude-vs-codex-dashboard post': 100,
    'engineerliz/ai-coding-research comment': 150,
  },
  // Training only, one pass, drawn at random again: a simulation on round 2 (unsure-draw-sim.ts)
  // could not tell posts drawn where the model is unsure (round 3) from random ones.
  4: {
    'maifeeulasad/LocalLLaMA comment': 700,
    'maifeeulasad/LocalLLaMA post': 100,
    'waprin/claude-vs-codex-dashboard comment': 500,
    'engineerliz/ai-coding-research comment': 100,
  },
};
/** Rounds labelled by two independent passes; the others by one. */
const DOUBLE_PASS_ROUNDS = new Set([1]);

/**
 * Rounds drawn where the shipped model is unsure rather than by strata (round 3 by devsent-6: to draw it
 * again, pass its weights with `--model FILE`, from `git show 48897e4:src/understand/sentiment/devsent-weights.json`): from
 * every stratum above, posts with a linked mention read in the unsure band (unsure-band.ts), `posts`
 * of them at random. `secondPass` of them are labelled again by an independent pass, for agreement.
 */
const UNSURE_ROUNDS: Record<number, typeof UNSURE_BAND & { posts: number; secondPass: number }> = {
  3: { posts: 1400, ...UNSURE_BAND, secondPass: 200 },
};

const SAMPLE_FILE = path.join(LABELS_DIR, 'sample.json');

interface SampleEntry {
  id: string;
  round: number;
  split: 'train' | 'test';
}

/** Every surface form of every tracked entity, case-insensitive, with no disambiguation: hints only. */
function buildCandidateFinder(): (text: string) => string[] {
  const registry = loadEntityRegistry();
  const surfaces: Array<{ slug: string; pattern: RegExp }> = [];
  for (const entity of registry.entities) {
    const d = entity.disambiguation;
    const all = new Set([entity.name, ...entity.aliases, ...d.ambiguousAliases, ...(d.strictAliases ?? []), ...d.caseSensitiveAliases]);
    for (const surface of all) {
      surfaces.push({ slug: entity.slug, pattern: new RegExp(`(?<![\\p{L}\\p{N}_])${compileAliasSource(surface)}`, 'giu') });
    }
  }
  return (text) => {
    const found = new Map<string, Set<string>>();
    for (const { slug, pattern } of surfaces) {
      for (const match of text.matchAll(pattern)) {
        const key = match[0];
        if (!found.has(key)) found.set(key, new Set());
        found.get(key)!.add(slug);
      }
    }
    return [...found].map(([surface, slugs]) => `"${surface}" -> ${[...slugs].join(' / ')}`);
  };
}

/** P(negative) from a reading: score is P(positive) - P(negative), confidence the chosen class's probability. */
function negativeProbability(r: SentimentResult): number {
  if (r.label === 'negative') return r.confidence;
  if (r.label === 'positive') return r.confidence - r.score;
  return (1 - r.confidence - r.score) / 2;
}

function formatPost(post: PoolPost, candidates: string[]): string {
  const where = post.provenance.subreddit
    ? `${post.source} ${post.provenance.kind}, r/${post.provenance.subreddit}`
    : `${post.source} ${post.provenance.kind}`;
  return [
    `=== ${post.id} (${where}) ===`,
    poolText(post),
    `--- candidates: ${candidates.length ? candidates.join('; ') : 'none found by spelling'}`,
    '',
  ].join('\n');
}

const unsure = UNSURE_ROUNDS[round];
const quotas = QUOTAS[round];
if (!quotas && !unsure) throw new Error(`no quotas for round ${round}`);
const random = createSeededRandom(20261206 + round);
let previous: SampleEntry[] = [];
try {
  previous = (JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(SAMPLE_FILE, 'utf8'))) as { posts: SampleEntry[] }).posts;
} catch {
  previous = [];
}
if (previous.some((p) => p.round === round)) throw new Error(`round ${round} is already in ${SAMPLE_FILE}`);
const taken = new Set(previous.map((p) => p.id));

const pool = loadPool().filter((post) => !taken.has(post.id) && poolText(post).length <= MAX_CHARS && poolText(post).length >= 20);
const byStratum = new Map<string, PoolPost[]>();
for (const post of pool) {
  const key = `${post.provenance.repo} ${post.provenance.kind}`;
  byStratum.set(key, [...(byStratum.get(key) ?? []), post]);
}
const drawn: PoolPost[] = [];
if (unsure) {
  const strata = new Set(Object.values(QUOTAS).flatMap((q) => Object.keys(q)));
  const model = loadSentimentModel(argValue('--model', '') || undefined);
  const linker = createLinker(toLinkableEntities(loadEntityRegistry()));
  const inBand = pool.filter((post) => {
    if (!strata.has(`${post.provenance.repo} ${post.provenance.kind}`)) return false;
    const text = pipelineText(toGoldPost(post));
    const spans = linker
      .link(text)
      .filter((m) => m.direct)
      .map((m) => m.spans);
    return model.classifyTargeted(text, spans).some((r) => inUnsureBand(r.confidence, negativeProbability(r)));
  });
  drawn.push(...shuffled(inBand, random).slice(0, unsure.posts));
  console.log(`unsure band: ${drawn.length} of ${inBand.length} posts in the band`);
} else {
  for (const [stratum, quota] of Object.entries(quotas!)) {
    const available = byStratum.get(stratum) ?? [];
    const picked = shuffled(available, random).slice(0, quota);
    console.log(`${stratum}: ${picked.length} of ${available.length}`);
    drawn.push(...picked);
  }
}

const order = shuffled(drawn, random);
const testCount = round === 1 ? Math.round(order.length * TEST_SHARE) : 0;
const entries: SampleEntry[] = order.map((post, i) => ({ id: post.id, round, split: i < testCount ? 'test' : 'train' }));
mkdirSync(LABELS_DIR, { recursive: true });
const all = [...previous, ...entries].sort((a, b) => a.id.localeCompare(b.id));
writeFileSync(
  SAMPLE_FILE,
  `${JSON.stringify({ maxChars: MAX_CHARS, testShare: TEST_SHARE, quotas: QUOTAS, unsure: UNSURE_ROUNDS, posts: all }, null, 1)}\n`,
);

// Two passes see the same posts in different orders and batches, so neither pass's batches line up.
const findCandidates = buildCandidateFinder();
mkdirSync(outDir, { recursive: true });
const passes = DOUBLE_PASS_ROUNDS.has(round)
  ? ([
      ['A', order],
      ['B', shuffled(order, random)],
    ] as const)
  : unsure
    ? ([
        ['A', order],
        ['B', shuffled(order.slice(0, unsure.secondPass), random)],
      ] as const)
    : ([['A', order]] as const);
for (const [pass, posts] of passes) {
  for (let b = 0; b * BATCH_SIZE < posts.length; b += 1) {
    const batch = posts.slice(b * BATCH_SIZE, (b + 1) * BATCH_SIZE);
    const file = path.join(outDir, `r${round}-${pass}-${String(b + 1).padStart(2, '0')}.txt`);
    writeFileSync(file, batch.map((post) => formatPost(post, findCandidates(poolText(post)))).join('\n'));
  }
}
console.log(`round ${round}: ${entries.length} posts (${testCount} test), batches of ${BATCH_SIZE} in ${outDir}`);
