/**
 * How long `vibecheck` takes to start: the median wall time of five runs each of `--version`,
 * `--help` and `sentiment classify` of one line, through bin/vibecheck as a user runs it, on the
 * Node that runs this (Node's own type stripping where it has it, tsx otherwise). Targets (issue 15):
 * --version and --help under 0.3 s, one classified line under 1 s. Then a command that opens the
 * embedded database (`entities list`, migrated beforehand), as shipped (baseline WebAssembly code
 * for one-shot commands, src/cli/wasm-tiering.ts) and, alternating with it, with V8's defaults.
 *
 *   npm run bench -- start            (or: /path/to/node node_modules/.bin/tsx bench/start.ts)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/vibecheck', import.meta.url));
const RUNS = 5;
const dir = mkdtempSync(join(tmpdir(), 'vibecheck-start-'));
const oneLine = join(dir, 'one.csv');
writeFileSync(oneLine, 'id,text\n1,Claude Code is the best agent I have used\n');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

try {
  console.log(
    `node ${process.version}, ${process.features.typescript ? `type stripping (${String(process.features.typescript)})` : 'tsx'}; median of ${RUNS} runs`,
  );
  for (const [label, args, target] of [
    ['--version', ['--version'], 0.3],
    ['--help', ['--help'], 0.3],
    ['sentiment classify, one line', ['sentiment', 'classify', oneLine], 1],
  ] as const) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      execFileSync(process.execPath, [BIN, ...args], { stdio: 'ignore', env: { ...process.env, DATA_DIR: dir } });
      times.push((performance.now() - started) / 1000);
    }
    const m = median(times);
    console.log(`  ${label.padEnd(30)} ${m.toFixed(2)} s (target < ${target} s: ${m < target ? 'met' : 'missed'})`);
  }
  execFileSync(process.execPath, [BIN, 'db', 'migrate'], { stdio: 'ignore', env: { ...process.env, DATA_DIR: dir, LOG_LEVEL: 'warn' } });
  // A --wasm flag given to node leaves V8's defaults in place (the comparison).
  const variants = [
    ['entities list, as shipped', []],
    ['entities list, V8 defaults', ['--wasm-dynamic-tiering']],
  ] as const;
  const times: number[][] = variants.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    variants.forEach(([, flags], v) => {
      const started = performance.now();
      execFileSync(process.execPath, [...flags, BIN, 'entities', 'list'], { stdio: 'ignore', env: { ...process.env, DATA_DIR: dir } });
      times[v]!.push((performance.now() - started) / 1000);
    });
  }
  const [shipped, defaults] = times.map(median) as [number, number];
  variants.forEach(([label], v) => console.log(`  ${label.padEnd(30)} ${median(times[v]!).toFixed(2)} s`));
  console.log(`  as shipped / V8 defaults        ${(shipped / defaults).toFixed(2)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
