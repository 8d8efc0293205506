import { setFlagsFromString } from 'node:v8';

/**
 * The embedded database is PostgreSQL compiled to WebAssembly. V8 runs it first with its baseline
 * compiler and recompiles the functions that get hot with its optimizing one, in background
 * threads; PostgreSQL's own start-up makes many of them hot, and a process cannot exit before
 * their recompilation ends. A command that runs once pays that in full and gains little from it
 * (two busy cores, `npm run bench`-style runs of the compiled CLI, same session):
 *
 * - `alerts list` on a migrated database: 6.3 s -> 2.4 s wall, 4.5 s -> 1.7 s CPU;
 * - `import` of 5,000 posts: 15.7 s -> 6.8 s; of 25,000: 44.1 s -> 29.9 s.
 *
 * A long-running process is the other way round: once warm, optimized code ran a heavy aggregate
 * query 2.4 times faster (0.48 s against 1.17 s). So one-shot commands keep the baseline code and
 * `serve`, `worker` and `collect` (a loop unless `--once`) keep V8's defaults. V8 reads these
 * flags when a module is compiled, so this runs before any database is opened. Flags given to node
 * itself win: nothing is changed when any `--wasm-*` or `--liftoff*` flag is set.
 */
const LONG_RUNNING = new Set(['serve', 'worker', 'collect']);

export function keepBaselineWasmForOneShot(command: string | undefined): void {
  if (command === undefined || LONG_RUNNING.has(command)) return;
  if (process.execArgv.some((arg) => arg.startsWith('--wasm') || arg.startsWith('--liftoff') || arg.startsWith('--no-wasm'))) return;
  setFlagsFromString('--no-wasm-tier-up');
  setFlagsFromString('--no-wasm-dynamic-tiering');
}
