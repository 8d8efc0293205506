import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { ARTIFACT_URL } from '../src/understand/sentiment/artifact.ts';
import { loadDataSet, resolveDataDir } from '../src/understand/sentiment/dataset.ts';
import { SENTIMENT_RECIPE, buildSentimentArtifact, serializeArtifact } from '../src/understand/sentiment/recipe.ts';

// Rebuilds src/understand/sentiment/devsent-weights.json from the shared labelled data.
// `--out PATH` writes elsewhere (used to check that two runs give identical bytes).
const outIndex = process.argv.indexOf('--out');
const outPath = outIndex >= 0 && process.argv[outIndex + 1] ? process.argv[outIndex + 1]! : fileURLToPath(ARTIFACT_URL);

const started = performance.now();
const dataDir = resolveDataDir();
const data = [...loadDataSet('stackoverflow', dataDir), ...loadDataSet('github', dataDir)];
console.log(`training ${SENTIMENT_RECIPE.version} on ${data.length} texts from ${dataDir}`);
const text = serializeArtifact(buildSentimentArtifact(data));
let previous = '';
try {
  previous = readFileSync(outPath, 'utf8');
} catch {
  previous = '';
}
writeFileSync(outPath, text);
const sha = createHash('sha256').update(text).digest('hex').slice(0, 16);
console.log(`wrote ${outPath} (${(text.length / 1024 / 1024).toFixed(2)} MB, sha256 ${sha})`);
console.log(previous === text ? 'identical to the previous artifact' : 'differs from the previous artifact');
console.log(`took ${((performance.now() - started) / 1000).toFixed(1)} s`);
