import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseSettings } from '../src/config/settings.ts';
import { forEachLimited, LLM_CONCURRENCY } from '../src/pipeline/ingest.ts';
import { createLlmAspectTier, isUnsure, type AspectFinding } from '../src/understand/aspects/index.ts';
import {
  buildMentionCases,
  evaluateAspects,
  extractForCase,
  parseLabelledPosts,
  readForCase,
  type AspectEvaluation,
  type MentionCase,
} from '../src/understand/aspects/evaluate-aspects.ts';
import { createLlmEndpoint } from '../src/understand/llm/index.ts';
import { bootstrapInterval, groupBy } from './bootstrap.ts';
import { loadRealAspectPosts } from './aspects/real-posts.ts';
import { FLOW_LABELS_DIR } from './flows/labels.ts';

// Usage: npm run eval:aspects [-- --errors] [-- --file path/to/posts.jsonl] [-- --tier rules] [-- --llm]
//        npm run eval:aspects -- --real dev|test [--labels FILE] [--errors] [--tier rules] [--llm | --llm-every]
// --real scores real posts labelled in labels/flows (texts read from ../shared). Errors are shown for
// the dev split only: the test split is for figures, never for reading while changing rules. The
// shipped first tier (the learned model over the rules) is scored, or the rules alone with --tier rules.
// --llm also scores the first tier with the optional LLM tier's readings (LLM_BASE_URL, LLM_MODEL,
// LLM_API_KEY if needed) of the entities it is unsure of, as ingest asks; the call budget is
// LLM_DAILY_BUDGET when set, otherwise one call per entity asked. --llm-every asks about every located
// entity instead, as ingest does with LLM_ASPECTS=every.
const args = process.argv.slice(2);
const argValue = (flag: string): string | undefined => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const real = argValue('--real');
if (real !== undefined && real !== 'dev' && real !== 'test') throw new Error('--real takes dev or test');
const file = resolve(
  real ? (argValue('--labels') ?? `${FLOW_LABELS_DIR}/labels.jsonl`) : (argValue('--file') ?? 'test/data/understand/posts.jsonl'),
);
const showErrors = args.includes('--errors') && real !== 'test';
const tier = argValue('--tier') ?? 'model';
if (tier !== 'model' && tier !== 'rules') throw new Error('--tier takes model or rules');
const extract = tier === 'model' ? readForCase : extractForCase;
const every = args.includes('--llm-every');
const llm = every || args.includes('--llm') ? parseSettings(process.env).llm : undefined;
if ((every || args.includes('--llm')) && !llm) {
  console.error('--llm: set LLM_BASE_URL and LLM_MODEL (and LLM_API_KEY if the endpoint needs one) to an OpenAI-compatible endpoint');
  process.exit(2);
}

const { posts, skipped } = real ? loadRealAspectPosts(real, file) : parseLabelledPosts(readFileSync(file, 'utf8'));
const cases = buildMentionCases(posts);

const pct = (x: number): string => (x * 100).toFixed(1).padStart(6);

/** One reader's table: per aspect and micro, macro-F1, and micro intervals from resampling posts. */
function report(read: (c: MentionCase) => AspectFinding[]): AspectEvaluation {
  const result = evaluateAspects(cases, read);
  console.log('aspect            TP   FP   FN   prec  recall      F1  polarity-acc');
  for (const s of [...result.perAspect, result.micro]) {
    console.log(
      `${s.aspect.padEnd(15)} ${String(s.truePositives).padStart(4)} ${String(s.falsePositives).padStart(4)} ${String(s.falseNegatives).padStart(4)} ${pct(s.precision)} ${pct(s.recall)} ${pct(s.f1)} ${pct(s.polarityAccuracy)}`,
    );
  }
  console.log(`macro-F1 over labelled aspects: ${pct(result.macroF1)}`);
  // How far another sample of as many posts could read: micro precision and recall over posts resampled with replacement.
  const postCounts = groupBy(cases, (c) => c.postId).map((group) => evaluateAspects(group, read).micro);
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
  return result;
}

console.log(
  `aspects first tier (${tier === 'model' ? 'learned model over the rules' : 'rules alone'}) on ${file}${real ? ` (real posts, ${real} split)` : ''}`,
);
console.log(
  `${posts.length} posts (${skipped} lines skipped), ${cases.length} entity mentions, ${cases.filter((c) => !c.located).length} not located by name (whole post used)`,
);
console.log('');
const result = report(extract);

if (llm) {
  // As ingest asks: an entity whose first-tier findings are unsure, about its first mention; with
  // --llm-every, every located entity, as LLM_ASPECTS=every asks.
  const asked = cases.filter((c) => c.located && (every || isUnsure(extract(c), c.text, c.spans, { otherMentions: c.others })));
  const tierOf = createLlmAspectTier({
    endpoint: createLlmEndpoint({
      baseUrl: llm.baseUrl,
      apiKey: llm.apiKey ?? 'unused',
      model: llm.model,
      dailyBudget: process.env.LLM_DAILY_BUDGET ? llm.dailyBudget : Math.max(1, asked.length),
      timeoutMs: 20_000,
    }),
  });
  const refined = new Map<MentionCase, AspectFinding[]>();
  const outcomes = new Map<string, number>();
  await forEachLimited(asked, LLM_CONCURRENCY, async (c) => {
    const answer = await tierOf.refine(c.text, c.spans[0]!, c.slug, extract(c));
    const outcome = answer.tier === 'llm' ? 'answered' : `kept the first tier: ${answer.reason ?? 'unknown'}`;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    if (answer.tier === 'llm') refined.set(c, answer.findings);
  });
  console.log('');
  console.log(
    `with the LLM tier (${llm.model}): asked about ${asked.length} of ${cases.length} entity mentions (${every ? 'every located one' : 'the first tier unsure'})`,
  );
  for (const [outcome, n] of outcomes) console.log(`  ${outcome}: ${n}`);
  report((c) => refined.get(c) ?? extract(c));
}

// Several short rounds, best and median reported: on a shared machine the best is the least disturbed.
for (const c of cases) extract(c);
const rates: number[] = [];
for (let round = 0; round < 7 && cases.length > 0; round++) {
  let mentions = 0;
  const started = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < 0.3) {
    for (const c of cases) extract(c);
    mentions += cases.length;
    elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  }
  rates.push(mentions / elapsed);
}
rates.sort((a, b) => a - b);
const fmt = (x: number | undefined): string => Math.round(x ?? 0).toLocaleString('en-US');
console.log(
  `throughput: best ${fmt(rates.at(-1))} entities/s, median ${fmt(rates[Math.floor(rates.length / 2)])} entities/s on one core (${rates.length} rounds of 0.3 s; every mention of an entity read)`,
);

if (showErrors) {
  console.log('');
  for (const e of result.errors) console.log(`${e.postId} ${e.slug} ${e.aspect} ${e.kind}: ${e.detail}`);
}
