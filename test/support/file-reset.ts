import { afterAll, vi } from 'vitest';

// Test files share a process and its module cache (isolate: false in vitest.config.ts), so what a
// file changes in the process's globals must end with it: stubbed globals and environment variables
// are undone before each test (unstubGlobals, unstubEnvs), and faked clocks here.
afterAll(() => {
  vi.useRealTimers();
});
