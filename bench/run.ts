// `npm run bench -- NAME` runs bench/NAME.ts; without a name it lists them.
import { readdirSync } from 'node:fs';

const names = readdirSync(new URL('.', import.meta.url))
  .filter((file) => file.endsWith('.ts') && !['run.ts'].includes(file) && !file.startsWith('support'))
  .map((file) => file.replace(/\.ts$/, ''));
const name = process.argv[2];
if (!name || !names.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <${names.join('|')}>\n`);
  process.exit(name ? 2 : 0);
}
await import(new URL(`./${name}.ts`, import.meta.url).href);
