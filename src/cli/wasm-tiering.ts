import { setFlagsFromString } from 'node:v8';

/**
 * The embedded database is PostgreSQL compiled to WebAssembly. V8 runs it first with its baseline
 * compiler and recompiles the functions that get hot with its optimizing one, in background
 * threads; PostgreSQL's own start-up makes many of them hot, and a process cannot exit before
 * their recompilation ends. A command that runs once pays that in full and gains little from it:
 * `npm run bench -- start` times `entities list` on a migrated database at 1.84 s against 3.53 s
 * with V8's defaults (same run); on two busy cores an import of 25,000 posts took 30 s against 44 s.
 *
 * A long-running process is the other way round (warm optimized code ran a heavy aggregate query
 * 2.4 times faster), so the CLI calls this for one-shot commands only. V8 reads these flags when a
 * module is compiled, so this runs before any database is opened. Flags given to node itself win:
 * nothing is changed when any `--wasm-*` or `--liftoff*` flag is set.
 */
export const BASELINE_WASM_FLAGS = ['--no-wasm-tier-up', '--no-wasm-dynamic-tiering'] as const;

export function keepBaselineWasm(): void {
  if (process.execArgv.some((arg) => arg.startsWith('--wasm') || arg.startsWith('--liftoff') || arg.startsWith('--no-wasm'))) return;
  for (const flag of BASELINE_WASM_FLAGS) setFlagsFromString(flag);
}
