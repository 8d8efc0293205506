import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSeededRandom } from '../src/core/seeded-random.ts';
import { loadSentimentModel } from '../src/understand/sentiment/index.ts';

/**
 * Sentiment speed: the committed model in this process on one core (plain texts, and targeted
 * readings of every mention of a post), then `vibecheck sentiment classify` on a CSV of
 * BENCH_TEXTS texts (default 100,000) as a user runs it, start-up included: in its main thread
 * alone, and with its default worker threads.
 *
 *   npm run bench -- classify
 */

const COUNT = Number(process.env.BENCH_TEXTS ?? 100_000);
const random = createSeededRandom(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const TOOLS = ['Cursor', 'Claude Code', 'Copilot', 'Codex', 'Gemini CLI', 'Aider', 'Zed', 'Windsurf', 'Sonnet 4.5', 'GPT-5', 'Qwen3'];
const OPENINGS = ['Honestly', 'Been using', 'After a week with', 'Tried', 'Switched from', 'Anyone else think', 'Not sure why', 'So far'];
const MIDDLES = [
  'it keeps crashing on large repos and eats my RAM',
  'the tab completion is scary good and it rarely gets in the way',
  'the new pricing is a joke, I hit the limit by Tuesday',
  'works fine for small scripts but struggles with our monorepo',
  'it wrote the migration and the tests in one go',
  'does anyone know how to change the default model in the settings?',
  'the agent loop is slow but the code it writes compiles',
];
const ENDINGS = ['', ' Not going back.', ' Would not recommend.', ' YMMV.', ' 10/10.', ' Meh.', ' Thoughts?'];

function makeText(): { text: string; spans: Array<{ start: number; end: number }[]> } {
  const first = pick(TOOLS);
  const second = pick(TOOLS);
  const head = `${pick(OPENINGS)} ${first}: `;
  const text = `${head}${pick(MIDDLES)}, while ${second} ${pick(MIDDLES)}.${pick(ENDINGS)}`;
  const secondAt = text.indexOf(second, head.length);
  return {
    text,
    spans: [[{ start: head.length - first.length - 2, end: head.length - 2 }], [{ start: secondAt, end: secondAt + second.length }]],
  };
}

const texts = Array.from({ length: COUNT }, makeText);
const meanChars = Math.round(texts.reduce((n, t) => n + t.text.length, 0) / texts.length);
const model = loadSentimentModel();
for (let i = 0; i < 2000; i += 1) model.classify(texts[i]!.text);

function rate(run: () => void, items: number): number {
  const started = performance.now();
  run();
  return items / ((performance.now() - started) / 1000);
}
const plain = rate(() => texts.forEach((t) => model.classify(t.text)), texts.length);
const targeted = rate(() => texts.forEach((t) => model.classifyTargeted(t.text, t.spans)), texts.length);
console.log(`model ${model.version}, ${COUNT} texts, mean ${meanChars} chars, one core, in process:`);
console.log(`  classify (plain text):            ${Math.round(plain).toLocaleString('en')} texts/s`);
console.log(
  `  classifyTargeted (two mentions):  ${Math.round(targeted).toLocaleString('en')} posts/s (${Math.round(targeted * 2).toLocaleString('en')} mentions/s)`,
);

const dir = mkdtempSync(path.join(tmpdir(), 'vibecheck-bench-classify-'));
try {
  const csv = path.join(dir, 'texts.csv');
  writeFileSync(csv, `id,text\n${texts.map((t, i) => `${i},"${t.text.replace(/"/g, '""')}"`).join('\n')}\n`);
  const bin = fileURLToPath(new URL('../bin/vibecheck', import.meta.url));
  const classifyFile = (threads: string[]): { rows: number; seconds: number } => {
    const started = performance.now();
    const result = spawnSync(process.execPath, [bin, 'sentiment', 'classify', ...threads, csv], {
      maxBuffer: 1 << 30,
      env: { ...process.env, LOG_LEVEL: 'warn' },
    });
    const seconds = (performance.now() - started) / 1000;
    if (result.status !== 0) throw new Error(`vibecheck sentiment classify exited ${result.status}: ${String(result.stderr)}`);
    return { rows: String(result.stdout).trim().split('\n').length - 1, seconds };
  };
  for (const [name, threads] of [
    ['--threads 0 (main thread only)', ['--threads', '0']],
    ['default threads (cores - 1)', []],
  ] as const) {
    const { rows, seconds } = classifyFile([...threads]);
    console.log(
      `  vibecheck sentiment classify, ${name}: ${rows.toLocaleString('en')} rows in ${seconds.toFixed(2)} s wall, start-up included: ${Math.round(rows / seconds).toLocaleString('en')} texts/s`,
    );
  }
  const version = spawnSync(process.execPath, [bin, '--version']);
  const startup = performance.now();
  spawnSync(process.execPath, [bin, '--version']);
  const startupSeconds = (performance.now() - startup) / 1000;
  console.log(`  (vibecheck --version ${String(version.stdout).trim()} takes ${startupSeconds.toFixed(2)} s wall)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
