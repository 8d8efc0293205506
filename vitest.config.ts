import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BASELINE_WASM_FLAGS } from './src/cli/wasm-tiering.ts';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/**/*.test.tsx'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most of the slow files wait on child processes, servers and sleeps, not the CPU: two files at
    // once on a 2-core machine (vitest's default there is one).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The test files that open the embedded database in process run it as one-shot commands do
    // (src/cli/wasm-tiering.ts): V8's optimizing recompilation of PostgreSQL's WebAssembly costs
    // seconds of CPU per process that tests never win back. Spawned commands choose for themselves.
    execArgv: [...BASELINE_WASM_FLAGS],
  },
});
