// @ts-check
// How this package runs its TypeScript with no build step: through Node's own type stripping where
// it has it (Node 22.18+, 24), which starts in a fraction of tsx's time, else through tsx's loader.
// Node does not strip files under node_modules, where an installed package lives, so those go
// through tsx too. Worker threads do not inherit a loader: each thread's entry imports through this.
import { sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

/** Imports a .ts module by URL, registering tsx in this thread first when Node cannot strip it. */
export async function importTypeScript(/** @type {URL} */ url) {
  if (!process.features.typescript || fileURLToPath(url).includes(`${sep}node_modules${sep}`)) (await import('tsx/esm/api')).register();
  return import(url.href);
}
