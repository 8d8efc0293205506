// A separate process holding a data-directory lock with the fast test timing:
// `node --import tsx hold-lock.ts DIR [exit]` prints "held" once it has it; with `exit` it then
// calls process.exit without releasing.
import { acquireDataDirLock } from '../../src/db/lock-file.ts';
import { FAST_LOCK } from './lock-timing.ts';

const [dataDir, mode] = process.argv.slice(2);
await acquireDataDirLock(dataDir!, { command: 'hold-lock', timing: FAST_LOCK });
process.stdout.write('held\n');
if (mode === 'exit') process.exit(0);
setInterval(() => undefined, 60_000);
