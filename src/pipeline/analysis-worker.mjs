// Entry of an analysis worker thread: worker threads do not inherit the main thread's TypeScript
// loader, so the analysis code is imported through import-typescript.mjs.
import { URL } from 'node:url';
import { importTypeScript } from '../import-typescript.mjs';

const { analyzeBatch } = await importTypeScript(new URL('./analysis-task.ts', import.meta.url));
export default analyzeBatch;
