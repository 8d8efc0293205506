import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { extractAspects } from '../src/understand/aspects/extract-aspects.ts';
import { buildMentionCases, evaluateAspects, parseLabelledPosts, type LabelledPost } from '../src/understand/aspects/evaluate-aspects.ts';
import { bootstrapInterval, groupBy } from './bootstrap.ts';
import { FLOW_LABELS_DIR, readFlowLabels, readFlowSample } from './flows/labels.ts';
import { loadPool, poolText } from './opinion/pool.ts';

// Usage: npm run eval:aspects [-- --errors] [-- --file path/to/posts.jsonl]
//        npm run eval:aspects -- --real dev|test [--labels FILE] [--errors]
// --real scores real posts labelled in labels/flows (texts read from ../shared). Errors are shown for
// the dev split only: the test split is for figures, never for reading while changing rules.
const args = process.argv.slice(2);
const argValue = (flag: string): string | undefined => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const real = argValue('--real');
if (real !== undefined && real !== 'dev' && real !== 'test') throw new Error('--real takes dev or test');
const file = resolve(
  real ? (argValue('--labels') ?? `${FLOW_LABELS_DIR}/labels.jsonl`) : (argValue('--file') ?? 'test/data/understand/posts.jsonl'),
);
const showErrors = args.includes('--errors') && real !== 'test';

function realPosts(split: 'dev' | 'test'): { posts: LabelledPost[]; skipped: number } {
  const { labels, errors } = readFlowLabels(file);
  const inSplit = new Set(
    readFlowSample()
      .filter((p) => p.split === split)
      .map((p) => p.id),
  );
  const pool = new Map(loadPool().map((p) => [p.id, p]));
  const posts = labels
    .filter((l) => inSplit.has(l.id))
    .map((l) => ({
      id: l.id,
      source: pool.get(l.id)!.source,
      text: poolText(pool.get(l.id)!),
      entities: Object.keys(l.aspects),
      aspects: l.aspects,
    }));
  return { posts, skipped: errors.length };
}

const { posts, skipped } = real ? realPosts(real) : parseLabelledPosts(readFileSync(file, 'utf8'));
const cases = buildMentionCases(posts);
const result = evaluateAspects(cases);

const pct = (x: number): string => (x * 100).toFixed(1).padStart(6);
console.log(`aspects first tier on ${file}${real ? ` (real posts, ${real} split)` : ''}`);
console.log(
  `${posts.length} posts (${skipped} lines skipped), ${result.cases} entity mentions, ${result.unlocated} not located by name (whole post used)`,
);
console.log('');
console.log('aspect            TP   FP   FN   prec  recall      F1  polarity-acc');
for (const s of [...result.perAspect, result.micro]) {
  console.log(
    `${s.aspect.padEnd(15)} ${String(s.truePositives).padStart(4)} ${String(s.falsePositives).padStart(4)} ${String(s.falseNegatives).padStart(4)} ${pct(s.precision)} ${pct(s.recall)} ${pct(s.f1)} ${pct(s.polarityAccuracy)}`,
  );
}
console.log(`macro-F1 over labelled aspects: ${pct(result.macroF1)}`);
// How far another sample of as many posts could read: micro precision and recall over posts resampled with replacement.
const postCounts = groupBy(cases, (c) => c.postId).map((group) => evaluateAspects(group).micro);
const microInterval = (part: (m: (typeof postCounts)[number]) => number) => {
  const { low, high } = bootstrapInterval(postCounts, (drawn) => {
    const tp = drawn.reduce((n, m) => n + m.truePositives, 0);
    const all = drawn.reduce((n, m) => n + part(m), 0);
    return all === 0 ? 0 : tp / all;
  });
  return `${pct(low).trim()}-${pct(high).trim()}`;
};
console.log(
  `95% interval resampling posts: micro precision ${microInterval((m) => m.truePositives + m.falsePositives)}, recall ${microInterval((m) => m.truePositives + m.falseNegatives)}`,
);

const spans = cases.flatMap((c) => c.spans.map((span) => ({ text: c.text, span, others: c.others })));
// Several short rounds, best and median reported: on a shared machine the best is the least disturbed.
for (const m of spans) extractAspects(m.text, m.span, { otherMentions: m.others });
const rates: number[] = [];
for (let round = 0; round < 7 && spans.length > 0; round++) {
  let mentions = 0;
  const started = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < 0.3) {
    for (const m of spans) extractAspects(m.text, m.span, { otherMentions: m.others });
    mentions += spans.length;
    elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  }
  rates.push(mentions / elapsed);
}
rates.sort((a, b) => a - b);
const fmt = (x: number | undefined): string => Math.round(x ?? 0).toLocaleString('en-US');
console.log(
  `throughput: best ${fmt(rates.at(-1))} mentions/s, median ${fmt(rates[Math.floor(rates.length / 2)])} mentions/s on one core (${rates.length} rounds of 0.3 s)`,
);

if (showErrors) {
  console.log('');
  for (const e of result.errors) console.log(`${e.postId} ${e.slug} ${e.aspect} ${e.kind}: ${e.detail}`);
}
