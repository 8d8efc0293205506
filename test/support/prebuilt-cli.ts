import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { transform } from 'esbuild';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface PrebuiltCli {
  /** The entry to run with `node`, in place of bin/vibecheck. */
  entry: string;
  remove(): void;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

// What tsx takes from tsconfig.json for the same files: imports kept as written, ES2023 class fields.
const TSCONFIG = { compilerOptions: { verbatimModuleSyntax: true, target: 'ES2023' } } as const;

// Relative '.ts' specifiers (static and dynamic imports, re-exports) point at the emitted '.js'.
const TS_SPECIFIER = /((?:\bfrom|\bimport)\s*\(?\s*["'])(\.{1,2}\/[^"']+?)\.ts(["'])/g;

/**
 * Compiles src/ to JavaScript once, file for file in the same layout, so the CLI the tests spawn
 * skips tsx's loader thread (about 1 s of CPU per process). Everything else is the checkout's own:
 * non-TypeScript files in src/ (SQL migrations, worker .mjs files, weights) are copied beside the
 * output, the .ts sources too (the worker .mjs entries load them through tsx, as installed), and
 * registry/, web/, node_modules/ and package.json are links to the checkout.
 */
export async function buildPrebuiltCli(): Promise<PrebuiltCli & { rebuild(): Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), 'vibecheck-cli-'));
  await compileSources(root);
  for (const name of ['registry', 'web', 'node_modules', 'package.json']) symlinkSync(join(REPO_ROOT, name), join(root, name));
  return {
    entry: join(root, 'src', 'cli', 'main.js'),
    // Watch mode: the sources changed since, so the next run compiles them again.
    rebuild: () => compileSources(root),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

async function compileSources(root: string): Promise<void> {
  rmSync(join(root, 'src'), { recursive: true, force: true });
  const src = join(REPO_ROOT, 'src');
  await Promise.all(
    listFiles(src).map(async (file) => {
      if (/\.test\.tsx?$/.test(file)) return;
      const target = join(root, 'src', relative(src, file));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(file, target);
      if (!file.endsWith('.ts')) return;
      try {
        const { code } = await transform(await readFile(file, 'utf8'), {
          loader: 'ts',
          format: 'esm',
          target: 'node20',
          sourcefile: file,
          tsconfigRaw: TSCONFIG,
        });
        writeFileSync(target.replace(/\.ts$/, '.js'), code.replace(TS_SPECIFIER, '$1$2.js$3'));
      } catch {
        // A file that does not compile fails the commands that import it, as under tsx; not the suite.
      }
    }),
  );
}
