import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { ARTIFACT_URL } from '../src/understand/sentiment/artifact.ts';
import { SENTIMENT_RECIPE, buildSentimentArtifact, serializeArtifact } from '../src/understand/sentiment/recipe.ts';
import { loadTrainingData } from './opinion/training-data.ts';

// Rebuilds src/understand/sentiment/devsent-weights.json from labels/opinion and ../shared/data.
// `--out PATH` writes elsewhere (used to check that two runs give identical bytes).
const outIndex = process.argv.indexOf('--out');
const outPath = outIndex >= 0 && process.argv[outIndex + 1] ? process.argv[outIndex + 1]! : fileURLToPath(ARTIFACT_URL);

const started = performance.now();
const data = loadTrainingData(SENTIMENT_RECIPE.data);
console.log(
  `training ${SENTIMENT_RECIPE.version} on ${data.targeted.length} labelled (post, entity) pairs ` +
    `(${data.unplaced} gold pairs whose name is not in the text left out) and ${data.extra.length} other texts`,
);
const artifact = buildSentimentArtifact(data);
const text = serializeArtifact(artifact);
let previous = '';
try {
  previous = readFileSync(outPath, 'utf8');
} catch {
  previous = '';
}
writeFileSync(outPath, text);
const sha = createHash('sha256').update(text).digest('hex').slice(0, 16);
console.log(
  `out-of-fold macro-F1 of the labelled pairs ${JSON.stringify(artifact.training.crossValidatedMacroF1)}; shift ${JSON.stringify(artifact.training.shift)}, temperature ${artifact.temperature}`,
);
console.log(`wrote ${outPath} (${(text.length / 1024 / 1024).toFixed(2)} MB, sha256 ${sha})`);
console.log(previous === text ? 'identical to the previous artifact' : 'differs from the previous artifact');
console.log(`took ${((performance.now() - started) / 1000).toFixed(1)} s`);
