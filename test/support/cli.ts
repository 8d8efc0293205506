import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The `vibecheck` the tests run: this checkout's src/ compiled to JavaScript once per run by the
 * global setup (test/support/prebuilt-cli.ts), which spares every spawned command tsx's loader (a
 * third of its CPU time). `VIBECHECK_TEST_CLI=bin npm test` runs bin/vibecheck instead; the package
 * test runs the installed bin/vibecheck either way. Outside vitest (the benchmarks that start
 * servers) it is bin/vibecheck.
 */
export const BIN = process.env.VITEST ? inject('cliEntry') : `${REPO_ROOT}bin/vibecheck`;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const baseEnv = (env: Record<string, string | undefined>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LOG_LEVEL: 'warn',
  ...env,
});

/** Runs `vibecheck ...args` to completion; `input` (text, or raw bytes) is its standard input. */
export function runCli(args: string[], env: Record<string, string | undefined>, input?: string | Buffer): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: baseEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  /** Sends the signal and resolves with the exit code; rejects (and kills it) when it has not exited within `withinMs`. */
  stop(signal?: NodeJS.Signals, withinMs?: number): Promise<number | null>;
}

/** Starts `vibecheck serve ...args` (this checkout's, or the installed `bin` run from `cwd`) and resolves once it listens. */
export function startServe(
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
  { bin = BIN, cwd = REPO_ROOT }: { bin?: string; cwd?: string } = {},
): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'serve', ...args], { cwd, env: baseEnv({ PORT: '0', ...env }) });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start in ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = stdout.match(/running at (http:\/\/\S+)/);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({
          child,
          url: match[1],
          stderr: () => stderr,
          stop: (signal = 'SIGTERM', withinMs = 30_000) => {
            child.kill(signal);
            let timer: NodeJS.Timeout | undefined;
            const late = new Promise<never>((_, fail) => {
              timer = setTimeout(() => {
                child.kill('SIGKILL');
                fail(new Error(`serve did not exit within ${withinMs} ms of ${signal}: ${stderr.slice(-2000)}`));
              }, withinMs);
            });
            return Promise.race([exited, late]).finally(() => clearTimeout(timer));
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before starting: ${stderr}`));
    });
  });
}
