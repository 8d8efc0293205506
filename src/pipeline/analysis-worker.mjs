// Entry of an analysis worker thread. Worker threads do not inherit the main thread's TypeScript
// loader, so each registers tsx before loading the analysis code.
import { register } from 'tsx/esm/api';

register();
const { analyzeBatch } = await import('./analysis-task.ts');
export default analyzeBatch;
