import { createLinker, toLinkableEntities } from '../../src/understand/linking/index.ts';
import { loadEntityRegistry } from '../../src/pipeline/entities.ts';
import { pipelineText } from './datasets.ts';
import { loadLabelledPool, type Split } from './gold.ts';

/**
 * Linking against our labelled real posts: precision, recall and every error with its context.
 *
 *   tsx scripts/opinion/linking-errors.ts [--split train|test] [--quiet]
 */
const split = (process.argv.includes('--split') ? process.argv[process.argv.indexOf('--split') + 1] : 'train') as Split;
const quiet = process.argv.includes('--quiet');
const linker = createLinker(toLinkableEntities(loadEntityRegistry()));
let tp = 0;
let fp = 0;
let fn = 0;
const snippet = (text: string, at: number): string => text.slice(Math.max(0, at - 60), at + 60).replace(/\s+/g, ' ');
for (const post of loadLabelledPool(split)) {
  const text = pipelineText(post);
  const found = new Map(
    linker
      .link(text)
      .filter((m) => m.direct)
      .map((m) => [m.slug, m]),
  );
  for (const slug of Object.keys(post.labels)) {
    if (found.has(slug)) tp += 1;
    else {
      fn += 1;
      if (!quiet) console.log(`FN ${post.id} ${slug}: ${text.slice(0, 160).replace(/\s+/g, ' ')}`);
    }
  }
  for (const [slug, m] of found) {
    if (slug in post.labels) continue;
    fp += 1;
    if (!quiet) console.log(`FP ${post.id} ${slug} "${m.matchedText}": ${snippet(text, m.start)}`);
  }
}
console.log(`${split}: precision ${(tp / (tp + fp)).toFixed(3)}, recall ${(tp / (tp + fn)).toFixed(3)} (tp ${tp}, fp ${fp}, fn ${fn})`);
