import { writeFileSync } from 'node:fs';
import { encodeAspectArtifact } from '../../src/understand/aspects/aspect-artifact.ts';
import { assignGroupFolds } from '../../src/understand/sentiment/train.ts';
import { aspectFeatures, readAspectsWith } from '../../src/understand/aspects/aspect-model.ts';
import { buildMentionCases, evaluateAspects, extractForCase, type MentionCase } from '../../src/understand/aspects/evaluate-aspects.ts';
import { ASPECT_TRAIN_OPTIONS, trainAspectModel, type AspectExample } from '../../src/understand/aspects/train-aspect-model.ts';
import { loadRealAspectPosts } from './real-posts.ts';

/**
 * Trains the learned aspect tier on the dev split of labels/flows, or measures it out of fold.
 *
 *   tsx scripts/aspects/train-aspect-model.ts --folds 5 [--threshold T ...]   out-of-fold figures on the dev split
 *   tsx scripts/aspects/train-aspect-model.ts --out src/understand/aspects/aspect-weights.json [--version aspects-N]
 *     trains on all of it and writes the weights (version aspects-1 unless given: a new recipe needs a
 *     new version, so rescore re-reads stored posts)
 */
const args = process.argv.slice(2);
const argValue = (flag: string): string | undefined => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const folds = Number(argValue('--folds') ?? 0);
const options = {
  ...ASPECT_TRAIN_OPTIONS,
  ...Object.fromEntries(
    Object.keys(ASPECT_TRAIN_OPTIONS).flatMap((key) => (argValue(`--${key}`) === undefined ? [] : [[key, Number(argValue(`--${key}`))]])),
  ),
};

const cases = buildMentionCases(loadRealAspectPosts('dev').posts);
const examples: AspectExample[] = cases.map((c) => ({ features: aspectFeatures(c.text, c.spans, c.others), expected: c.expected }));
console.log(`${cases.length} entity mentions in ${new Set(cases.map((c) => c.postId)).size} dev posts`);

const line = (name: string, r: ReturnType<typeof evaluateAspects>) =>
  console.log(
    `${name.padEnd(22)} precision ${r.micro.precision.toFixed(3)} recall ${r.micro.recall.toFixed(3)} F1 ${r.micro.f1.toFixed(3)} polarity ${r.micro.polarityAccuracy.toFixed(3)} macro-F1 ${r.macroF1.toFixed(3)}`,
  );

if (folds > 1) {
  const foldOf = assignGroupFolds(
    cases.map((c) => c.postId),
    folds,
    options.seed,
  );
  const byCase = new Map<MentionCase, ReturnType<typeof readAspectsWith>>();
  for (let f = 0; f < folds; f++) {
    const model = trainAspectModel(
      examples.filter((_, i) => foldOf[i] !== f),
      'cv',
      options,
    );
    cases.forEach((c, i) => {
      if (foldOf[i] === f) byCase.set(c, readAspectsWith(model, examples[i]!.features, c.text, c.spans, 0));
    });
  }
  line('rules', evaluateAspects(cases, extractForCase));
  // The rules' findings stand; the threshold says from which probability the model adds an aspect.
  const rules = new Map(cases.map((c, i) => [c, examples[i]!.features.rules]));
  for (const threshold of [0.3, 0.4, 0.5, 0.6, 0.7])
    line(
      `rules + model >= ${threshold}${threshold === options.threshold ? ' *' : ''}`,
      evaluateAspects(cases, (c) => byCase.get(c)!.filter((f) => rules.get(c)!.includes(f) || f.confidence >= threshold)),
    );
}

const out = argValue('--out');
if (out) {
  const model = trainAspectModel(examples, argValue('--version') ?? 'aspects-1', options);
  const artifact = encodeAspectArtifact(model, {
    data: 'labels/flows/labels.jsonl, dev split',
    posts: new Set(cases.map((c) => c.postId)).size,
    entityMentions: cases.length,
    options,
  });
  writeFileSync(out, `${JSON.stringify(artifact)}\n`);
  console.log(`wrote ${out} (${model.version})`);
}
