import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseSettings } from '../src/config/settings.ts';
import { loadEntityRegistry } from '../src/pipeline/entities.ts';
import {
  createLlmFlowTier,
  extractFlows,
  flowEntities,
  mayStateFlow,
  mentionOccurrences,
  type Flow,
  type FlowEntity,
  type FlowMention,
} from '../src/understand/flows/index.ts';
import { forEachLimited, LLM_CONCURRENCY } from '../src/pipeline/ingest.ts';
import { createLlmEndpoint } from '../src/understand/llm/index.ts';
import { createLinker, toLinkableEntities } from '../src/understand/linking/index.ts';
import { FLOW_LABELS_DIR, loadFlowPosts, type FlowPost, type FlowSampleEntry } from './flows/labels.ts';
import { bootstrapInterval } from './bootstrap.ts';
import { keyOf, matchFlows } from './flows/match.ts';

/**
 * Scores flow extraction (src/understand/flows) against the labelled real posts of labels/flows:
 *
 *   npm run eval:flows [-- --labels FILE] [--split dev|test|all] [--errors] [--llm]
 *
 * A predicted flow is right when a labelled flow of the same post has the same (from, to, kind);
 * each labelled flow is matched at most once. Reason accuracy is over the matched flows. Figures are
 * given per split (dev, test) and per draw (cue: posts with a movement cue; random). Per-post errors
 * (--errors) are printed for the dev split only: test posts are never read while tuning the rules.
 *
 * --llm also reads the posts through the optional LLM flow tier (src/understand/flows/llm-tier.ts),
 * as ingest does: only posts with a linked entity and a rules flow or a movement cue are asked, and
 * an answer replaces the rules' flows of its post. It needs LLM_BASE_URL and LLM_MODEL (LLM_API_KEY
 * when the endpoint wants one) and prints the rules' figures and the rules+tier figures side by
 * side, with the same matching; --errors then shows the rules+tier errors. The calls are capped by
 * LLM_DAILY_BUDGET only when it is set (otherwise one call per post asked); a post the tier could
 * not answer (budget, timeout, garbage) keeps the rules' flows, and the reasons are counted.
 */

const argValue = (flag: string): string | undefined => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const labelsFile = path.resolve(argValue('--labels') ?? path.join(FLOW_LABELS_DIR, 'labels.jsonl'));
const splitArg = argValue('--split') ?? 'all';
const showErrors = process.argv.includes('--errors');
const withLlm = process.argv.includes('--llm');

if (!['dev', 'test', 'all'].includes(splitArg)) {
  console.error(`--split: expected dev, test or all, not "${splitArg}"`);
  process.exit(2);
}
if (!existsSync(labelsFile)) {
  console.error(`no labels at ${labelsFile}; pass --labels FILE (labels/flows/ANNOTATION.md describes the format)`);
  process.exit(2);
}

const llm = withLlm ? parseSettings(process.env).llm : undefined;
if (withLlm && !llm) {
  console.error('--llm: set LLM_BASE_URL and LLM_MODEL (and LLM_API_KEY if the endpoint needs one) to an OpenAI-compatible endpoint');
  process.exit(2);
}

const { posts, errors, unplaced } = loadFlowPosts(labelsFile);
if (errors.length > 0) {
  console.error(`${errors.length} malformed label line(s), first: ${errors[0]}`);
  process.exit(1);
}
const registry = loadEntityRegistry();
const linker = createLinker(toLinkableEntities(registry));
const nameOf = new Map(registry.entities.map((e) => [e.slug, e.name]));

interface Tally {
  posts: number;
  gold: number;
  predicted: number;
  matched: number;
  reasonRight: number;
}
const empty = (): Tally => ({ posts: 0, gold: 0, predicted: 0, matched: 0, reasonRight: 0 });
/**
 * Each post's tally, keyed by "reader split draw"; the reader is `rules`, or `+llm` for the rules with
 * the tier's answers. A row's figures are their sum; the intervals resample them.
 */
const postTallies = new Map<string, Tally[]>();
const sum = (list: readonly Tally[]): Tally => {
  const total = empty();
  for (const t of list) for (const k of Object.keys(t) as (keyof Tally)[]) total[k] += t[k];
  return total;
};
const add = (key: string, t: Tally) => {
  const list = postTallies.get(key);
  if (list) list.push(t);
  else postTallies.set(key, [t]);
};

interface Item {
  label: FlowPost['label'];
  entry: FlowSampleEntry;
  text: string;
  mentions: FlowMention[];
  /** The tracked entities the tier would be told about, as ingest tells it. */
  entities: FlowEntity[];
  rules: Flow[];
}

const items: Item[] = [];
for (const { label, entry, text } of posts) {
  if (splitArg !== 'all' && entry.split !== splitArg) continue;
  const mentions = mentionOccurrences(linker.link(text));
  items.push({
    label,
    entry,
    text,
    mentions,
    entities: flowEntities(mentions, (slug) => nameOf.get(slug) ?? slug),
    rules: extractFlows(text, mentions),
  });
}

/** The tier's reading of each post it was asked about, when it answered; how the others fared. */
const tierFlows = new Map<Item, Flow[]>();
const outcomes = new Map<string, number>();
let askedPosts = 0;
let goldInAsked = 0;
if (llm) {
  const asked = items.filter((item) => mayStateFlow(item.text, item.entities.length, item.rules.length));
  askedPosts = asked.length;
  goldInAsked = asked.reduce((sum, item) => sum + item.label.flows.length, 0);
  const endpoint = createLlmEndpoint({
    baseUrl: llm.baseUrl,
    apiKey: llm.apiKey ?? 'unused',
    model: llm.model,
    dailyBudget: process.env.LLM_DAILY_BUDGET ? llm.dailyBudget : Math.max(1, asked.length),
    timeoutMs: 20_000,
  });
  const tier = createLlmFlowTier({ endpoint });
  let done = 0;
  // As many calls in flight as ingest makes.
  await forEachLimited(asked, LLM_CONCURRENCY, async (item) => {
    const refined = await tier.refine(item.text, item.mentions, item.entities, item.rules);
    const outcome = refined.tier === 'llm' ? 'answered' : `kept the rules: ${refined.reason ?? 'unknown'}`;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    if (refined.tier === 'llm') tierFlows.set(item, refined.flows);
    done++;
    if (process.stderr.isTTY) process.stderr.write(`\rasked ${done} of ${asked.length}`);
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
}

const devErrors: string[] = [];
for (const item of items) {
  const { label, entry, text } = item;
  const readers: Array<[string, Flow[]]> = [['rules', item.rules]];
  if (llm) readers.push(['+llm', tierFlows.get(item) ?? item.rules]);
  for (const [reader, predicted] of readers) {
    const { pairs, extra, missed } = matchFlows(label.flows, predicted);
    const t: Tally = {
      posts: 1,
      gold: label.flows.length,
      predicted: predicted.length,
      matched: pairs.length,
      reasonRight: pairs.filter((p) => p.gold.reason === p.predicted.reason).length,
    };
    add(`${reader} ${entry.split} all`, t);
    add(`${reader} ${entry.split} ${entry.draw}`, t);
    // The errors of the last reading: the rules, or the rules with the tier's answers.
    if (reader !== readers.at(-1)![0]) continue;
    const wrongReasons = pairs.filter((p) => p.gold.reason !== p.predicted.reason);
    if (showErrors && entry.split === 'dev' && (extra.length > 0 || missed.length > 0 || wrongReasons.length > 0)) {
      const lines = [`=== ${label.id} (${entry.draw}${llm ? `, ${tierFlows.has(item) ? 'read by the tier' : 'rules'}` : ''}) ===`];
      lines.push(text.length > 700 ? `${text.slice(0, 700)}…` : text);
      for (const f of extra) lines.push(`  + wrong   ${keyOf(f)} [${f.reason ?? '-'}] "${f.evidence.text}"`);
      for (const f of missed) lines.push(`  - missed  ${keyOf(f)} [${f.reason ?? '-'}] "${f.evidence}"`);
      for (const p of wrongReasons)
        lines.push(`  ~ reason  ${keyOf(p.gold)} labelled ${p.gold.reason ?? '-'}, read ${p.predicted.reason ?? '-'}`);
      devErrors.push(lines.join('\n'));
    }
  }
}

const ratio = (a: number, b: number) => (b === 0 ? '   -' : (a / b).toFixed(2));
console.log(`labels: ${labelsFile} (${posts.length + unplaced} posts${unplaced ? `, ${unplaced} not in the sample or the pool` : ''})`);
if (llm) {
  const gold = items.reduce((sum, item) => sum + item.label.flows.length, 0);
  console.log(
    `LLM tier: ${llm.model} at ${llm.baseUrl}; asked about ${askedPosts} of ${items.length} posts (a linked entity and a rules flow or a movement cue), holding ${goldInAsked} of the ${gold} labelled flows`,
  );
  for (const [outcome, n] of [...outcomes].sort((a, b) => b[1] - a[1])) console.log(`  ${outcome}: ${n}`);
  console.log("rules: the word rules alone; +llm: the rules, with the tier's flows in place of theirs on every post it answered");
}
console.log(`split  draw    ${llm ? 'reader ' : ''}posts  gold  pred  match  precision  recall    F1  reason-acc`);
for (const split of ['dev', 'test']) {
  for (const draw of ['all', 'cue', 'random']) {
    for (const reader of llm ? ['rules', '+llm'] : ['rules']) {
      const posts = postTallies.get(`${reader} ${split} ${draw}`);
      if (!posts) continue;
      const t = sum(posts);
      const p = t.predicted === 0 ? null : t.matched / t.predicted;
      const r = t.gold === 0 ? null : t.matched / t.gold;
      const f1 = p !== null && r !== null && p + r > 0 ? ((2 * p * r) / (p + r)).toFixed(2) : '   -';
      console.log(
        `${split.padEnd(6)} ${draw.padEnd(7)} ${llm ? `${reader.padEnd(6)} ` : ''}${String(t.posts).padStart(5)} ${String(t.gold).padStart(5)} ${String(t.predicted).padStart(5)} ${String(t.matched).padStart(6)}  ${ratio(t.matched, t.predicted).padStart(9)}  ${ratio(t.matched, t.gold).padStart(6)}  ${f1.padStart(4)}  ${ratio(t.reasonRight, t.matched).padStart(10)}`,
      );
    }
  }
}
// How far another sample of as many posts could read: posts resampled with replacement.
for (const split of ['dev', 'test']) {
  for (const reader of llm ? ['rules', '+llm'] : ['rules']) {
    const posts = postTallies.get(`${reader} ${split} all`);
    if (!posts) continue;
    const interval = (part: (t: Tally) => number) => {
      const { low, high } = bootstrapInterval(posts, (drawn) => {
        const t = sum(drawn);
        return part(t) === 0 ? 0 : t.matched / part(t);
      });
      return `${low.toFixed(2)}-${high.toFixed(2)}`;
    };
    console.log(
      `${split}${llm ? ` ${reader}` : ''}: 95% interval resampling posts: precision ${interval((t) => t.predicted)}, recall ${interval((t) => t.gold)}`,
    );
  }
}
if (showErrors) console.log(devErrors.length === 0 ? '\n(no dev errors)' : `\n${devErrors.join('\n\n')}`);
